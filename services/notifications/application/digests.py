"""The daily digest: a user's digest items of a day gathered into one e-mail at the configured hour."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from datetime import datetime

import asyncpg
import structlog

from libs.events.ids import derived_id
from services.notifications.adapters.mail_queue import MailQueue
from services.notifications.adapters.notifications_table import NotificationsTable
from services.notifications.adapters.preferences_table import PreferencesTable
from services.notifications.application.notifier import Clock
from services.notifications.domain.reminders import local_day
from services.notifications.domain.rules import RoutingRules
from services.notifications.domain.texts import digest_mail

log = structlog.get_logger(__name__)

_DIGEST_LOCK_KEY = 0x505A5744  # one digest collector per database at a time


def digest_id(recipient: str, slot: datetime) -> uuid.UUID:
    """One digest e-mail per user and slot, whatever happens to the loop."""
    return derived_id("digest", recipient, slot.isoformat())


class DigestLoop:
    """Every `interval`, turns digest items whose slot has come into one queued e-mail per user and slot.

    One replica at a time collects (a transaction-level advisory lock; the others skip the round). The items are
    read, the e-mail queued and the items marked digested in one transaction: an item is in exactly one digest
    e-mail. The e-mail itself then goes out at least once, like every e-mail (Mailer).
    """

    def __init__(self, pool: asyncpg.Pool, rules: RoutingRules, preferences: PreferencesTable, clock: Clock, *,
                 interval: float, batch: int = 500) -> None:
        self._pool = pool
        self._rules = rules
        self._preferences = preferences
        self._clock = clock
        self._interval = interval
        self._batch = batch

    async def run(self, stop: asyncio.Event) -> None:
        """Collect due digests until `stop` is set."""
        while not stop.is_set():
            await self.collect_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def collect_due(self) -> int:
        """Queue the digests whose slot has come; return how many e-mails were queued."""
        now = self._clock()
        queued = 0
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _DIGEST_LOCK_KEY):
                return 0
            items = await NotificationsTable.claim_due_digests(conn, now, self._batch)
            groups: dict[tuple[str, datetime], list[asyncpg.Record]] = defaultdict(list)
            for item in items:
                groups[(item["recipient"], item["digest_due_at"])].append(item)
            for (recipient, slot), group in groups.items():
                address = (await self._preferences.of(recipient, conn)).email
                if not address:
                    log.info("digest dropped: the user has no e-mail address any more", recipient=recipient)
                    continue
                zone = self._rules.timing.zone
                mail = digest_mail(self._rules.email, local_day(slot, self._rules.timing).isoformat(),
                                   [(i["sent_at"].astimezone(zone), i["title"], i["body"]) for i in group])
                await MailQueue.enqueue(conn, digest_id(recipient, slot), recipient, address, mail.subject,
                                        mail.body, now)
                queued += 1
            await NotificationsTable.digested(conn, [i["notification_id"] for i in items], now)
        return queued
