"""A de-identified regional feed built from personal events that went through the real Kafka (shared by the module's
tests): the events, what must never leak from them, the projection's database, and the items it produced."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import pytest

from libs.events.envelope import RecordedEvent
from libs.events.infra import Infrastructure
from libs.events.projection import ProjectionRunner, RunnerSettings
from libs.events.schemas import registry
from libs.events.schemas.clients import ClientRegistered
from libs.events.schemas.conflicts import BenefitConflictDetected, BenefitConflictResolved, Resolution, Severity
from libs.events.schemas.plans import IpzsEnded, IpzsEnding, IpzsGoal, IpzsSigned, PlanParty
from libs.events.schemas.regional import VOIVODESHIPS
from libs.events.topics import CONFLICTS, PLANS
from services.reporting.regional import RegionalFeed, RegionalSettings
from services.reporting.regional.publisher import RegionalPublisher
from tests.conftest import create_database
from tests.support.kafka import publish
from tests.support.recorded import recorded
from tests.support.services import eventually
from tests.unit.regional.personal_values import forbidden_values
from tests.unit.regional.simulate import run
from tools.demo_data.dataset import TOPICS, DataSet
from tools.demo_data.scenario import PRESETS

KEY = "integration-test-pseudonym-key-000"


@dataclass
class Feed:
    """What the module's tests look at."""

    infra: Infrastructure
    database: str
    pool: asyncpg.Pool
    regional: RegionalFeed
    events: list[RecordedEvent]
    forbidden: set[str]
    subjects: set[str]
    regions: set[str]
    expected: int
    published: int


def _extra_events(dataset: DataSet) -> list[RecordedEvent]:
    """What the generator does not make: conflicts with free-text explanations and a CIS programme."""
    extra = []
    for story in list(dataset.stories())[:4]:
        client = story[0].payload.client_id  # type: ignore[attr-defined]
        plan = next(e.payload.plan_id for e in story if hasattr(e.payload, "plan_id"))  # type: ignore[attr-defined]
        first = story[0].payload.identity.first_name  # type: ignore[attr-defined]
        conflict = uuid.uuid4()
        extra += [
            recorded(BenefitConflictDetected(
                conflict_id=conflict, client_id=client, rule_id="R1", rule_version=1, severity=Severity.HIGH,
                period={"from": date(2026, 6, 1)}, explanation_pl=f"{first} wyrejestrowany(a) po odmowie oferty",
                explanation_en=f"{first} deregistered after refusing an offer", legal_basis="art. 8 ust. 1 UPS",
                evidence_event_ids=(uuid.uuid4(),), institutions=("PUP-5301", "MOPS-530101"),
                detected_at=datetime(2026, 6, 3, 10, tzinfo=UTC)), stream_id=str(conflict)),
            recorded(BenefitConflictResolved(
                conflict_id=conflict, client_id=client, resolution=Resolution.CONFIRMED,
                reason=f"rozmowa z {first}: zasiłek wstrzymany", resolved_by="ewa.lis@mops-530101",
                institution_id="MOPS-530101"), stream_id=str(conflict), version=2),
            recorded(IpzsSigned(plan_id=plan, client_id=client, ipzs_id=uuid.uuid4(), main_goal=IpzsGoal.OWN_BUSINESS,
                                cis=PlanParty(institution_id="CIS-530101", institution_kind="CIS",
                                              worker="olga.wrona@cis-530101"),
                                term={"from": date(2026, 7, 1), "to": date(2026, 7, 31)}), stream_id=f"ipzs-{plan}"),
            recorded(IpzsEnded(plan_id=plan, client_id=client, ipzs_id=uuid.uuid4(), ended_on=date(2026, 7, 31),
                               reason=IpzsEnding.END_OF_PERIOD), stream_id=f"ipzs-{plan}", version=2),
        ]
    return extra


@pytest.fixture(scope="module")
async def feed(infra: Infrastructure) -> AsyncIterator[Feed]:
    # A seed of its own: the topics are shared by the session's tests, these clients are this module's.
    dataset = DataSet(PRESETS["pilot"].with_options(clients=40, seed=uuid.uuid4().int % 1_000_000,
                                                    powiat_offset=20, pups=8, ops=10))
    by_service: dict[str, list[RecordedEvent]] = {s: [] for s in TOPICS}
    for story in [dataset.setup(), *dataset.stories()]:
        for service, event in dataset.recorded(story):
            by_service[service].append(event)
    extra = _extra_events(dataset)
    events = [e for es in by_service.values() for e in es] + extra
    regional = RegionalFeed(RegionalSettings(pseudonym_key=KEY))
    mine, _ = run(events)  # the same translation in memory: how many items to wait for
    # A client's facts from other topics land in the region the client lived in when they were consumed: the
    # subjects of these clients in every voivodeship (and the offers' ids) are what this module looks for.
    clients = {e.payload.client_id for e in events if isinstance(e.payload, ClientRegistered)}
    subjects = {regional.pseudonyms.subject(c, r) for c in clients for r in VOIVODESHIPS}
    subjects |= {i.partition_key for i in mine if i.item_type == "RegionalOfferPublished"}
    forbidden = set().union(*(forbidden_values(e.payload) for e in events))

    for service, service_events in by_service.items():
        await publish(infra.kafka_bootstrap, TOPICS[service], service_events, source=f"/pzw/{service}")
    await publish(infra.kafka_bootstrap, CONFLICTS, extra[0::4] + extra[1::4])
    await publish(infra.kafka_bootstrap, PLANS, extra[2::4] + extra[3::4])

    database = await create_database(infra.postgres_dsn, "regional")
    pool = await asyncpg.create_pool(database, min_size=1, max_size=8)
    runner = ProjectionRunner(pool, infra.kafka_bootstrap, regional.projection, registry,
                              group_id=f"test-regional-{uuid.uuid4().hex[:8]}", settings=RunnerSettings())
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))

    async def all_mine() -> bool:
        try:
            count = await pool.fetchval("SELECT count(*) FROM regional_feed WHERE partition_key = ANY($1::text[])",
                                        list(subjects))
        except asyncpg.UndefinedTableError:
            return False
        return bool(count >= len(mine))

    try:
        await eventually(all_mine, within=240, interval=0.2)  # the session's tests share the topics
        published = await RegionalPublisher.for_kafka(pool, infra.kafka_bootstrap, regional.settings.source).drain()
        regions = {r["region"] for r in await pool.fetch(
            "SELECT DISTINCT region FROM regional_feed WHERE partition_key = ANY($1::text[])", list(subjects))}
        yield Feed(infra, database, pool, regional, events, forbidden, subjects, regions, len(mine), published)
    finally:
        stop.set()
        await task
        await pool.close()
