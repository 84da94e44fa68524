"""Request and response bodies of the notifications API, with the examples shown in the OpenAPI documentation."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.events.schemas.notifications import NotificationKind, NotificationSent
from services.notifications.adapters.notifications_table import StoredNotification
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.rules import DirectChannel, KindRule

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class InboxItem(BaseModel):
    """One in-app notification."""

    notification_id: uuid.UUID
    kind: NotificationKind
    title: str
    body: str
    client_id: uuid.UUID | None
    institution_id: str
    cause_event_id: uuid.UUID | None
    sent_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, n: StoredNotification) -> InboxItem:
        return cls(notification_id=n.notification_id, kind=NotificationKind(n.kind), title=n.title, body=n.body,
                   client_id=n.client_id, institution_id=n.institution_id, cause_event_id=n.cause_event_id,
                   sent_at=n.sent_at, read_at=n.read_at)

    @classmethod
    def sent(cls, n: NotificationSent) -> InboxItem:
        return cls(notification_id=n.notification_id, kind=n.kind, title=n.title, body=n.body, client_id=n.client_id,
                   institution_id=n.institution_id, cause_event_id=n.cause_event_id, sent_at=n.sent_at,
                   read_at=None)


class InboxView(BaseModel):
    """A page of the inbox, newest first."""

    items: list[InboxItem]
    unread: int = Field(description="unread in-app notifications of the worker (all pages)")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class PreferencesRequest(BaseModel):
    """Everything the worker chooses; kinds left out of `channels` follow the routing file's defaults."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "email": "ewa.lis@mops-146101.pl", "digest": False,
        "channels": {"partner_changed_plan": ["in_app", "email"], "step_due": ["in_app"]}}]})

    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    digest: bool = Field(default=False, description="collect what would be e-mailed into one e-mail a day")
    channels: dict[NotificationKind, list[DirectChannel]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _mail_needs_an_address(self) -> PreferencesRequest:
        if (self.digest or any(DirectChannel.EMAIL in c for c in self.channels.values())) and not self.email:
            raise ValueError("an e-mail address is needed for e-mail channels and the daily digest")
        return self

    def preferences(self) -> Preferences:
        channels = {k: tuple(dict.fromkeys(v)) for k, v in self.channels.items()}
        return Preferences(email=self.email, digest=self.digest, channels=channels)


class PreferencesView(BaseModel):
    """The preferences in force for the worker: every configured kind with its channels."""

    user: str
    email: str | None
    digest: bool
    channels: dict[NotificationKind, list[DirectChannel]]
    updated_at: datetime | None = Field(description="null: never set, the defaults apply")


class KindView(BaseModel):
    """A kind of notification as the routing file defines it."""

    enabled: bool
    events: list[str]
    recipients: list[str]
    default_channels: list[DirectChannel]
    title: str
    body: str

    @classmethod
    def of(cls, rule: KindRule) -> KindView:
        return cls(enabled=rule.enabled, events=list(rule.events), recipients=[a.value for a in rule.recipients],
                   default_channels=list(rule.channels), title=rule.title, body=rule.body)
