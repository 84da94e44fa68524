"""Use cases of the in-app inbox and of preferences: list, count unread, mark read, set preferences."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.errors import ConcurrencyError
from libs.events.http import NotFound
from libs.events.ids import new_id
from libs.events.schemas.notifications import NotificationRead
from libs.events.store import PostgresEventStore, StreamAppend
from libs.events.topics import NOTIFICATIONS
from libs.events.tracing import current_traceparent
from services.notifications.adapters.notifications_table import NotificationsTable, StoredNotification
from services.notifications.adapters.preferences_table import PreferencesTable
from services.notifications.application.notifier import STREAM_TYPE, Clock
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.rules import RoutingRules


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One page of a worker's inbox, with the cursor of the next page (None: this was the last)."""

    items: list[StoredNotification]
    unread: int
    next_cursor: str | None


def encode_cursor(item: StoredNotification) -> str:
    return base64.urlsafe_b64encode(f"{item.sent_at.isoformat()}|{item.notification_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The keyset a cursor stands for; ValueError for a cursor this service did not return."""
    try:
        at, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("not a cursor this service returned") from None


class InboxApplication:
    """The acting worker's notifications and preferences."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, table: NotificationsTable,
                 preferences: PreferencesTable, rules: RoutingRules, clock: Clock) -> None:
        self._pool = pool
        self._store = store
        self._table = table
        self._preferences = preferences
        self.rules = rules
        self._clock = clock

    async def page(self, actor: Actor, *, limit: int, before: tuple[datetime, uuid.UUID] | None,
                   unread_only: bool) -> InboxPage:
        """Newest first; pages follow a keyset cursor, so new notifications never shift a page being read."""
        items = await self._table.inbox(actor.user, actor.institution, limit=limit + 1, before=before,
                                        unread_only=unread_only)
        more = len(items) > limit
        items = items[:limit]
        unread = await self._table.unread(actor.user, actor.institution)
        return InboxPage(items, unread, encode_cursor(items[-1]) if more else None)

    async def unread(self, actor: Actor) -> int:
        return await self._table.unread(actor.user, actor.institution)

    async def mark_read(self, notification_id: uuid.UUID, actor: Actor) -> StoredNotification:
        """Record NotificationRead once; reading it again changes nothing and answers the same."""
        async with self._pool.acquire() as conn, conn.transaction():
            item = await self._table.get(notification_id, actor.user, actor.institution, conn=conn)
            if item is None:
                raise NotFound(f"notification {notification_id} is not in your inbox")
            if item.read_at is not None:
                return item
            now = self._clock()
            metadata = Metadata(actor=actor, correlation_id=new_id(), causation_id=notification_id,
                                partition_key=item.recipient, traceparent=current_traceparent())
            read = NotificationRead(notification_id=notification_id, recipient=item.recipient, read_at=now)
            try:
                # Version 1 is the NotificationSent: a concurrent read of the same notification gets a
                # ConcurrencyError here and answers with the state the winner committed.
                await self._store.append(StreamAppend(STREAM_TYPE, str(notification_id), 1, [NewEvent(read, now)],
                                                      metadata, NOTIFICATIONS), conn=conn)
            except ConcurrencyError:
                pass
            else:
                await NotificationsTable.mark_read(conn, notification_id, now)
        again = await self._table.get(notification_id, actor.user, actor.institution)
        assert again is not None
        return again

    async def preferences(self, actor: Actor) -> tuple[Preferences, datetime | None]:
        return await self._preferences.of(actor.user), await self._preferences.updated_at(actor.user)

    async def set_preferences(self, actor: Actor, preferences: Preferences) -> tuple[Preferences, datetime | None]:
        """Replace the worker's preferences (the request model has checked that e-mail has an address)."""
        await self._preferences.replace(actor.user, actor.institution, preferences, self._clock())
        return await self.preferences(actor)
