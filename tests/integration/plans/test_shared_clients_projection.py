"""The shared-clients read model of the plans service on real PostgreSQL (and Kafka through the real runner)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import BaseModel

from libs.events.infra import Infrastructure
from libs.events.kafka_admin import TopicSpec, ensure_topics
from libs.events.migrations import migrate
from libs.events.projection import ProjectionRunner, RunnerSettings
from libs.events.schemas import registry
from services.plans.adapters.shared_client_directory import SharedClientDirectory
from services.plans.projections.shared_clients import SharedClients
from tests.integration.plans.clients_feed import (
    Pair,
    agreement_ended,
    agreement_signed,
    clients_feed,
    identified,
    recorded,
    shared_client_history,
    sharing_stopped,
    workers_assigned,
)
from tests.support.services import eventually

pytestmark = pytest.mark.infra

TODAY = date(2026, 11, 23)


@pytest.fixture
async def directory(pool: asyncpg.Pool) -> SharedClientDirectory:
    await migrate(pool, "projection:shared_clients", SharedClients.migrations)
    return SharedClientDirectory(pool)


async def apply(pool: asyncpg.Pool, stream_id: str, events: list[BaseModel], first_version: int = 1) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await SharedClients().apply(conn, recorded(stream_id, events, first_version))


async def test_a_shared_client_with_workers_is_usable_under_a_live_agreement(
    pool: asyncpg.Pool, directory: SharedClientDirectory
) -> None:
    client_id, pair = uuid.uuid4(), Pair()
    await apply(pool, str(pair.agreement_id), [agreement_signed(pair)])
    await apply(pool, str(client_id), shared_client_history(client_id, pair))
    [sharing] = await directory.sharings_of(client_id)
    assert (sharing.pup_institution_id, sharing.ops_institution_id, sharing.agreement_id) == (
        pair.pup, pair.ops, pair.agreement_id)
    assert (sharing.job_broker, sharing.social_worker, sharing.career_counsellor) == (
        pair.job_broker, pair.social_worker, pair.career_counsellor)
    assert sharing.social_preparation_first
    assert sharing.why_not_shared(TODAY) is None


async def test_workers_assigned_before_the_identification_are_kept(
    pool: asyncpg.Pool, directory: SharedClientDirectory
) -> None:
    client_id, pair = uuid.uuid4(), Pair(social_preparation_first=False)
    await apply(pool, str(client_id), [workers_assigned(client_id, pair)])
    [waiting] = await directory.sharings_of(client_id)
    assert "has not been identified as shared" in (waiting.why_not_shared(TODAY) or "")
    await apply(pool, str(client_id), [identified(client_id, pair)], first_version=2)
    [sharing] = await directory.sharings_of(client_id)
    assert sharing.job_broker == pair.job_broker
    assert not sharing.social_preparation_first
    assert sharing.why_not_shared(TODAY) is None


async def test_stopped_sharing_and_ended_agreements_are_explained(
    pool: asyncpg.Pool, directory: SharedClientDirectory
) -> None:
    stopped_client, ended_client, pair = uuid.uuid4(), uuid.uuid4(), Pair(agreement_id=uuid.uuid4())
    await apply(pool, str(stopped_client), [*shared_client_history(stopped_client, pair),
                                            sharing_stopped(stopped_client, pair)])
    [stopped] = await directory.sharings_of(stopped_client)
    assert stopped.why_not_shared(TODAY) == ("sharing of this client between PUP-2473 and MOPS-2473 stopped on "
                                             "2026-11-20: consent withdrawn")
    await apply(pool, str(stopped_client), [identified(stopped_client, pair)], first_version=6)
    [again] = await directory.sharings_of(stopped_client)
    assert again.why_not_shared(TODAY) is None  # identified again: sharing resumes

    await apply(pool, str(ended_client), shared_client_history(ended_client, pair))
    await apply(pool, str(pair.agreement_id), [agreement_signed(pair), agreement_ended(pair)])
    [ended] = await directory.sharings_of(ended_client)
    assert "ended on 2026-06-30: terminated by the OPS" in (ended.why_not_shared(TODAY) or "")

    expired_pair = Pair(agreement_id=uuid.uuid4())
    expired_client = uuid.uuid4()
    await apply(pool, str(expired_pair.agreement_id), [agreement_signed(expired_pair, valid_to=date(2026, 10, 31))])
    await apply(pool, str(expired_client), shared_client_history(expired_client, expired_pair))
    [expired] = await directory.sharings_of(expired_client)
    assert "expired on 2026-10-31" in (expired.why_not_shared(TODAY) or "")


async def test_the_runner_fills_the_read_model_from_kafka_and_ignores_redelivery(
    pool: asyncpg.Pool, directory: SharedClientDirectory, infra: Infrastructure, topic_name: str
) -> None:
    await ensure_topics(infra.kafka_bootstrap, [TopicSpec(topic_name, 2), TopicSpec(f"{topic_name}.dlq", 1)])
    projection = SharedClients()
    projection.topics = (topic_name,)  # type: ignore[misc]
    runner = ProjectionRunner(pool, infra.kafka_bootstrap, projection, registry, group_id=f"{topic_name}.plans",
                              settings=RunnerSettings(first_backoff=0.01))
    clients = [uuid.uuid4() for _ in range(5)]
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with clients_feed(infra, topic_name) as feed:
            await feed.sign_agreement(Pair())
            for client_id in clients:
                await feed.share(client_id, Pair())
            await feed.append(str(clients[0]), [sharing_stopped(clients[0], Pair())])

            async def all_applied() -> bool:
                row = await pool.fetchrow("SELECT count(*) AS shared, count(*) FILTER (WHERE NOT sharing_active) "
                                          "AS stopped FROM shared_clients")
                return row is not None and (row["shared"], row["stopped"]) == (len(clients), 1)

            await eventually(all_applied, within=30)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    [first] = await directory.sharings_of(clients[0])
    assert not first.sharing_active
    assert runner.dead_letters == 0
    # Every client event was seen once per version: registrations counted, only handled types applied.
    versions = await pool.fetch("SELECT stream_id, version FROM projection_streams WHERE projection = $1",
                                SharedClients.name)
    assert {r["stream_id"]: r["version"] for r in versions} == {
        **{str(c): 4 for c in clients[1:]}, str(clients[0]): 5, str(Pair().agreement_id): 1}
