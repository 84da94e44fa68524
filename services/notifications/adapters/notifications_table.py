"""The notifications table: rows follow NotificationSent/NotificationRead in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime

import asyncpg

from libs.events.db import Connection
from libs.events.schemas.notifications import NotificationSent

_COLUMNS = """notification_id, recipient, institution_id, kind, channel, client_id, title, body, cause_id,
    cause_event_id, sent_at, read_at"""


@dataclass(frozen=True, slots=True)
class StoredNotification:
    """One notification as the inbox shows it."""

    notification_id: uuid.UUID
    recipient: str
    institution_id: str
    kind: str
    channel: str
    client_id: uuid.UUID | None
    title: str
    body: str
    cause_id: uuid.UUID
    cause_event_id: uuid.UUID | None
    sent_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> StoredNotification:
        return cls(**{f.name: row[f.name] for f in fields(cls)})


class NotificationsTable:
    """Writes inside the caller's transaction; reads for the inbox and the digest."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @staticmethod
    async def claim(conn: Connection, sent: NotificationSent, cause_id: uuid.UUID,
                    digest_due_at: datetime | None) -> bool:
        """Insert the row of a notification unless it exists; True when it is new."""
        inserted = await conn.fetchval(
            f"""INSERT INTO notifications ({_COLUMNS}, digest_due_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)
                ON CONFLICT (notification_id) DO NOTHING RETURNING true""",
            sent.notification_id, sent.recipient, sent.institution_id, sent.kind.value, sent.channel.value,
            sent.client_id, sent.title, sent.body, cause_id, sent.cause_event_id, sent.sent_at, digest_due_at)
        return bool(inserted)

    @staticmethod
    async def mark_read(conn: Connection, notification_id: uuid.UUID, read_at: datetime) -> None:
        await conn.execute("UPDATE notifications SET read_at = $2 WHERE notification_id = $1 AND read_at IS NULL",
                           notification_id, read_at)

    async def get(self, notification_id: uuid.UUID, recipient: str, institution_id: str,
                  conn: Connection | None = None) -> StoredNotification | None:
        """An in-app notification of this worker (None for another worker's: they must not learn it exists)."""
        row = await (conn or self._pool).fetchrow(
            f"""SELECT {_COLUMNS} FROM notifications WHERE notification_id = $1 AND recipient = $2
                AND institution_id = $3 AND channel = 'in_app'""", notification_id, recipient, institution_id)
        return StoredNotification.of(row) if row else None

    async def inbox(self, recipient: str, institution_id: str, *, limit: int,
                    before: tuple[datetime, uuid.UUID] | None, unread_only: bool) -> list[StoredNotification]:
        """In-app notifications newest first, after the keyset `before` (sent_at, id) of the previous page."""
        rows = await self._pool.fetch(
            f"""SELECT {_COLUMNS} FROM notifications
                WHERE recipient = $1 AND institution_id = $2 AND channel = 'in_app'
                  AND ($3::timestamptz IS NULL OR (sent_at, notification_id) < ($3, $4::uuid))
                  AND (NOT $5 OR read_at IS NULL)
                ORDER BY sent_at DESC, notification_id DESC LIMIT $6""",
            recipient, institution_id, before[0] if before else None, before[1] if before else None, unread_only,
            limit)
        return [StoredNotification.of(r) for r in rows]

    async def unread(self, recipient: str, institution_id: str) -> int:
        return int(await self._pool.fetchval(
            """SELECT count(*) FROM notifications WHERE recipient = $1 AND institution_id = $2
               AND channel = 'in_app' AND read_at IS NULL""", recipient, institution_id))

    @staticmethod
    async def claim_due_digests(conn: Connection, now: datetime, users: int) -> list[asyncpg.Record]:
        """Every item of up to `users` (recipient, slot) digests whose slot has come, locked for this transaction.

        Whole digests, never part of one: an item left out would be marked digested with the others next time
        under the same digest e-mail id, and be lost.
        """
        return list(await conn.fetch(
            """SELECT notification_id, recipient, title, body, sent_at, digest_due_at FROM notifications
               WHERE channel = 'digest' AND digested_at IS NULL
                 AND (recipient, digest_due_at) IN (
                     SELECT DISTINCT recipient, digest_due_at FROM notifications
                     WHERE channel = 'digest' AND digested_at IS NULL AND digest_due_at <= $1
                     ORDER BY digest_due_at, recipient LIMIT $2)
               ORDER BY digest_due_at, recipient, sent_at FOR UPDATE""", now, users))

    @staticmethod
    async def digested(conn: Connection, ids: list[uuid.UUID], at: datetime) -> None:
        await conn.execute("UPDATE notifications SET digested_at = $2 WHERE notification_id = ANY($1::uuid[])",
                           ids, at)
