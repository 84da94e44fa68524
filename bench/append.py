"""Append throughput of PostgresEventStore against raw asyncpg INSERTs and the `eventsourcing` library.

Each measurement writes the same number of events, to distinct new streams (expected version NO_STREAM, topic set
so that the outbox row is written too), with 1, 8 and 32 concurrent writers, one event per append or 100 per
append. The three systems write to three databases of one server and take turns within every round.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any, Protocol

import asyncpg
import orjson

from bench import es_model
from bench.common import Row, Settings, checkpoint, create_database, drop_database, median, progress
from bench.data import case_note, metadata, new_event, registry
from libs.events.store import MIGRATIONS, NO_STREAM, PostgresEventStore, StreamAppend

TOPIC = "bench.append.v1"
STREAM_TYPE = "case_file"
SYSTEMS = ("store", "raw", "eventsourcing")

_RAW_COLUMNS = "event_id, stream_id, stream_type, stream_version, event_type, schema_version, payload, metadata, " \
               "occurred_at"
_RAW_SINGLE = f"INSERT INTO events ({_RAW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)"
_RAW_BATCH = f"""INSERT INTO events ({_RAW_COLUMNS})
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int2[],
                         $7::text[]::jsonb[], $8::text[]::jsonb[], $9::timestamptz[])"""


@dataclass(frozen=True)
class Config:
    """One shape of load: concurrent writers and events per append."""

    writers: int
    batch: int

    @property
    def label(self) -> str:
        return f"{self.writers} writer{'s' if self.writers > 1 else ''}, " + \
            ("1 event/append" if self.batch == 1 else f"{self.batch} events/append")


def raw_events_ddl() -> str:
    """The `events` table and its indexes exactly as eventstore_001.sql declares them (no function, no outbox)."""
    sql = MIGRATIONS[0].sql
    table = re.search(r"CREATE TABLE IF NOT EXISTS events \(.*?\n\);", sql, re.DOTALL)
    if table is None:
        raise RuntimeError("CREATE TABLE events not found in eventstore_001.sql")
    indexes = re.findall(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS \w+ ON events [^;]*;", sql)
    return "\n".join([table.group(0), *indexes])


async def _run_workers(writers: int, jobs: Sequence[Any], work: Callable[[Any], Awaitable[Any]]) -> float:
    """Run `work` over `jobs` with `writers` concurrent tasks; return the elapsed seconds."""
    queue: Iterator[Any] = iter(jobs)

    async def worker() -> None:
        for job in queue:  # one event loop: tasks share the iterator safely
            await work(job)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(writers)))
    return time.perf_counter() - started


class StoreSystem:
    """PostgresEventStore.append, one StreamAppend per job."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.rng = random.Random(1)
        self.pool: asyncpg.Pool | None = None
        self.store: PostgresEventStore | None = None

    async def open(self, writers: int) -> None:
        self.pool = await asyncpg.create_pool(self.dsn, min_size=writers, max_size=writers)
        self.store = PostgresEventStore(self.pool, registry)
        await self.store.migrate()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    def prepare(self, appends: int, batch: int) -> list[StreamAppend]:
        return [StreamAppend(STREAM_TYPE, f"case-{uuid.uuid4()}", NO_STREAM,
                             [new_event(case_note(self.rng)) for _ in range(batch)], metadata(), TOPIC)
                for _ in range(appends)]

    async def measure(self, writers: int, jobs: Sequence[Any]) -> float:
        assert self.store is not None
        return await _run_workers(writers, jobs, self.store.append)


