"""The notifications service's parts wired on one real database, without HTTP or Kafka (projections applied
directly, as the runner would inside its transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from libs.events.envelope import RecordedEvent
from libs.events.migrations import migrate
from libs.events.projection import Projection
from libs.events.schemas import registry
from libs.events.store import PostgresEventStore
from services.notifications.adapters.mail_queue import MailQueue
from services.notifications.adapters.preferences_table import PreferencesTable
from services.notifications.application.notifier import Notifier
from services.notifications.application.timers import ReminderLoop
from services.notifications.bootstrap import MIGRATIONS
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.rules import load_routing
from services.notifications.projections.client_events import ClientEvents
from services.notifications.projections.conflict_events import ConflictEvents
from services.notifications.projections.plan_events import PlanEvents
from tests.integration.notifications.harness import MovableClock, routing_file


@dataclass
class Parts:
    pool: asyncpg.Pool
    store: PostgresEventStore
    clock: MovableClock
    notifier: Notifier
    preferences: PreferencesTable
    clients: ClientEvents
    plans: PlanEvents
    conflicts: ConflictEvents

    async def apply(self, projection: Projection, events: Sequence[RecordedEvent]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await projection.apply(conn, events)

    def loop(self, notifier: Notifier | None = None, batch: int = 200) -> ReminderLoop:
        return ReminderLoop(self.pool, notifier or self.notifier, self.clock, interval=0.05, batch=batch)

    async def set_preferences(self, user: str, institution: str, preferences: Preferences) -> None:
        await self.preferences.replace(user, institution, preferences, self.clock())

    async def sent(self, recipient: str | None = None, kind: str | None = None) -> list[asyncpg.Record]:
        """NotificationSent events in the store (the record that counts), oldest first."""
        return list(await self.pool.fetch(
            """SELECT stream_id, payload::text AS payload, payload->>'recipient' AS recipient,
                      payload->>'kind' AS kind, payload->>'channel' AS channel FROM events
               WHERE event_type = 'NotificationSent' AND ($1::text IS NULL OR payload->>'recipient' = $1)
                 AND ($2::text IS NULL OR payload->>'kind' = $2)
               ORDER BY global_position""", recipient, kind))

    @property
    def mails(self) -> MailQueue:
        return MailQueue(self.pool)


async def wire(pool: asyncpg.Pool, folder: Path, **timing: int) -> Parts:
    store = PostgresEventStore(pool, registry)
    await store.migrate()
    await migrate(pool, "notifications", MIGRATIONS)
    for projection in (ClientEvents, PlanEvents):
        await migrate(pool, f"projection:{projection.name}", projection.migrations)
    clock = MovableClock()
    rules = load_routing(routing_file(folder, **timing), registry)
    preferences = PreferencesTable(lambda: pool)
    notifier = Notifier(rules, lambda: store, preferences, clock)
    return Parts(pool, store, clock, notifier, preferences, ClientEvents(notifier, clock), PlanEvents(notifier, clock),
                 ConflictEvents(notifier, clock))
