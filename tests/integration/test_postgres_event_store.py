"""The PostgreSQL event store against a real server: concurrency, reading, and gap-free read-all."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest

from libs.events.errors import ConcurrencyError, StreamNotFound
from libs.events.store import ANY_VERSION, NO_STREAM, START, PostgresEventStore, StreamAppend
from tests.sample_events import CounterIncremented, CounterOpened, metadata, new, registry

pytestmark = pytest.mark.infra


@pytest.fixture
async def store(pool: asyncpg.Pool) -> PostgresEventStore:
    event_store = PostgresEventStore(pool, registry)
    await event_store.migrate()
    return event_store


def opened(stream: str, expected: int = NO_STREAM, topic: str | None = None) -> StreamAppend:
    return StreamAppend("counter", stream, expected, [new(CounterOpened(name=stream))], metadata(), topic)


def incremented(stream: str, expected: int, n: int = 1) -> StreamAppend:
    events = [new(CounterIncremented(by=i, reason="test")) for i in range(n)]
    return StreamAppend("counter", stream, expected, events, metadata())


async def test_append_then_read_stream_in_order(store: PostgresEventStore) -> None:
    await store.append(opened("s1"))
    recorded = await store.append(incremented("s1", 1, n=3))
    assert [e.stream_version for e in recorded] == [2, 3, 4]
    events = await store.read_stream("s1")
    assert [e.event_type for e in events] == ["CounterOpened"] + ["CounterIncremented"] * 3
    assert [e.stream_version for e in events] == [1, 2, 3, 4]
    assert [e.payload for e in events[1:]] == [CounterIncremented(by=i, reason="test") for i in range(3)]
    assert events[0].recorded_at >= events[0].occurred_at or events[0].recorded_at is not None


async def test_wrong_expected_version_raises_with_the_current_version(store: PostgresEventStore) -> None:
    await store.append(opened("s2"))
    await store.append(incremented("s2", 1))
    with pytest.raises(ConcurrencyError) as err:
        await store.append(incremented("s2", 1))
    assert err.value.actual == 2
    assert err.value.expected == 1
    with pytest.raises(ConcurrencyError):
        await store.append(opened("s2"))  # the stream exists already
    with pytest.raises(ConcurrencyError) as ahead:
        await store.append(incremented("s2", 7))  # expecting a version the stream has not reached
    assert ahead.value.actual == 2
    assert await store.stream_version("s2") == 2


async def test_any_version_appends_without_check(store: PostgresEventStore) -> None:
    await store.append(incremented("s3", ANY_VERSION))
    recorded = await store.append(incremented("s3", ANY_VERSION, n=2))
    assert [e.stream_version for e in recorded] == [2, 3]


async def test_two_writers_one_wins_the_other_gets_concurrency_error(store: PostgresEventStore) -> None:
    await store.append(opened("race"))
    results = await asyncio.gather(
        *(store.append(incremented("race", 1)) for _ in range(8)), return_exceptions=True)
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, BaseException))
    assert await store.stream_version("race") == 2


async def test_unknown_stream_raises_not_found(store: PostgresEventStore) -> None:
    with pytest.raises(StreamNotFound):
        await store.read_stream("nobody")


async def test_batch_append_to_several_streams_is_atomic(store: PostgresEventStore) -> None:
    await store.append(opened("a"))
    with pytest.raises(ConcurrencyError):
        await store.append_many([opened("b"), incremented("a", 5)])
    with pytest.raises(StreamNotFound):
        await store.read_stream("b")  # rolled back with the failing append
    recorded = await store.append_many([opened("b"), incremented("a", 1, n=2)])
    assert [(e.stream_id, e.stream_version) for e in recorded] == [("b", 1), ("a", 2), ("a", 3)]


async def test_old_schema_versions_are_upcast_on_read(store: PostgresEventStore, pool: asyncpg.Pool) -> None:
    await store.append(opened("legacy"))
    await pool.execute(
        """INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version,
                               payload, metadata, occurred_at)
           SELECT gen_random_uuid(), stream_id, stream_type, 2, 'CounterIncremented', 1, '{"by": 5}', metadata,
                  occurred_at FROM events WHERE stream_id = 'legacy'""")
    events = await store.read_stream("legacy")
    assert events[1].payload == CounterIncremented(by=5, reason="unknown")
    assert events[1].schema_version == 1


async def test_read_as_of_a_date_returns_only_earlier_events(store: PostgresEventStore) -> None:
    first = await store.append(opened("timeline"))
    await store.append(incremented("timeline", 1))
    events = await store.read_stream("timeline", until=first[0].occurred_at)
    assert [e.stream_version for e in events] == [1]


async def test_read_all_does_not_skip_an_event_whose_transaction_commits_late(
    store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    # T1 takes a lower position but commits after T2: a reader ordering by position alone would pass it by.
    slow = await pool.acquire()
    try:
        tx = slow.transaction()
        await tx.start()
        await store.append(opened("late"), conn=slow)
        await store.append(opened("early"))
        seen = [e.stream_id for _, e in await store.read_all(START)]
        assert seen == []  # nothing is safe to hand out while an older transaction may still commit
        await tx.commit()
    finally:
        await pool.release(slow)
    seen = [e.stream_id for _, e in await store.read_all(START)]
    assert seen == ["late", "early"]


async def test_read_all_with_concurrent_writers_sees_every_event_exactly_once(store: PostgresEventStore,
                                                                              pool: asyncpg.Pool) -> None:
    writers, per_writer = 12, 25
    done = asyncio.Event()

    async def writer(w: int) -> None:
        for i in range(per_writer):
            async with pool.acquire() as conn, conn.transaction():
                await store.append(opened(f"w{w}-{i}"), conn=conn)
                await asyncio.sleep(random.random() * 0.01)  # commit at a random later moment

    async def reader() -> list[str]:
        seen: list[str] = []
        checkpoint = START
        while True:
            finished = done.is_set()
            page = await store.read_all(checkpoint, limit=50)
            seen.extend(event.stream_id for _, event in page)
            if page:
                checkpoint = page[-1][0]
            if finished and not page:
                return seen
            await asyncio.sleep(0.001)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(w) for w in range(writers)))
    done.set()
    seen = await reading
    expected = {f"w{w}-{i}" for w in range(writers) for i in range(per_writer)}
    assert len(seen) == len(expected)
    assert set(seen) == expected
