"""What the notifications tests share: a clock they can move, their routing file, and a feed of events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import BaseModel

from libs.events.envelope import Actor, Metadata, NewEvent, RecordedEvent
from libs.events.ids import new_id
from libs.events.infra import Infrastructure
from libs.events.outbox import OutboxRelay, reliable_producer
from libs.events.schemas import registry
from libs.events.store import ANY_VERSION, PostgresEventStore, StreamAppend
from services.notifications.domain.rules import DEFAULT_ROUTING
from tests.conftest import create_database
from tests.support.kafka import publish
from tests.unit.notifications.builders import OPS, OPS_SUPERVISOR, PUP, PUP_SUPERVISOR

WARSAW = ZoneInfo("Europe/Warsaw")


class MovableClock:
    """Real time shifted by an offset the test sets: 'tomorrow at 9' without waiting for it."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, day: date, hour: int, minute: int = 0) -> None:
        """From now on the clock reads `day` at `hour:minute` Warsaw time (and runs on from there)."""
        target = datetime.combine(day, time(hour, minute), tzinfo=WARSAW)
        self.offset = target - datetime.now(UTC)

    def today(self) -> date:
        return self().astimezone(WARSAW).date()


def routing_file(folder: Path, **timing: int) -> Path:
    """The default routing file with the test institutions' supervisors and, optionally, other timings."""
    text = DEFAULT_ROUTING.read_text(encoding="utf-8").replace(
        "[supervisors]\n", f'[supervisors]\n"{PUP}" = ["{PUP_SUPERVISOR}"]\n"{OPS}" = ["{OPS_SUPERVISOR}"]\n', 1)
    for name, value in timing.items():
        lines = [f"{name} = {value}" if line.startswith(f"{name} =") else line for line in text.splitlines()]
        text = "\n".join(lines) + "\n"
    path = folder / f"routing-{uuid.uuid4().hex[:8]}.toml"
    path.write_text(text, encoding="utf-8")
    return path


class EventFeed:
    """Events of other contexts, appended to a scratch store and relayed to Kafka as their services would."""

    def __init__(self, store: PostgresEventStore, kafka_bootstrap: str) -> None:
        self._store = store
        self._kafka = kafka_bootstrap

    async def append(self, stream_id: str | uuid.UUID, events: Sequence[BaseModel], *, topic: str, actor: Actor,
                     key: str | uuid.UUID | None = None, stream_type: str = "test") -> list[RecordedEvent]:
        """Append to a stream (keyed by `key`, default the stream) with the actor who caused the events."""
        now = datetime.now(UTC)
        metadata = Metadata(actor=actor, correlation_id=new_id(), partition_key=str(key or stream_id))
        return await self._store.append(StreamAppend(
            stream_type, str(stream_id), ANY_VERSION, [NewEvent(payload=e, occurred_at=now) for e in events],
            metadata, topic))

    async def redeliver(self, events: list[RecordedEvent], topic: str) -> None:
        """Send events to Kafka once more, exactly as they were (what a relay re-sending after a crash does)."""
        await publish(self._kafka, topic, events, source="/pzw/redelivery")


@asynccontextmanager
async def event_feed(infra: Infrastructure) -> AsyncIterator[EventFeed]:
    """A scratch event store with its outbox relay running."""
    pool = await asyncpg.create_pool(await create_database(infra.postgres_dsn, "notifyfeed"), min_size=1,
                                     max_size=4)
    store = PostgresEventStore(pool, registry)
    await store.migrate()
    relay = OutboxRelay(pool, lambda: reliable_producer(infra.kafka_bootstrap), registry, source="/pzw/test-feed")
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield EventFeed(store, infra.kafka_bootstrap)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await pool.close()
