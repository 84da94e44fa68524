"""Projection catch-up throughput: ClientRegistered events from Kafka into the reporting read model.

N events (one new client stream each, stream version 1, realistic Polish data) are produced once to a fresh
4-partition topic in the relay's wire format. Each round runs a ProjectionRunner with the reporting service's
ClientDirectory from offset zero against a fresh database and times from the runner's start (consumer start and
group join included) until it has applied all N; rm_client must then hold N rows. The baseline is a bare aiokafka
consumer reading the same topic with a fresh group, timed the same way, without decoding or applying.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from typing import ClassVar

import asyncpg
from aiokafka import AIOKafkaConsumer

from bench.common import (
    Row,
    Settings,
    checkpoint,
    create_database,
    create_topic,
    drop_database,
    median,
    progress,
    unique,
)
from bench.data import ACTOR, client_registered
from libs.events.envelope import Metadata
from libs.events.ids import new_id
from libs.events.kafka_codec import encode_headers
from libs.events.outbox import reliable_producer
from libs.events.projection import ProjectionRunner
from libs.events.schemas import registry
from services.reporting.projections.client_directory import ClientDirectory

TARGET = 10_000.0  # events/s
ROUND_LIMIT = 60.0  # seconds; a slower round stops there and reports the rate of what it applied


async def produce_clients(bootstrap: str, topic: str, count: int, seed: int) -> None:
    """Produce `count` ClientRegistered events as the clients service's relay would."""
    rng = random.Random(seed)
    producer = reliable_producer(bootstrap)
    await producer.start()
    try:
        futures = []
        for index in range(count):
            payload = client_registered(seed * 10_000_000 + index, rng)
            now = datetime.now(UTC)
            client = str(payload.client_id)
            meta = Metadata(actor=ACTOR, correlation_id=new_id(), partition_key=client)
            headers = encode_headers(
                event_id=new_id(), context="clients", event_type="ClientRegistered", schema_version=1,
                source="/pzw/clients", stream_type="client", stream_id=client, stream_version=1,
                global_position=index + 1, occurred_at=now, recorded_at=now, metadata=meta)
            futures.append(await producer.send(topic, registry.to_json(payload), key=client.encode(),
                                               headers=headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def project(admin_dsn: str, bootstrap: str, topic: str, count: int) -> tuple[int, float, float]:
    """Run ClientDirectory over `topic` from zero into a fresh database.

    Returns (events applied, seconds, seconds after the first applied batch); stops early after ROUND_LIMIT.
    """

    class BenchDirectory(ClientDirectory):
        topics: ClassVar[tuple[str, ...]] = (topic,)

    dsn = await create_database(admin_dsn, "bench_projection")
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    try:
        runner = ProjectionRunner(pool, bootstrap, BenchDirectory(), registry, group_id=unique("bench.projection"))
        await runner.setup()
        stop = asyncio.Event()
        started = time.perf_counter()
        first: float | None = None
        task = asyncio.create_task(runner.run(stop))
        try:
            while runner.applied < count and time.perf_counter() - started < ROUND_LIMIT:
                if task.done():
                    task.result()
                    raise RuntimeError("the projection runner stopped early")
                if first is None and runner.applied:
                    first = time.perf_counter()
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - started
        finally:
            stop.set()
            await task
        applied = runner.applied
        stored = await pool.fetchval("SELECT count(*) FROM rm_client")
        consumed = await pool.fetchval("SELECT coalesce(sum(next_offset), 0) FROM projection_offsets")
        if stored != applied or runner.dead_letters or (applied == count and consumed != count):
            raise RuntimeError(f"rm_client has {stored} rows, {applied} applied, offsets at {consumed}, "
                               f"{runner.dead_letters} dead letters")
        return applied, elapsed, elapsed - ((first or started) - started)
    finally:
        await pool.close()
        await drop_database(admin_dsn, dsn)


async def consume(bootstrap: str, topic: str, count: int) -> tuple[float, float]:
    """Read `count` messages of `topic` with a fresh consumer group; return (seconds, seconds after first)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=unique("bench.consume"),
                                enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=2000)
    started = time.perf_counter()
    first: float | None = None
    await consumer.start()
    try:
        seen = 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=100, max_records=2000)
            if batches and first is None:
                first = time.perf_counter()
            seen += sum(len(records) for records in batches.values())
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
    return elapsed, elapsed - ((first or started) - started)


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    """Catch-up rate of the projection (median of rounds) with the raw consume rate as baseline."""
    count = settings.scaled(50_000, 5_000)
    warm_count = settings.scaled(5_000, 1_000)
    warm_topic = await create_topic(bootstrap, "bench.clients.warm")
    topic = await create_topic(bootstrap, "bench.clients")
    started = time.perf_counter()
    await produce_clients(bootstrap, warm_topic, warm_count, seed=1)
    await produce_clients(bootstrap, topic, count, seed=2)
    progress(f"projection: produced {count + warm_count:,} events in {time.perf_counter() - started:.1f}s")
    await consume(bootstrap, warm_topic, warm_count)
    await project(admin_dsn, bootstrap, warm_topic, warm_count)
    applied_counts: list[int] = []
    rates: list[float] = []
    raw_rates: list[float] = []
    steady: list[float] = []
    raw_steady: list[float] = []
    for _ in range(settings.rounds):
        await checkpoint(admin_dsn)
        applied, elapsed, after_first = await project(admin_dsn, bootstrap, topic, count)
        raw_elapsed, raw_after_first = await consume(bootstrap, topic, count)
        applied_counts.append(applied)
        rates.append(applied / elapsed)
        raw_rates.append(count / raw_elapsed)
        steady.append(applied / after_first)
        raw_steady.append(count / raw_after_first)
        progress(f"projection round: {rates[-1]:,.0f}/s (raw consume {raw_rates[-1]:,.0f}/s)")
    figure, baseline = median(rates), median(raw_rates)
    return [Row("projection catch-up, ClientDirectory (Kafka -> PostgreSQL)", figure, baseline, "events/s",
                "raw aiokafka consume (no apply)", f">= {TARGET:,.0f} events/s", figure >= TARGET, rates, raw_rates,
                {"events": count, "applied": applied_counts, "round_limit_s": ROUND_LIMIT, "partitions": 4,
                 "includes": "consumer start and group join",
                 "rate_after_first_batch": median(steady), "raw_rate_after_first_batch": median(raw_steady)})]
