"""Projections: read models built from Kafka topics into PostgreSQL with an exactly-once effect."""

from __future__ import annotations

import asyncio
import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord

from libs.events.db import Connection
from libs.events.dead_letter import DeadLetterPublisher
from libs.events.envelope import RecordedEvent
from libs.events.kafka_codec import MessageDecodeError, decode_event, read_envelope, sealed_items
from libs.events.metrics import set_consumer_lag
from libs.events.migrations import Migration, migrate, packaged
from libs.events.registry import EventRegistry
from libs.events.sealing import PayloadSealer
from libs.events.tracing import context_from_traceparent, tracer, tracing_exported

log = structlog.get_logger(__name__)

BOOKKEEPING: list[Migration] = packaged("libs.events.sql", "projections_001")


class Projection(ABC):
    """A read model: which topics and event types it reads, its tables, and how a batch of events changes them."""

    name: ClassVar[str]
    topics: ClassVar[tuple[str, ...]]
    handles: ClassVar[frozenset[str]]
    migrations: ClassVar[Sequence[Migration]] = ()

    @abstractmethod
    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        """Change the read model for `events` (new, in order, of handled types) inside the caller's transaction."""

    @abstractmethod
    async def reset(self, conn: Connection) -> None:
        """Empty the read model before a rebuild by replay."""


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """Batching and retry policy of a projection runner."""

    max_records: int = 5000
    poll_timeout_ms: int = 100
    max_attempts: int = 4
    first_backoff: float = 0.1
    max_backoff: float = 5.0


@dataclass(frozen=True, slots=True)
class _Incoming:
    record: ConsumerRecord[bytes, bytes]
    stream_id: str | None = None
    stream_version: int = 0
    event: RecordedEvent | None = None


