"""The reminder loop: fires due reminders from PostgreSQL, each exactly once, across restarts and replicas."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from libs.events.schemas.notifications import NotificationSent
from services.notifications.adapters.reminders_table import DueReminder, RemindersTable
from services.notifications.application.notifier import Clock, Notifier
from services.notifications.domain.routing import Cause, Party

log = structlog.get_logger(__name__)


def cause_of_reminder(reminder: DueReminder) -> Cause:
    """A due reminder as the cause of notifications (its id is the cause id: no event caused it)."""
    facts = {**reminder.facts, "plan_id": reminder.plan_id, "client_id": reminder.client_id}
    return Cause(cause_id=reminder.reminder_id, kind=reminder.kind, occurred_at=reminder.due_at,
                 client_id=reminder.client_id, subject=Party(reminder.worker, reminder.institution_id), facts=facts)


class ReminderLoop:
    """Claims due reminders and stores their notifications.

    Why exactly once: the due rows are locked (FOR UPDATE SKIP LOCKED, so a second replica takes other rows
    rather than waiting), their notifications are appended, and the rows are marked done, all in one transaction.
    A crash before the commit leaves the rows pending and stores nothing; after it, they are done. The derived
    notification ids (NO_STREAM) are the second line of defence should a reminder ever run twice.
    """

    def __init__(self, pool: asyncpg.Pool, notifier: Notifier, clock: Clock, *, interval: float, batch: int) -> None:
        self._pool = pool
        self._notifier = notifier
        self._clock = clock
        self._interval = interval
        self._batch = batch

    async def run(self, stop: asyncio.Event) -> None:
        """Fire due reminders until `stop` is set."""
        while not stop.is_set():
            fired = await self.fire_due()
            if fired < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def fire_due(self) -> int:
        """Fire one batch of due reminders in one transaction; return how many reminders it fired."""
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            due = await RemindersTable.claim_due(conn, now, self._batch)
            sent: list[NotificationSent] = []
            for reminder in due:
                sent += await self._notifier.notify(conn, cause_of_reminder(reminder))
            await RemindersTable.done(conn, [r.reminder_id for r in due], now)
        if due:
            log.info("reminders fired", reminders=len(due), notifications=len(sent))
        return len(due)
