"""The outbox relay: publishes committed events to Kafka in commit order, at least once, never reordered."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import asyncpg
import orjson
import structlog
from aiokafka import AIOKafkaProducer

from libs.events.kafka_codec import OutgoingMessage, ce_type, headers_from_stored, metadata_to_headers
from libs.events.metrics import set_outbox_backlog
from libs.events.registry import EventRegistry
from libs.events.tracing import context_from_traceparent, tracer, tracing_exported

log = structlog.get_logger(__name__)

_RELAY_LOCK_KEY = 0x505A5752  # one active relay per database; a second replica waits as a hot standby

_PENDING_SQL = """
    SELECT o.global_position, o.transaction_id::text::bigint AS transaction_id, o.topic, o.message_key, e.event_id,
           e.event_type, e.schema_version, e.stream_type, e.stream_id, e.stream_version, e.occurred_at,
           e.recorded_at, e.payload::text AS payload, e.metadata::text AS metadata
    FROM outbox o JOIN events e ON e.global_position = o.global_position
    WHERE o.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      AND (o.transaction_id, o.global_position) > ($2::text::xid8, $3)
    ORDER BY o.transaction_id, o.global_position
    LIMIT $1"""

ProducerFactory = Callable[[], AIOKafkaProducer]


def reliable_producer(bootstrap_servers: str, **overrides: Any) -> AIOKafkaProducer:
    """A producer that neither loses nor reorders: idempotent, acks from all in-sync replicas."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "max_batch_size": 512 * 1024,
        "request_timeout_ms": 30000,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


