"""The PostgreSQL event store: append with optimistic concurrency, read a stream, read all without gaps."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import asyncpg
import orjson
from pydantic import BaseModel

from libs.events.db import Connection
from libs.events.envelope import Metadata, NewEvent, RecordedEvent
from libs.events.errors import ConcurrencyError, StreamNotFound
from libs.events.metrics import append_duration
from libs.events.migrations import Migration, migrate, packaged
from libs.events.registry import EventRegistry
from libs.events.sealing import PayloadSealer
from libs.events.tracing import tracer

ANY_VERSION = -1
NO_STREAM = 0

MIGRATIONS: list[Migration] = packaged("libs.events.sql", "eventstore_001", "eventstore_002")


@dataclass(frozen=True, slots=True, order=True)
class Checkpoint:
    """A place in the store's commit order: readers resume strictly after it (see eventstore_001.sql)."""

    transaction_id: int = 0
    global_position: int = 0

    def __str__(self) -> str:
        return f"{self.transaction_id}:{self.global_position}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read the `transaction_id:global_position` form used in URLs and logs."""
        tx, _, pos = text.partition(":")
        return cls(int(tx), int(pos))


START = Checkpoint()


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events for one stream, with the version the writer expects that stream to be at."""

    stream_type: str
    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]
    metadata: Metadata
    topic: str | None = None


class EventStore(Protocol):
    """The port the application layer depends on; PostgreSQL and in-memory adapters implement it."""

    async def append(self, append: StreamAppend, *, conn: Any = None) -> list[RecordedEvent]: ...

    async def read_stream(self, stream_id: str, *, until: datetime | None = None,
                          conn: Any = None) -> list[RecordedEvent]: ...


_EVENT_COLUMNS = """event_id, event_type, schema_version, stream_type, stream_id, stream_version, global_position,
    transaction_id::text::bigint AS transaction_id, occurred_at, recorded_at, payload::text AS payload,
    metadata::text AS metadata"""


class PostgresEventStore:
    """Event store on one PostgreSQL database (each service owns its own)."""

    def __init__(self, pool: asyncpg.Pool, registry: EventRegistry, sealer: PayloadSealer | None = None) -> None:
        self._pool = pool
        self._registry = registry
        self.sealer = sealer  # seals personal fields on append and opens them on read (docs/decisions/0010)

    async def migrate(self) -> None:
        await migrate(self._pool, "eventstore", MIGRATIONS)

    async def append(self, append: StreamAppend, *, conn: Connection | None = None) -> list[RecordedEvent]:
        """Append events to a stream in one atomic statement; raise ConcurrencyError on a version mismatch.

        Pass `conn` to take part in the caller's transaction (for example together with a uniqueness index).
        """
        if not append.events:
            return []
        types = [self._registry.type_of(e.payload) for e in append.events]
        payloads = (await self.sealer.seal([e.payload for e in append.events]) if self.sealer is not None
                    else [self._registry.to_json(e.payload) for e in append.events])
        metadata = orjson.dumps(append.metadata.to_dict()).decode()
        key = append.metadata.partition_key or append.stream_id
        args = (
            append.stream_id, append.stream_type, append.expected_version,
            [e.event_id for e in append.events], [t.name for t in types], [t.version for t in types],
            [p.decode() for p in payloads],
            [metadata] * len(append.events), [e.occurred_at for e in append.events],
            append.topic, key,
        )
        started = time.perf_counter()
        try:
            with tracer.start_as_current_span("eventstore.append") as span:
                span.set_attribute("pzw.stream.type", append.stream_type)
                span.set_attribute("pzw.stream.events", len(append.events))
                if conn is not None:
                    rows = await conn.fetch(_APPEND_SQL, *args)
                else:
                    async with self._pool.acquire() as own:
                        rows = await own.fetch(_APPEND_SQL, *args)
            append_duration.record((time.perf_counter() - started) * 1000, {"stream_type": append.stream_type})
        except asyncpg.PostgresError as exc:
            if getattr(exc, "sqlstate", None) == "PZ409":
                raise ConcurrencyError(append.stream_id, append.expected_version, int(exc.detail or 0)) from exc
            raise
        return [
            RecordedEvent(
                event_id=e.event_id, event_type=t.name, schema_version=t.version, stream_type=append.stream_type,
                stream_id=append.stream_id, stream_version=row["stream_version"],
                global_position=row["global_position"], occurred_at=e.occurred_at, recorded_at=row["recorded_at"],
                payload=e.payload, metadata=append.metadata,
            )
            for e, t, row in zip(append.events, types, rows, strict=True)
        ]

    async def append_many(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        """Append to several streams atomically: all succeed or none is stored."""
        recorded: list[RecordedEvent] = []
        async with self._pool.acquire() as conn, conn.transaction():
            for append in appends:
                recorded.extend(await self.append(append, conn=conn))
        return recorded

    async def stream_version(self, stream_id: str, *, conn: Connection | None = None) -> int:
        """The current version of a stream (0 when it does not exist)."""
        version = await (conn or self._pool).fetchval(
            "SELECT version FROM event_streams WHERE stream_id = $1", stream_id)
        return int(version or 0)

    async def read_stream(
        self, stream_id: str, *, until: datetime | None = None, after_version: int = 0,
        conn: Connection | None = None,
    ) -> list[RecordedEvent]:
        """All events of a stream in version order, optionally only those that occurred up to `until`.

        Pass `conn` inside a transaction: a use case holding one connection must never wait for a second one
        from the same pool (under load every connection would be held by a waiter: a deadlock).
        """
        rows = await (conn or self._pool).fetch(
            f"""SELECT {_EVENT_COLUMNS} FROM events
                WHERE stream_id = $1 AND stream_version > $2 AND ($3::timestamptz IS NULL OR occurred_at <= $3)
                ORDER BY stream_version""",
            stream_id, after_version, until,
        )
        if not rows and after_version == 0 and not await self.stream_version(stream_id, conn=conn):
            raise StreamNotFound(stream_id)
        return await self._decode_all(rows)

    async def read_all(self, after: Checkpoint = START, limit: int = 1000) -> list[tuple[Checkpoint, RecordedEvent]]:
        """Up to `limit` committed events after `after`, in commit-safe order; never skips a late commit."""
        rows = await self._pool.fetch(
            f"""SELECT {_EVENT_COLUMNS} FROM events
                WHERE (transaction_id, global_position) > ($1::text::xid8, $2)
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id, global_position LIMIT $3""",
            str(after.transaction_id), after.global_position, limit,
        )
        events = await self._decode_all(rows)
        return [(Checkpoint(r["transaction_id"], r["global_position"]), e) for r, e in zip(rows, events, strict=True)]

    async def iterate_all(self, after: Checkpoint = START, batch: int = 1000) -> AsyncIterator[RecordedEvent]:
        """Every committed event after `after`, in commit-safe order, fetched in batches."""
        while True:
            page = await self.read_all(after, batch)
            for checkpoint, event in page:
                after = checkpoint
                yield event
            if len(page) < batch:
                return

    async def _decode_all(self, rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
        if self.sealer is None:
            return [self._decode(r, self._registry.from_json(r["event_type"], r["schema_version"], r["payload"]))
                    for r in rows]
        items = [(r["event_type"], r["schema_version"], r["payload"]) for r in rows]
        await self.sealer.prepare(items)
        decoded = [self.sealer.open_prepared(*item) for item in items]
        return [self._decode(r, d.payload, d.erased) for r, d in zip(rows, decoded, strict=True)]

    @staticmethod
    def _decode(row: asyncpg.Record, payload: BaseModel, erased: tuple[str, ...] = ()) -> RecordedEvent:
        return RecordedEvent(
            event_id=row["event_id"], event_type=row["event_type"], schema_version=row["schema_version"],
            stream_type=row["stream_type"], stream_id=row["stream_id"], stream_version=row["stream_version"],
            global_position=row["global_position"], occurred_at=row["occurred_at"], recorded_at=row["recorded_at"],
            payload=payload, metadata=Metadata.from_dict(orjson.loads(row["metadata"])), erased=erased,
        )


_APPEND_SQL = """SELECT global_position, stream_version, recorded_at
    FROM pzw_append_events($1, $2, $3, $4, $5, $6, $7::text[]::jsonb[], $8::text[]::jsonb[], $9, $10, $11)"""
