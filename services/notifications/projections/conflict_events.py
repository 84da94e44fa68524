"""pzw.conflicts.v1: detected benefit conflicts routed to the workers and supervisors of the institutions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.projection import Projection
from libs.events.schemas import registry
from libs.events.topics import CONFLICTS
from services.notifications.application.notifier import Notifier
from services.notifications.domain.causes import cause_of


class ConflictEvents(Projection):
    """No table of its own: the workers come from the clients and plans projections, supervisors from the rules."""

    name: ClassVar[str] = "notify_conflicts"
    topics: ClassVar[tuple[str, ...]] = (CONFLICTS,)

    def __init__(self, notifier: Notifier, clock: Callable[[], datetime]) -> None:
        self._notifier = notifier
        self._clock = clock
        self.handles = notifier.rules.events_of(registry, "conflicts")  # type: ignore[misc]

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            cause = cause_of(event, self._notifier.rules, self._clock())
            if cause is not None:
                await self._notifier.notify(conn, cause)

    async def reset(self, conn: Connection) -> None:
        return None  # nothing to empty: a replay finds every notification already sent (derived ids)
