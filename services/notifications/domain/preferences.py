"""A user's notification preferences and the channels a notification takes (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from libs.events.schemas.notifications import Channel, NotificationKind
from services.notifications.domain.rules import DirectChannel, RoutingRules


@dataclass(frozen=True, slots=True)
class Preferences:
    """Channels per kind (absent kinds: the routing file's defaults), e-mail address, daily digest on/off."""

    email: str | None = None
    digest: bool = False
    channels: Mapping[NotificationKind, tuple[DirectChannel, ...]] = field(default_factory=dict)

    def channels_of(self, kind: NotificationKind, rules: RoutingRules) -> tuple[DirectChannel, ...]:
        """The direct channels the user wants for a kind."""
        chosen = self.channels.get(kind)
        return chosen if chosen is not None else rules.default_channels(kind)

    def effective(self, rules: RoutingRules) -> dict[NotificationKind, tuple[DirectChannel, ...]]:
        """Every configured kind with the channels in force for this user."""
        return {kind: self.channels_of(kind, rules) for kind in rules.kinds}


DEFAULT = Preferences()


def channels_for(kind: NotificationKind, preferences: Preferences, rules: RoutingRules) -> list[Channel]:
    """The channels one notification of `kind` goes out on for this user.

    E-mail needs an address; with the daily digest on, what would be e-mailed one by one waits for the digest.
    """
    chosen = preferences.channels_of(kind, rules)
    channels = [Channel.IN_APP] if DirectChannel.IN_APP in chosen else []
    if DirectChannel.EMAIL in chosen and preferences.email:
        channels.append(Channel.DIGEST if preferences.digest else Channel.EMAIL)
    return channels