class OutboxRelay:
    """Moves rows from the outbox table to Kafka.

    Why this is safe: rows are read in commit-safe order (below the oldest running transaction) and deleted only
    after Kafka acknowledged every message of the batch. A crash before the delete re-sends the whole batch in the
    same order (at least once; consumers drop duplicates by stream version). When any send of a batch fails, the
    producer is replaced and the whole batch is sent again, so a later event of a client never stands alone in
    Kafka in front of an earlier one that was lost.
    """

    def __init__(
        self, pool: asyncpg.Pool, producer_factory: ProducerFactory, registry: EventRegistry, *, source: str,
        batch_size: int = 1000, idle_interval: float = 0.02, max_backoff: float = 5.0,
    ) -> None:
        self._pool = pool
        self._producer_factory = producer_factory
        self._registry = registry
        self._source = source
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._max_backoff = max_backoff
        self._producer: AIOKafkaProducer | None = None
        self._source_bytes = source.encode()
        self._ce_types: dict[str, bytes] = {}
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; only the replica holding the database lock publishes."""
        async with self._pool.acquire() as lock_conn:
            while not stop.is_set():
                if await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK_KEY):
                    break
                await _sleep_or_stop(stop, 1.0)
            else:
                return
            try:
                await self._relay_until(stop)
            finally:
                await self._close_producer()
                await lock_conn.execute("SELECT pg_advisory_unlock($1)", _RELAY_LOCK_KEY)

    async def _relay_until(self, stop: asyncio.Event) -> None:
        backoff = 0.1
        measured = 0.0
        while not stop.is_set():
            try:
                await self.pump()
                backoff = 0.1
                if time.monotonic() - measured > 5:  # the backlog gauge, now and then (a count is not free)
                    set_outbox_backlog(self._source, await self.pending())
                    measured = time.monotonic()
            except Exception as exc:  # Kafka or PostgreSQL unavailable: keep the rows, send them again later
                log.warning("outbox relay failed; retrying from the oldest unacknowledged row", error=repr(exc),
                            backoff=backoff)
                await self._close_producer()
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            await _sleep_or_stop(stop, self._idle_interval)

    async def pump(self, depth: int = 2) -> int:
        """Publish until the outbox is empty, with up to `depth` batches waiting for Kafka's acknowledgement.

        Why pipelining keeps the guarantees: the next batch is read after the previous one by keyset on the
        commit-safe order (see eventstore_001.sql), batches are acknowledged and deleted strictly in order, and
        any failure leaves every unacknowledged row in the table, to be sent again from the oldest one.
        """
        cursor = (0, 0)
        in_flight: deque[tuple[list[int], asyncio.Future[list[Any]]]] = deque()
        published = 0
        try:
            while True:
                rows = await self._pool.fetch(_PENDING_SQL, self._batch_size, str(cursor[0]), cursor[1])
                if rows:
                    in_flight.append(([r["global_position"] for r in rows], await self._send(rows)))
                    cursor = (rows[-1]["transaction_id"], rows[-1]["global_position"])
                if in_flight and (len(in_flight) >= depth or not rows):
                    positions, acks = in_flight.popleft()
                    await acks
                    await self._acknowledge(positions)
                    published += len(positions)
                    self.published += len(positions)
                if not rows and not in_flight:
                    return published
        finally:
            for _, acks in in_flight:
                acks.cancel()

    async def publish_batch(self) -> int:
        """Publish one batch of pending rows and delete them; return how many were published."""
        rows = await self._pool.fetch(_PENDING_SQL, self._batch_size, "0", 0)
        if not rows:
            return 0
        await (await self._send(rows))
        await self._acknowledge([r["global_position"] for r in rows])
        self.published += len(rows)
        return len(rows)

    async def _send(self, rows: list[asyncpg.Record]) -> asyncio.Future[list[Any]]:
        """Hand a batch to the producer in order; the returned future completes when Kafka acknowledged all."""
        producer = await self._ensure_producer()
        with tracer.start_as_current_span("outbox.publish_batch") as span:
            span.set_attribute("messaging.batch.message_count", len(rows))
            futures = []
            per_message_spans = tracing_exported()
            last_raw, metadata, metadata_headers = "", {}, []
            for row in rows:
                raw = row["metadata"]
                if raw != last_raw:  # the events of one append share their metadata: encode it once
                    last_raw, metadata = raw, orjson.loads(raw)
                    metadata_headers = metadata_to_headers(metadata)
                message = self._message(row, metadata_headers)
                if per_message_spans:  # a span per message only when traces leave the process
                    with tracer.start_as_current_span(
                        f"{message.topic} publish", context=context_from_traceparent(metadata.get("traceparent"))
                    ):
                        futures.append(await producer.send(
                            message.topic, message.value, key=message.key, headers=message.headers))
                else:
                    futures.append(await producer.send(
                        message.topic, message.value, key=message.key, headers=message.headers))
        return asyncio.gather(*futures)

    async def _acknowledge(self, positions: list[int]) -> None:
        """Forget rows Kafka has acknowledged (a crash before this line means they are sent again)."""
        await self._pool.execute("DELETE FROM outbox WHERE global_position = ANY($1::bigint[])", positions)

    def _message(self, row: asyncpg.Record, metadata_headers: list[tuple[str, bytes]]) -> OutgoingMessage:
        event_type = row["event_type"]
        ce_type_value = self._ce_types.get(event_type)
        if ce_type_value is None:
            ce_type_value = self._ce_types[event_type] = ce_type(self._registry.context_of(event_type), event_type
                                                                 ).encode()
        headers = headers_from_stored(
            event_id=row["event_id"], ce_type_value=ce_type_value, schema_version=row["schema_version"],
            source=self._source_bytes, stream_type=row["stream_type"], stream_id=row["stream_id"],
            stream_version=row["stream_version"], global_position=row["global_position"],
            occurred_at=row["occurred_at"], recorded_at=row["recorded_at"], metadata_headers=metadata_headers,
        )
        return OutgoingMessage(row["topic"], row["message_key"].encode(), row["payload"].encode(), headers)

    async def pending(self) -> int:
        """Rows waiting to be published (the outbox backlog)."""
        return int(await self._pool.fetchval("SELECT count(*) FROM outbox"))

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            await producer.start()
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await producer.stop()
            except Exception as exc:
                log.warning("closing the Kafka producer failed", error=repr(exc))


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
