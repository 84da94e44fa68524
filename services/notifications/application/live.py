"""Live push: follows the service's own store and hands new in-app notifications to connected workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator

import asyncpg
import structlog

from libs.events.schemas.notifications import Channel, NotificationSent
from libs.events.store import START, Checkpoint, PostgresEventStore

log = structlog.get_logger(__name__)

Key = tuple[str, str]  # (recipient, institution)


async def store_head(pool: asyncpg.Pool) -> Checkpoint:
    """The checkpoint after which every event yet to be read by `read_all` lies (the live stream starts there).

    Every row below the oldest running transaction is visible; any row that becomes visible later belongs to a
    transaction at or above it, so it sorts after the last visible row (see docs/decisions/0001).
    """
    row = await pool.fetchrow(
        """SELECT transaction_id::text::bigint AS tx, global_position FROM events
           WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY transaction_id DESC, global_position DESC LIMIT 1""")
    return Checkpoint(row["tx"], row["global_position"]) if row else START


class LiveHub:
    """One reader of the store per process, fanning new in-app notifications out to per-connection queues.

    Why the store and not the notifications table: the store's gap-free read-all never skips a notification whose
    transaction committed late, and it sees what every replica stored, not only this process.
    """

    def __init__(self, store: PostgresEventStore, pool: asyncpg.Pool, *, interval: float,
                 queue_size: int = 500) -> None:
        self._store = store
        self._pool = pool
        self._interval = interval
        self._queue_size = queue_size
        self._after: Checkpoint | None = None
        self._subscribers: dict[Key, set[asyncio.Queue[NotificationSent]]] = defaultdict(set)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the store until `stop` is set; a restart after a crash continues where it stopped."""
        if self._after is None:
            self._after = await store_head(self._pool)
        while not stop.is_set():
            page = await self._store.read_all(self._after, limit=500)
            for checkpoint, event in page:
                self._after = checkpoint
                if isinstance(event.payload, NotificationSent) and event.payload.channel is Channel.IN_APP:
                    self._publish(event.payload)
            if len(page) < 500:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._interval)

    @contextlib.contextmanager
    def subscribe(self, recipient: str, institution_id: str) -> Iterator[asyncio.Queue[NotificationSent]]:
        """A queue receiving the worker's new in-app notifications while the context is open."""
        queue: asyncio.Queue[NotificationSent] = asyncio.Queue(self._queue_size)
        key = (recipient, institution_id)
        self._subscribers[key].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[key].discard(queue)
            if not self._subscribers[key]:
                del self._subscribers[key]

    def _publish(self, sent: NotificationSent) -> None:
        for queue in self._subscribers.get((sent.recipient, sent.institution_id), ()):
            if queue.full():
                # A connection that does not keep up loses its oldest pushes, never stalls the others: live push
                # is a convenience, the inbox (GET /inbox) is the record.
                queue.get_nowait()
            queue.put_nowait(sent)