class RawSystem:
    """asyncpg INSERT of the same rows into a table like `events`; a batch is one INSERT ... SELECT FROM unnest."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.rng = random.Random(2)
        self.pool: asyncpg.Pool | None = None

    async def open(self, writers: int) -> None:
        self.pool = await asyncpg.create_pool(self.dsn, min_size=writers, max_size=writers)
        await self.pool.execute(raw_events_ddl())

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    def prepare(self, appends: int, batch: int) -> list[list[tuple[Any, ...]]]:
        jobs = []
        for _ in range(appends):
            stream, meta = f"case-{uuid.uuid4()}", orjson.dumps(metadata().to_dict()).decode()
            jobs.append([(uuid.uuid4(), stream, STREAM_TYPE, n + 1, "CaseNoteRecorded", 1,
                          registry.to_json(case_note(self.rng)).decode(), meta, datetime.now(UTC))
                         for n in range(batch)])
        return jobs

    async def measure(self, writers: int, jobs: Sequence[Any]) -> float:
        pool = self.pool
        assert pool is not None

        async def insert(rows: list[tuple[Any, ...]]) -> None:
            async with pool.acquire() as conn:
                if len(rows) == 1:
                    await conn.execute(_RAW_SINGLE, *rows[0])
                else:
                    await conn.execute(_RAW_BATCH, *(list(column) for column in zip(*rows, strict=True)))

        return await _run_workers(writers, jobs, insert)


class EventsourcingSystem:
    """The `eventsourcing` library (PostgreSQL persistence, psycopg): one aggregate per job, saved from threads."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.rng = random.Random(3)
        self.app: es_model.CaseFiles | None = None

    async def open(self, writers: int) -> None:
        self.app = await asyncio.to_thread(es_model.open_application, self.dsn, writers)

    async def close(self) -> None:
        if self.app is not None:
            await asyncio.to_thread(self.app.close)
            self.app = None

    def prepare(self, appends: int, batch: int) -> list[Any]:
        aggregates = []
        for _ in range(appends):
            aggregate = es_model.CaseFile(note=case_note(self.rng).model_dump(mode="json"))
            for _ in range(batch - 1):
                aggregate.record(note=case_note(self.rng).model_dump(mode="json"))
            aggregates.append(aggregate)
        return aggregates

    async def measure(self, writers: int, jobs: Sequence[Any]) -> float:
        return await asyncio.to_thread(self._measure, writers, jobs)

    def _measure(self, writers: int, jobs: Sequence[Any]) -> float:
        assert self.app is not None
        with ThreadPoolExecutor(max_workers=writers) as executor:
            list(executor.map(lambda _: None, range(writers)))  # threads exist before the clock starts
            started = time.perf_counter()
            for _ in executor.map(self.app.save, jobs):
                pass
            return time.perf_counter() - started


class System(Protocol):
    """One way of storing events: open for a number of writers, prepare jobs off the clock, measure them."""

    async def open(self, writers: int) -> None: ...

    async def close(self) -> None: ...

    def prepare(self, appends: int, batch: int) -> Sequence[Any]: ...

    async def measure(self, writers: int, jobs: Sequence[Any]) -> float: ...


def configs() -> list[Config]:
    """1, 8 and 32 writers, with one event per append and then with 100."""
    return [Config(w, b) for b in (1, 100) for w in (1, 8, 32)]


def events_per_round(config: Config, settings: Settings) -> int:
    """Events written per measurement: enough for ~1 s at the store's speed, the same for every system."""
    if config.batch == 1:
        return settings.scaled({1: 1500, 8: 3000, 32: 3000}[config.writers], 300)
    return settings.scaled({1: 15_000, 8: 20_000, 32: 32_000}[config.writers], 3_200)


async def run(admin_dsn: str, settings: Settings) -> list[Row]:
    """Measure every configuration for every system; one row per configuration and baseline."""
    dsns = {name: await create_database(admin_dsn, f"bench_append_{name}") for name in SYSTEMS}
    rows: list[Row] = []
    try:
        for config in configs():
            await checkpoint(admin_dsn)
            rows.extend(await _run_config(config, dsns, settings))
    finally:
        for dsn in dsns.values():
            await drop_database(admin_dsn, dsn)
    return rows


async def _run_config(config: Config, dsns: dict[str, str], settings: Settings) -> list[Row]:
    systems: dict[str, System] = {
        "store": StoreSystem(dsns["store"]), "raw": RawSystem(dsns["raw"]),
        "eventsourcing": EventsourcingSystem(dsns["eventsourcing"]),
    }
    total = events_per_round(config, settings)
    appends = total // config.batch
    rates: dict[str, list[float]] = {name: [] for name in SYSTEMS}
    try:
        for system in systems.values():
            await system.open(config.writers)
            warm = system.prepare(max(config.writers * 2, appends // 5), config.batch)
            await system.measure(config.writers, warm)  # warm-up: connections, prepared statements, caches
        order = itertools.cycle([list(SYSTEMS), list(reversed(SYSTEMS))])
        for _, names in zip(range(settings.rounds), order, strict=False):
            for name in names:
                jobs = systems[name].prepare(appends, config.batch)
                elapsed = await systems[name].measure(config.writers, jobs)
                rates[name].append(appends * config.batch / elapsed)
    finally:
        for system in systems.values():
            await system.close()
    store, raw, es = (median(rates[n]) for n in SYSTEMS)
    progress(f"append {config.label}: store {store:,.0f}/s, raw {raw:,.0f}/s, eventsourcing {es:,.0f}/s")
    library = f"eventsourcing {version('eventsourcing')} (PostgreSQL)"
    details = {"writers": config.writers, "events_per_append": config.batch, "events_per_round": appends *
               config.batch}
    return [
        Row(f"append, {config.label}", store, es, "events/s", library, ">= 1.5x",
            store >= 1.5 * es, rates["store"], rates["eventsourcing"], details),
        Row(f"append, {config.label}", store, raw, "events/s", "raw asyncpg INSERT", ">= 0.5x",
            store >= 0.5 * raw, rates["store"], rates["raw"], details),
    ]
