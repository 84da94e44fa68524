"""Fixtures of the reporting tests: the service on a database of its own, and feeding it histories through Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest

from libs.events.infra import Infrastructure
from libs.events.kafka_admin import ensure_topics
from libs.events.topics import CLIENTS, CONFLICTS, MATCHING, PLANS, event_topic
from services.reporting.bootstrap import build_app, projections
from services.reporting.config import ReportingSettings
from services.reporting.rebuild import end_offsets
from tests.conftest import create_database
from tests.integration.reporting.history import History, Office
from tests.support.kafka import publish
from tests.support.services import eventually, serving

TOPICS = [CLIENTS, PLANS, MATCHING, CONFLICTS]
Feed = Callable[[History], Awaitable[None]]


@pytest.fixture
def office() -> Office:
    return Office()


@pytest.fixture
async def reporting_db(infra: Infrastructure) -> str:
    return await create_database(infra.postgres_dsn, "reporting")


@pytest.fixture
async def reporting(infra: Infrastructure, reporting_db: str) -> AsyncIterator[httpx.AsyncClient]:
    """The reporting service with its projections running."""
    specs = [event_topic(t, 4) for t in TOPICS]
    await ensure_topics(infra.kafka_bootstrap, specs + [s.dead_letter for s in specs])
    settings = ReportingSettings(database_url=reporting_db, kafka_bootstrap=infra.kafka_bootstrap)
    async with serving(build_app(settings)) as client:
        yield client


@pytest.fixture
async def db(reporting_db: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(reporting_db, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


async def caught_up(db: asyncpg.Pool, bootstrap: str) -> bool:
    """Every projection of the service has consumed every topic it reads up to the current end offsets."""
    ends = await end_offsets(bootstrap, TOPICS)
    rows = await db.fetch("SELECT projection, topic, partition, next_offset FROM projection_offsets")
    stored = {(r["projection"], r["topic"], r["partition"]): r["next_offset"] for r in rows}
    return all(stored.get((p.name, tp.topic, tp.partition), 0) >= end
               for p in projections() for tp, end in ends.items() if tp.topic in p.topics and end > 0)


async def publish_history(bootstrap: str, history: History) -> None:
    """Send a history's events to the platform's topics as the relays would."""
    by_topic: dict[str, list] = {}  # type: ignore[type-arg]
    for event in history.events:
        by_topic.setdefault(f"pzw.{event.stream_type}.v1", []).append(event)  # the stream type is the context
    for topic, events in by_topic.items():
        await publish(bootstrap, topic, events)


@pytest.fixture
def feed(infra: Infrastructure, db: asyncpg.Pool, reporting: httpx.AsyncClient) -> Feed:
    """Publish a history, and wait until the running service's read models have it."""

    async def send(history: History) -> None:
        await publish_history(infra.kafka_bootstrap, history)
        await eventually(lambda: caught_up(db, infra.kafka_bootstrap), within=60, interval=0.2)

    return send
