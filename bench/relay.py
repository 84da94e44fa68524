"""Outbox relay throughput to Kafka against a raw aiokafka producer sending the same messages.

Each round fills the outbox through the store (warm-up events on a topic of their own first, then N events on a
fresh 4-partition topic), lets the relay publish the warm-up batch (producer start, connections), then times
`OutboxRelay.pump()` (the running relay's loop: batches pipelined) until the outbox is empty. The baseline sends
the same messages (keys, values and headers precomputed from the same rows) with `reliable_producer` to another
fresh topic and waits for every ack.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer

from bench.common import (
    Row,
    Settings,
    checkpoint,
    create_database,
    create_topic,
    drop_database,
    median,
    progress,
)
from bench.data import case_note, metadata, new_event, registry
from libs.events.envelope import Metadata
from libs.events.kafka_codec import encode_headers
from libs.events.outbox import OutboxRelay, reliable_producer
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend

SOURCE = "/pzw/bench"
EVENTS_PER_STREAM = 10
RELAY_BATCH = 1000  # OutboxRelay's default batch size


@dataclass(frozen=True, slots=True)
class Message:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


async def fill_outbox(store: PostgresEventStore, topic: str, events: int, rng: random.Random) -> None:
    """Append `events` events through the store, EVENTS_PER_STREAM per new stream, from 8 concurrent writers."""
    appends = [StreamAppend("case_file", f"case-{uuid.uuid4()}", NO_STREAM,
                            [new_event(case_note(rng)) for _ in range(min(EVENTS_PER_STREAM, events - start))],
                            metadata(), topic)
               for start in range(0, events, EVENTS_PER_STREAM)]
    queue = iter(appends)

    async def writer() -> None:
        for append in queue:
            await store.append(append)

    await asyncio.gather(*(writer() for _ in range(8)))


async def pending_messages(pool: asyncpg.Pool, topic: str) -> list[Message]:
    """The messages the relay will send for the outbox rows of `topic`, encoded the way the relay encodes them."""
    rows = await pool.fetch(
        """SELECT o.global_position, o.message_key, e.event_id, e.event_type, e.schema_version, e.stream_type,
                  e.stream_id, e.stream_version, e.occurred_at, e.recorded_at, e.payload::text AS payload,
                  e.metadata::text AS metadata
           FROM outbox o JOIN events e USING (global_position) WHERE o.topic = $1
           ORDER BY o.transaction_id, o.global_position""", topic)
    return [Message(
        r["message_key"].encode(), r["payload"].encode(),
        encode_headers(event_id=r["event_id"], context=registry.context_of(r["event_type"]),
                       event_type=r["event_type"], schema_version=r["schema_version"], source=SOURCE,
                       stream_type=r["stream_type"], stream_id=r["stream_id"], stream_version=r["stream_version"],
                       global_position=r["global_position"], occurred_at=r["occurred_at"],
                       recorded_at=r["recorded_at"], metadata=Metadata.from_dict(orjson.loads(r["metadata"]))))
        for r in rows]


async def send_all(producer: AIOKafkaProducer, topic: str, messages: list[Message]) -> None:
    """Send every message and wait until Kafka acknowledged all of them."""
    futures = [await producer.send(topic, m.value, key=m.key, headers=m.headers) for m in messages]
    await asyncio.gather(*futures)


async def relay_round(pool: asyncpg.Pool, store: PostgresEventStore, bootstrap: str, events: int,
                      rng: random.Random) -> tuple[float, float]:
    """One round: fill, relay, and the raw producer on the same messages; return both rates (events/s)."""
    warm_topic = await create_topic(bootstrap, "bench.relay.warm")
    relay_topic = await create_topic(bootstrap, "bench.relay")
    raw_topic = await create_topic(bootstrap, "bench.raw")
    await fill_outbox(store, warm_topic, RELAY_BATCH, rng)
    await fill_outbox(store, relay_topic, events, rng)
    messages = await pending_messages(pool, relay_topic)
    warm_messages = await pending_messages(pool, warm_topic)

    producers: list[AIOKafkaProducer] = []

    def factory() -> AIOKafkaProducer:
        producers.append(reliable_producer(bootstrap))
        return producers[-1]

    relay = OutboxRelay(pool, factory, registry, source=SOURCE, batch_size=RELAY_BATCH)
    try:
        if await relay.publish_batch() != RELAY_BATCH:  # the warm-up batch: starts the producer
            raise RuntimeError("the warm-up batch was not published as one batch")
        started = time.perf_counter()
        await relay.pump()  # what the running relay does: batches pipelined until the outbox is empty
        relay_elapsed = time.perf_counter() - started
    finally:
        for producer in producers:
            await producer.stop()
    if relay.published != events + RELAY_BATCH:
        raise RuntimeError(f"relay published {relay.published}, expected {events + RELAY_BATCH}")

    producer = reliable_producer(bootstrap)
    await producer.start()
    try:
        await send_all(producer, warm_topic, warm_messages)
        started = time.perf_counter()
        await send_all(producer, raw_topic, messages)
        raw_elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    return events / relay_elapsed, len(messages) / raw_elapsed


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    """Relay throughput (median of rounds) with the raw producer as baseline."""
    events = settings.scaled(20_000, 2_000)
    dsn = await create_database(admin_dsn, "bench_relay")
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    relay_rates: list[float] = []
    raw_rates: list[float] = []
    try:
        store = PostgresEventStore(pool, registry)
        await store.migrate()
        rng = random.Random(4)
        await relay_round(pool, store, bootstrap, settings.scaled(5_000, 1_000), rng)  # warm-up round
        for _ in range(settings.rounds):
            await checkpoint(admin_dsn)
            relay_rate, raw_rate = await relay_round(pool, store, bootstrap, events, rng)
            relay_rates.append(relay_rate)
            raw_rates.append(raw_rate)
            progress(f"relay round: relay {relay_rate:,.0f}/s, raw producer {raw_rate:,.0f}/s")
    finally:
        await pool.close()
        await drop_database(admin_dsn, dsn)
    relay, raw = median(relay_rates), median(raw_rates)
    return [Row("outbox relay to Kafka (4 partitions)", relay, raw, "events/s", "raw aiokafka producer", ">= 0.5x",
                relay >= 0.5 * raw, relay_rates, raw_rates,
                {"events_per_round": events, "relay_batch_size": RELAY_BATCH,
                 "producer": "reliable_producer (idempotent, acks=all, linger 5 ms)"})]
