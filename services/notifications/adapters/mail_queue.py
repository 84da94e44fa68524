"""E-mails waiting to be sent: queued in the notification's transaction, leased while sent, retried when failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from libs.events.db import Connection


@dataclass(frozen=True, slots=True)
class QueuedMail:
    """One e-mail to send."""

    mail_id: uuid.UUID
    recipient: str
    address: str
    subject: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class MailStatus:
    """Where an e-mail stands (delivery is recorded here)."""

    mail_id: uuid.UUID
    attempts: int
    last_error: str | None
    delivered_at: datetime | None
    failed_at: datetime | None


class MailQueue:
    """The mails table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @staticmethod
    async def enqueue(conn: Connection, mail_id: uuid.UUID, recipient: str, address: str, subject: str, body: str,
                      now: datetime) -> None:
        """Queue an e-mail inside the caller's transaction; the same id twice queues it once."""
        await conn.execute(
            """INSERT INTO mails (mail_id, recipient, address, subject, body, created_at, next_attempt_at)
               VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (mail_id) DO NOTHING""",
            mail_id, recipient, address, subject, body, now)

    async def lease(self, now: datetime, lease: timedelta, limit: int) -> list[QueuedMail]:
        """Take due e-mails for sending and push their next attempt past the lease, in one short transaction.

        Why a lease instead of holding the row lock while talking to the SMTP server: a transaction that locks rows
        has a transaction id, and an open one holds back the gap-free readers of this database (the outbox relay,
        the live stream; see decision 0001) for as long as the SMTP server takes to answer.
        """
        rows = await self._pool.fetch(
            """UPDATE mails SET next_attempt_at = $1::timestamptz + $2::interval, attempts = attempts + 1
               WHERE mail_id IN (SELECT mail_id FROM mails
                                 WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                                 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
               RETURNING mail_id, recipient, address, subject, body, attempts""", now, lease, limit)
        return [QueuedMail(**dict(r)) for r in rows]

    async def delivered(self, mail_id: uuid.UUID, at: datetime) -> None:
        await self._pool.execute("UPDATE mails SET delivered_at = $2, last_error = NULL WHERE mail_id = $1",
                                 mail_id, at)

    async def retry_later(self, mail_id: uuid.UUID, error: str, at: datetime) -> None:
        await self._pool.execute("UPDATE mails SET next_attempt_at = $2, last_error = $3 WHERE mail_id = $1",
                                 mail_id, at, error[:1000])

    async def failed(self, mail_id: uuid.UUID, error: str, at: datetime) -> None:
        """The server refused the e-mail for good (e.g. unknown mailbox): it is not retried."""
        await self._pool.execute("UPDATE mails SET failed_at = $2, last_error = $3 WHERE mail_id = $1",
                                 mail_id, at, error[:1000])

    async def status(self, mail_id: uuid.UUID) -> MailStatus | None:
        row = await self._pool.fetchrow(
            "SELECT mail_id, attempts, last_error, delivered_at, failed_at FROM mails WHERE mail_id = $1", mail_id)
        return MailStatus(**dict(row)) if row else None