class ProjectionRunner:
    """Consumes a projection's topics and applies them to PostgreSQL.

    Why the effect is exactly once: the read-model change, the next offset of the partition and the last applied
    version of each source stream commit in one PostgreSQL transaction. After a crash the consumer seeks to the
    stored offsets (not Kafka's), and an event that arrives again (redelivery, or the outbox relay re-sending after
    its own crash) has a stream version already applied, so it changes nothing.
    """

    def __init__(
        self, pool: asyncpg.Pool, bootstrap_servers: str, projection: Projection, registry: EventRegistry, *,
        group_id: str, settings: RunnerSettings | None = None, sealer: PayloadSealer | None = None,
    ) -> None:
        self._pool = pool
        self._bootstrap = bootstrap_servers
        self.projection = projection
        self._registry = registry
        self._group_id = group_id
        self._settings = settings or RunnerSettings()
        self._sealer = sealer
        self._restart = asyncio.Event()
        self._rebuilt = asyncio.Event()
        self._running = False
        self.applied = 0
        self.dead_letters = 0

    async def setup(self) -> None:
        """Create the bookkeeping and read-model tables (repeatable)."""
        await migrate(self._pool, "projections", BOOKKEEPING)
        await migrate(self._pool, f"projection:{self.projection.name}", self.projection.migrations)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; a rebuild request restarts consumption from the beginning."""
        await self.setup()
        producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        dead_letters = DeadLetterPublisher(producer, self.projection.name)
        self._running = True
        try:
            while not stop.is_set():
                self._restart.clear()
                await self._consume(stop, dead_letters)
                if self._restart.is_set():
                    await self._reset()
                    self._rebuilt.set()
        finally:
            self._running = False
            await producer.stop()

    async def rebuild(self) -> None:
        """Drop the read model and replay every event from the start of the topics."""
        if not self._running:
            await self.setup()
            await self._reset()
            return
        self._rebuilt.clear()
        self._restart.set()
        await self._rebuilt.wait()

    async def _reset(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await self.projection.reset(conn)
            await conn.execute("DELETE FROM projection_offsets WHERE projection = $1", self.projection.name)
            await conn.execute("DELETE FROM projection_streams WHERE projection = $1", self.projection.name)
        log.info("projection reset for replay", projection=self.projection.name)

    async def _consume(self, stop: asyncio.Event, dead_letters: DeadLetterPublisher) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, group_id=self._group_id, enable_auto_commit=False,
            auto_offset_reset="earliest", max_poll_records=self._settings.max_records,
        )
        consumer.subscribe(list(self.projection.topics), listener=_SeekToStoredOffsets(self, consumer))
        await consumer.start()
        try:
            while not stop.is_set() and not self._restart.is_set():
                batches = await consumer.getmany(
                    timeout_ms=self._settings.poll_timeout_ms, max_records=self._settings.max_records)
                for tp, records in batches.items():
                    await self._process(tp, records, dead_letters)
                if batches:
                    # Kafka's committed offsets are informational (lag monitoring); PostgreSQL holds the truth.
                    await consumer.commit({tp: recs[-1].offset + 1 for tp, recs in batches.items()})
                    for tp, recs in batches.items():
                        end = consumer.highwater(tp)
                        if end is not None:
                            set_consumer_lag(self._group_id, tp.topic, tp.partition, end - recs[-1].offset - 1)
        finally:
            await consumer.stop()

    async def stored_offsets(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
        rows = await self._pool.fetch(
            "SELECT topic, partition, next_offset FROM projection_offsets WHERE projection = $1",
            self.projection.name)
        wanted = set(partitions)
        found = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        return {tp: off for tp, off in found.items() if tp in wanted}

    async def _process(
        self, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]], dead_letters: DeadLetterPublisher
    ) -> None:
        if self._sealer is not None:  # the data keys of the whole batch in one look-up
            await self._sealer.prepare(sealed_items([(r.headers, r.value) for r in records],
                                                    self.projection.handles))
        items = [await self._decode(record, dead_letters) for record in records]
        dead_lettered: set[int] = set()  # offsets already sent to the dead letters by an earlier attempt
        backoff = self._settings.first_backoff
        for attempt in range(1, self._settings.max_attempts + 1):
            try:
                await self._apply(tp, items, dead_letters, dead_lettered)
                return
            except Exception as exc:
                log.warning("projection batch failed", projection=self.projection.name, attempt=attempt,
                            error=repr(exc))
                await asyncio.sleep(backoff * (1 + random.random() / 2))
                backoff = min(backoff * 2, self._settings.max_backoff)
        # The batch keeps failing: apply event by event so that only the poisoned one goes to the dead letters.
        for item in items:
            await self._apply_alone(tp, item, dead_letters, dead_lettered)

    async def _decode(self, record: ConsumerRecord[bytes, bytes], dead_letters: DeadLetterPublisher) -> _Incoming:
        try:
            envelope = read_envelope(record.headers)
            event = None
            if envelope.event_name in self.projection.handles:
                event = decode_event(envelope, record.value, self._registry, self._sealer)
            return _Incoming(record, envelope.stream_id, envelope.stream_version, event)
        except MessageDecodeError as exc:
            await dead_letters.publish(record, str(exc), "decode")
            self.dead_letters += 1
            return _Incoming(record)

    async def _apply(
        self, tp: TopicPartition, items: Sequence[_Incoming], dead_letters: DeadLetterPublisher,
        dead_lettered: set[int],
    ) -> None:
        stream_ids = list({i.stream_id for i in items if i.stream_id is not None})
        async with self._pool.acquire() as conn, conn.transaction():
            # Joined from the ids rather than `stream_id = ANY($2)`: the generic plan of the latter scans every
            # row of the projection while the table is young, and gets slower with each batch.
            rows = await conn.fetch(
                """SELECT s.stream_id, s.version FROM unnest($2::text[]) AS u(id)
                   JOIN projection_streams s ON s.projection = $1 AND s.stream_id = u.id""",
                self.projection.name, stream_ids)
            last = {r["stream_id"]: r["version"] for r in rows}
            changed: dict[str, int] = {}
            fresh: list[RecordedEvent] = []
            for item in items:
                if item.stream_id is None:
                    continue
                current = last.get(item.stream_id, 0)
                if item.stream_version <= current:
                    continue  # a duplicate: already applied
                if item.stream_version > current + 1:
                    # Sent before the commit so that it is never lost; remembered so a retry does not resend it.
                    if item.record.offset not in dead_lettered:
                        await dead_letters.publish(
                            item.record, f"out of order: stream {item.stream_id} is at version {current}, "
                            f"message has version {item.stream_version}", "ordering")
                        dead_lettered.add(item.record.offset)
                        self.dead_letters += 1
                    continue
                last[item.stream_id] = changed[item.stream_id] = item.stream_version
                if item.event is not None:
                    fresh.append(item.event)
            if fresh:
                await self._apply_traced(conn, fresh)
            await self._record(conn, tp, items[-1].record.offset + 1, changed)
        self.applied += len(fresh)

    async def _apply_traced(self, conn: Connection, events: list[RecordedEvent]) -> None:
        parent = context_from_traceparent(events[0].metadata.traceparent)
        with tracer.start_as_current_span(f"{self.projection.name} apply", context=parent) as span:
            span.set_attribute("messaging.batch.message_count", len(events))
            if tracing_exported():
                # Each event's own trace gets a span here, so a request's trace reaches every consumer of it.
                for event in events[1:]:
                    with tracer.start_span(f"{self.projection.name} process", context=context_from_traceparent(
                            event.metadata.traceparent)) as event_span:
                        event_span.set_attribute("messaging.message.id", str(event.event_id))
            await self.projection.apply(conn, events)

    async def _apply_alone(
        self, tp: TopicPartition, item: _Incoming, dead_letters: DeadLetterPublisher, dead_lettered: set[int]
    ) -> None:
        error: Exception | None = None
        for _ in range(self._settings.max_attempts):
            try:
                await self._apply(tp, [item], dead_letters, dead_lettered)
                return
            except Exception as exc:
                error = exc
                await asyncio.sleep(self._settings.first_backoff)
        await dead_letters.publish(item.record, f"{self.projection.name} failed: {error!r}", type(error).__name__)
        self.dead_letters += 1
        changed = {item.stream_id: item.stream_version} if item.stream_id else {}
        async with self._pool.acquire() as conn, conn.transaction():
            await self._record(conn, tp, item.record.offset + 1, changed)

    async def _record(self, conn: Connection, tp: TopicPartition, next_offset: int,
                      versions: dict[str, int]) -> None:
        name = self.projection.name
        if versions:
            await conn.execute(
                """INSERT INTO projection_streams (projection, stream_id, version)
                   SELECT $1, s, v FROM unnest($2::text[], $3::int[]) AS u(s, v)
                   ON CONFLICT (projection, stream_id) DO UPDATE SET version = EXCLUDED.version""",
                name, list(versions), list(versions.values()))
        await conn.execute(
            """INSERT INTO projection_offsets (projection, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
               ON CONFLICT (projection, topic, partition)
               DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()""",
            name, tp.topic, tp.partition, next_offset)


class _SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, continue from the offsets stored with the read model (or the beginning)."""

    def __init__(self, runner: ProjectionRunner, consumer: AIOKafkaConsumer) -> None:
        self._runner = runner
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        stored = await self._runner.stored_offsets(assigned)
        for tp in assigned:
            if tp in stored:
                self._consumer.seek(tp, stored[tp])
            else:
                await self._consumer.seek_to_beginning(tp)
