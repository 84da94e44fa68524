"""The life of a service process: pool, migrations, topics, outbox relay and projections, started and stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI

from libs.events.kafka_admin import ensure_topics
from libs.events.keyring import KeyRing, KeySource
from libs.events.outbox import OutboxRelay, reliable_producer
from libs.events.projection import Projection, ProjectionRunner
from libs.events.registry import EventRegistry
from libs.events.sealing import PayloadSealer, remote_sealer
from libs.events.settings import ServiceSettings
from libs.events.store import PostgresEventStore
from libs.events.topics import event_topic
from libs.events.tracing import configure_tracing, shutdown_telemetry

log = structlog.get_logger(__name__)

BackgroundWork = Callable[[asyncio.Event], Awaitable[None]]
KeySourceFactory = Callable[[], Awaitable[KeySource]]


class ServiceRuntime:
    """Owns the connections and background workers of one service; `lifespan` plugs it into FastAPI."""

    def __init__(
        self, name: str, settings: ServiceSettings, registry: EventRegistry, *,
        publishes: Sequence[str] = (), projections: Sequence[Projection] = (),
        key_source: KeySourceFactory | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.registry = registry
        self.publishes = tuple(publishes)
        self.projections = tuple(projections)
        self.runners: list[ProjectionRunner] = []
        self.relay: OutboxRelay | None = None
        self._pool: asyncpg.Pool | None = None
        self._store: PostgresEventStore | None = None
        self._key_source = key_source
        self.sealer: PayloadSealer | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self.migrate_only = False  # set by `python -m services.<name> migrate`: prepare, start nothing

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._pool

    @property
    def store(self) -> PostgresEventStore:
        if self._store is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._store

    async def start(self) -> None:
        """Prepare, then start the relay and the projections."""
        await self.prepare()
        await self.start_workers()

    async def prepare(self) -> None:
        """Connect, migrate the event store and create the topics; no background work yet."""
        configure_tracing(self.name)
        self._pool = await asyncpg.create_pool(self.settings.database_url, min_size=2,
                                               max_size=self.settings.pool_size)
        self.sealer = await self._make_sealer()
        self._store = PostgresEventStore(self._pool, self.registry, self.sealer)
        await self._store.migrate()
        consumed = {t for p in self.projections for t in p.topics}
        specs = [event_topic(t, self.settings.topic_partitions, self.settings.topic_replication)
                 for t in sorted(set(self.publishes) | consumed)]
        await ensure_topics(self.settings.kafka_bootstrap, specs + [s.dead_letter for s in specs])
        self._stop.clear()

    async def _make_sealer(self) -> PayloadSealer | None:
        """The key owner's own store, else the owner's key API, else no sealing (said loudly)."""
        if self._key_source is not None:
            return PayloadSealer(self.registry, KeyRing(await self._key_source()))
        remote = remote_sealer(self.registry, self.settings)
        if remote is not None:
            return remote
        log.warning("no key service configured: personal fields are neither sealed nor opened",
                    service=self.name, setting="PZW_KEY_SERVICE_URL")
        return None

    async def start_workers(self, background: Sequence[tuple[str, BackgroundWork]] = ()) -> None:
        """Start the outbox relay, the projections and the service's own background work (each supervised)."""
        if self.migrate_only:
            for projection in self.projections:
                await ProjectionRunner(self.pool, self.settings.kafka_bootstrap, projection, self.registry,
                                       group_id=f"{self.name}.{projection.name}").setup()
            return
        if self.publishes and self.settings.run_relay:
            self.relay = OutboxRelay(self.pool, lambda: reliable_producer(self.settings.kafka_bootstrap),
                                     self.registry, source=f"/pzw/{self.name}")
            self._spawn(self.relay.run, "outbox relay")
        for projection in self.projections:
            runner = ProjectionRunner(self.pool, self.settings.kafka_bootstrap, projection, self.registry,
                                      group_id=f"{self.name}.{projection.name}", sealer=self.sealer)
            await runner.setup()
            self.runners.append(runner)
            if self.settings.run_projections:
                self._spawn(runner.run, f"projection {projection.name}")
        for what, work in background:
            self._spawn(work, what)
        log.info("service started", service=self.name)

    def _spawn(self, work: Callable[[asyncio.Event], Awaitable[None]], what: str) -> None:
        self._tasks.append(asyncio.create_task(self._supervise(work, what), name=f"{self.name}: {what}"))

    async def _supervise(self, work: Callable[[asyncio.Event], Awaitable[None]], what: str) -> None:
        """Run a background worker until stop; if it crashes, log and start it again after a pause."""
        backoff = 0.5
        while not self._stop.is_set():
            try:
                await work(self._stop)
            except Exception as exc:
                log.error("background worker crashed; restarting", worker=what, error=repr(exc), backoff=backoff)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, 30.0)

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)
        self._tasks.clear()
        self.runners.clear()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        shutdown_telemetry()
        log.info("service stopped", service=self.name)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

