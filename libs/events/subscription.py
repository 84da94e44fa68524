"""Store subscriptions: a service reacting to its own committed events, in commit order, at least once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
import structlog

from libs.events.envelope import RecordedEvent
from libs.events.store import START, Checkpoint, PostgresEventStore

log = structlog.get_logger(__name__)

Handler = Callable[[RecordedEvent], Awaitable[None]]

class StoreSubscription:
    """Feeds events of the given types to a handler, resuming from a checkpoint kept in PostgreSQL.

    The checkpoint is saved after the handler returns, so a crash repeats the last event: handlers must be
    idempotent (process managers here only emit what changes state, so a repeat emits nothing).
    """

    def __init__(self, name: str, store: PostgresEventStore, pool: asyncpg.Pool, handles: frozenset[str],
                 handler: Handler, *, idle_interval: float = 0.05) -> None:
        self.name = name
        self._store = store
        self._pool = pool
        self._handles = handles
        self._handler = handler
        self._idle_interval = idle_interval

    async def checkpoint(self) -> Checkpoint:
        row = await self._pool.fetchrow(
            "SELECT transaction_id, global_position FROM subscription_checkpoints WHERE name = $1", self.name)
        return Checkpoint(row["transaction_id"], row["global_position"]) if row else START

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the events until `stop`; only the replica holding this subscription's lock does (like the relay):
        two replicas handling the same events at once would race each other for nothing."""
        async with self._pool.acquire() as lock_conn:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
                if stop.is_set():
                    return
            try:
                await self._follow(stop)
            finally:
                await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", self.name)

    async def _follow(self, stop: asyncio.Event) -> None:
        after = await self.checkpoint()
        while not stop.is_set():
            page = await self._store.read_all(after, limit=200)
            for checkpoint, event in page:
                if event.event_type in self._handles:
                    await self._handler(event)
                after = checkpoint
                await self._save(after)
            if not page:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._idle_interval)

    async def _save(self, checkpoint: Checkpoint) -> None:
        await self._pool.execute(
            """INSERT INTO subscription_checkpoints (name, transaction_id, global_position) VALUES ($1, $2, $3)
               ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,
                                                global_position = EXCLUDED.global_position""",
            self.name, checkpoint.transaction_id, checkpoint.global_position)
