"""Publishes the regional feed's outbox to pzw.regional.<voivodeship>.v1: at least once, in commit order.

Why not the event store's outbox relay: the relay stamps `ce_recordedat` with the moment the row was written and
Kafka's record timestamp with the moment it was sent, both of which date a fact to the second. Feed items say no
more than the month, so this publisher sets both to the first day of the item's month. Otherwise it works like
the relay (docs/decisions/0002-outbox-relay.md): commit-safe order, one active publisher per database, rows deleted
only after Kafka acknowledged the whole batch, the whole batch sent again after any failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
import orjson
import structlog
from aiokafka import AIOKafkaProducer

from libs.events.ids import derived_id
from libs.events.kafka_codec import ce_type, headers_from_stored, metadata_to_headers
from libs.events.outbox import reliable_producer
from services.reporting.regional.deidentify import month_start, topic_of

log = structlog.get_logger(__name__)

_LOCK_KEY = 0x505A5752_01  # one active publisher per database (other replicas wait)
_ACTOR = orjson.loads(b'{"user": "system:regional-feed", "institution": "platform", "role": "system"}')

_PENDING_SQL = """
    SELECT o.seq, f.item_id, f.region, f.month, f.item_type, f.schema_version, f.stream_id, f.stream_version,
           f.partition_key, f.payload::text AS payload
    FROM regional_outbox o JOIN regional_feed f ON f.seq = o.seq
    WHERE o.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY o.transaction_id, o.seq
    LIMIT $1"""


class RegionalPublisher:
    """Moves rows of `regional_outbox` to the regional topics."""

    def __init__(self, pool: asyncpg.Pool, producer_factory: Callable[[], AIOKafkaProducer], *, source: str,
                 batch_size: int = 1000, idle_interval: float = 0.05, max_backoff: float = 5.0) -> None:
        self._pool = pool
        self._producer_factory = producer_factory
        self._source = source.encode()
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._max_backoff = max_backoff
        self._producer: AIOKafkaProducer | None = None
        self.published = 0

    @classmethod
    def for_kafka(cls, pool: asyncpg.Pool, bootstrap: str, source: str) -> RegionalPublisher:
        return cls(pool, lambda: reliable_producer(bootstrap), source=source)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; only the replica holding the lock publishes."""
        async with self._pool.acquire() as lock_conn:
            while not stop.is_set():
                if await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
                    break
                await _sleep_or_stop(stop, 1.0)
            else:
                return
            try:
                backoff = 0.1
                while not stop.is_set():
                    try:
                        sent = await self.publish_batch()
                        backoff = 0.1
                    except Exception as exc:  # Kafka or PostgreSQL away: keep the rows, send them again later
                        log.warning("regional publisher failed; retrying", error=repr(exc), backoff=backoff)
                        await self._close()
                        await _sleep_or_stop(stop, backoff)
                        backoff = min(backoff * 2, self._max_backoff)
                        continue
                    if not sent:
                        await _sleep_or_stop(stop, self._idle_interval)
            finally:
                await self._close()
                await lock_conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)

    async def publish_batch(self) -> int:
        """Send one batch of pending items, wait for every acknowledgement, then delete the rows."""
        rows = await self._pool.fetch(_PENDING_SQL, self._batch_size)
        if not rows:
            return 0
        producer = await self._ensure()
        futures = []
        for row in rows:
            topic, key, value, headers, timestamp_ms = self.message(row)
            futures.append(await producer.send(topic, value, key=key, headers=headers, timestamp_ms=timestamp_ms))
        await asyncio.gather(*futures)
        await self._pool.execute("DELETE FROM regional_outbox WHERE seq = ANY($1::bigint[])", [r["seq"] for r in rows])
        self.published += len(rows)
        return len(rows)

    async def drain(self) -> int:
        """Publish until nothing is pending, then close the producer (tests, tools)."""
        total = 0
        try:
            while sent := await self.publish_batch():
                total += sent
        finally:
            await self._close()
        return total

    def message(self, row: Any) -> tuple[str, bytes, bytes, list[tuple[str, bytes]], int]:
        """Topic, key, value, headers and timestamp of an item: the platform's CloudEvents binary mode."""
        month = month_start(row["month"])
        metadata = {"actor": _ACTOR, "correlation_id": derived_id("regional-correlation", row["item_id"]),
                    "partition_key": row["partition_key"]}
        headers = headers_from_stored(
            event_id=row["item_id"], ce_type_value=ce_type("regional", row["item_type"]).encode(),
            schema_version=row["schema_version"], source=self._source, stream_type="regional-subject",
            stream_id=row["stream_id"], stream_version=row["stream_version"], global_position=row["seq"],
            occurred_at=month, recorded_at=month, metadata_headers=metadata_to_headers(metadata))
        return (topic_of(row["region"]), row["partition_key"].encode(), row["payload"].encode(), headers,
                int(month.timestamp() * 1000))

    async def pending(self) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM regional_outbox"))

    async def _ensure(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            await producer.start()
            self._producer = producer
        return self._producer

    async def _close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            with contextlib.suppress(Exception):
                await producer.stop()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
