"""The projection runner on real Kafka and PostgreSQL: exactly-once effect, dead letters, rebuild by replay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import ClassVar

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.ids import new_event_id
from libs.events.infra import Infrastructure
from libs.events.kafka_admin import TopicSpec, ensure_topics
from libs.events.kafka_codec import encode_headers
from libs.events.migrations import Migration
from libs.events.projection import Projection, ProjectionRunner, RunnerSettings
from libs.events.registry import EventPayload, EventRegistry
from tests.sample_events import CounterIncremented, CounterIncrementedV1, CounterOpened, metadata, registry
from tests.support.kafka import headers_of, read_topic
from tests.support.services import eventually

pytestmark = pytest.mark.infra


class Totals(Projection):
    """Sums increments per counter; an increment of 13 is the poison pill this test feeds it."""

    name: ClassVar[str] = "totals"
    topics: ClassVar[tuple[str, ...]] = ()
    handles: ClassVar[frozenset[str]] = frozenset({"CounterOpened", "CounterIncremented"})
    migrations: ClassVar[Sequence[Migration]] = [Migration(
        "totals_001",
        "CREATE TABLE totals (counter text PRIMARY KEY, total integer NOT NULL, events integer NOT NULL)")]

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            if isinstance(event.payload, CounterIncremented) and event.payload.by == 13:
                raise ValueError("unlucky number")
            by = event.payload.by if isinstance(event.payload, CounterIncremented) else 0
            await conn.execute(
                """INSERT INTO totals VALUES ($1, $2, 1)
                   ON CONFLICT (counter) DO UPDATE SET total = totals.total + $2, events = totals.events + 1""",
                event.stream_id, by)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE totals")


def totals_on(topic: str) -> Totals:
    projection = Totals()
    projection.topics = (topic,)  # type: ignore[misc]
    return projection


class Feed:
    """Writes messages to a topic the way the outbox relay does (or deliberately not)."""

    def __init__(self, producer: AIOKafkaProducer, topic: str, events: EventRegistry = registry) -> None:
        self.producer, self.topic, self.registry = producer, topic, events
        self.position = 0

    async def send(self, stream: str, version: int, payload: EventPayload) -> None:
        self.position += 1
        kind = self.registry.type_of(payload)
        now = datetime.now(UTC)
        headers = encode_headers(
            event_id=new_event_id(), context=kind.context, event_type=kind.name, schema_version=kind.version,
            source="/pzw/test", stream_type="counter", stream_id=stream, stream_version=version,
            global_position=self.position, occurred_at=now, recorded_at=now, metadata=metadata(stream))
        await self.producer.send_and_wait(self.topic, self.registry.to_json(payload), key=stream.encode(),
                                          headers=headers)

    async def raw(self, value: bytes, headers: list[tuple[str, bytes]], key: bytes = b"x") -> None:
        await self.producer.send_and_wait(self.topic, value, key=key, headers=headers)


@pytest.fixture
async def feed(infra: Infrastructure, topic_name: str) -> AsyncIterator[Feed]:
    await ensure_topics(infra.kafka_bootstrap, [TopicSpec(topic_name, 2), TopicSpec(f"{topic_name}.dlq", 1)])
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        yield Feed(producer, topic_name)
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def running(runner: ProjectionRunner) -> AsyncIterator[None]:
    stop = asyncio.Event()
    await runner.setup()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def runner_for(pool: asyncpg.Pool, infra: Infrastructure, topic: str, group: str = "g1") -> ProjectionRunner:
    return ProjectionRunner(pool, infra.kafka_bootstrap, totals_on(topic), registry, group_id=f"{topic}.{group}",
                            settings=RunnerSettings(max_attempts=2, first_backoff=0.01))


async def totals(pool: asyncpg.Pool) -> dict[str, tuple[int, int]]:
    return {r["counter"]: (r["total"], r["events"]) for r in await pool.fetch("SELECT * FROM totals")}


async def test_redelivered_and_resent_events_change_nothing(
    pool: asyncpg.Pool, infra: Infrastructure, feed: Feed, topic_name: str
) -> None:
    await feed.send("a", 1, CounterOpened(name="a"))
    await feed.send("a", 2, CounterIncremented(by=5, reason="x"))
    await feed.send("a", 2, CounterIncremented(by=5, reason="x"))  # the relay re-sent it after a crash
    await feed.send("b", 1, CounterOpened(name="b"))
    runner = runner_for(pool, infra, topic_name)
    async with running(runner):
        await eventually(lambda: _equals(pool, {"a": (5, 2), "b": (0, 1)}))
    # A new consumer group starts where the read model says, not where Kafka's group offsets say.
    await feed.send("a", 3, CounterIncrementedV1(by=1))  # an old schema version: upcast on read
    async with running(runner_for(pool, infra, topic_name, group="g2")):
        await eventually(lambda: _equals(pool, {"a": (6, 3), "b": (0, 1)}))
    # Forget the stored offsets (as if PostgreSQL lost track of Kafka): every event is delivered again.
    await pool.execute("DELETE FROM projection_offsets")
    async with running(runner_for(pool, infra, topic_name, group="g3")):
        await eventually(lambda: _offsets_at_end(pool, 5))
    assert await totals(pool) == {"a": (6, 3), "b": (0, 1)}


async def test_undecodable_and_poisoned_messages_go_to_the_dead_letter_topic_and_the_rest_flows(
    pool: asyncpg.Pool, infra: Infrastructure, feed: Feed, topic_name: str
) -> None:
    await feed.send("c", 1, CounterOpened(name="c"))
    await feed.raw(b"not json at all", headers=[])
    await feed.raw(b"{}", headers=[("ce_specversion", b"1.0"), ("ce_type", b"pl.pzw.test.CounterOpened"),
                                   ("ce_subject", b"c"), ("ce_streamversion", b"2"), ("ce_schemaversion", b"1")],
                   key=b"c")
    await feed.send("c", 2, CounterIncremented(by=13, reason="poison"))
    await feed.send("c", 3, CounterIncremented(by=2, reason="fine"))
    await feed.send("c", 5, CounterIncremented(by=100, reason="version 4 never came"))
    await feed.send("d", 1, CounterOpened(name="d"))
    runner = runner_for(pool, infra, topic_name)
    async with running(runner):
        await eventually(lambda: _equals(pool, {"c": (2, 2), "d": (0, 1)}))
    dead = await read_topic(infra.kafka_bootstrap, f"{topic_name}.dlq", expected=4)
    reasons = sorted(headers_of(r)["dlq_error_type"].decode() for r in dead)
    assert reasons == ["ValueError", "decode", "decode", "ordering"]
    poisoned = next(r for r in dead if headers_of(r)["dlq_error_type"] == b"ValueError")
    assert b"unlucky number" in headers_of(poisoned)["dlq_reason"]
    assert headers_of(poisoned)["dlq_original_topic"].decode() == topic_name
    assert poisoned.value == registry.to_json(CounterIncremented(by=13, reason="poison"))


async def test_rebuild_replays_the_topic_into_the_same_read_model(
    pool: asyncpg.Pool, infra: Infrastructure, feed: Feed, topic_name: str
) -> None:
    for stream in ("e", "f"):
        await feed.send(stream, 1, CounterOpened(name=stream))
        for version in range(2, 12):
            await feed.send(stream, version, CounterIncremented(by=version, reason="r"))
    runner = runner_for(pool, infra, topic_name)
    async with running(runner):
        await eventually(lambda: _equals(pool, {"e": (65, 11), "f": (65, 11)}))
        before = await totals(pool)
        await pool.execute("UPDATE totals SET total = -1")  # the read model got corrupted somehow
        await runner.rebuild()
        await eventually(lambda: _equals(pool, before))


async def _equals(pool: asyncpg.Pool, expected: dict[str, tuple[int, int]]) -> bool:
    return await totals(pool) == expected


async def _offsets_at_end(pool: asyncpg.Pool, count: int) -> bool:
    return await pool.fetchval("SELECT coalesce(sum(next_offset), 0) FROM projection_offsets") == count
