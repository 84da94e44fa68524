"""The faust conflict detector on real Kafka and PostgreSQL: rules fire, near misses stay silent, redelivery and
reordering give no duplicates, and tables and timers survive a restart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import orjson
import pytest

from libs.events.envelope import RecordedEvent
from libs.events.infra import Infrastructure
from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from libs.events.schemas import registry
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.topics import CLIENTS, MATCHING, PLANS
from tests.conftest import create_database
from tests.support.detector import Detector
from tests.support.kafka import group_caught_up, publish
from tests.support.people import ADDRESS, person
from tests.support.recorded import recorded
from tests.support.services import eventually

pytestmark = pytest.mark.infra

PUP, OPS = "PUP-2473", "MOPS-2473"
TOPICS = {"clients": CLIENTS, "plans": PLANS, "matching": MATCHING}


@pytest.fixture(scope="module")
async def detector(infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Detector]:
    running = Detector(infra, await create_database(infra.postgres_dsn, "matching"),
                       tmp_path_factory.mktemp("detector"))
    running.start()
    running.pool = await asyncpg.create_pool(running.database, min_size=1, max_size=4)
    try:
        yield running
    finally:
        running.stop()
        await running.pool.close()


async def send(infra: Infrastructure, *events: RecordedEvent) -> None:
    for event in events:
        await publish(infra.kafka_bootstrap, TOPICS[registry.context_of(event.event_type)], [event])


def client_events(client: uuid.UUID) -> Iterator[RecordedEvent]:
    """A client registered at the PUP and the OPS (stream versions 1, 2, ...)."""
    for version, (institution, kind) in enumerate(((PUP, InstitutionKind.PUP), (OPS, InstitutionKind.OPS)), 1):
        yield recorded(c.ClientRegistered(client_id=client, institution_id=institution, institution_kind=kind,
                                          identity=c.PersonIdentity(**person()), address=ADDRESS,
                                          registered_on=date(2026, 1, 5)), version=version)


def benefit(client: uuid.UUID, version: int) -> RecordedEvent:
    return recorded(c.BenefitGranted(client_id=client, benefit_id=uuid.uuid4(), institution_id=OPS,
                                     institution_kind=InstitutionKind.OPS, kind="zasiłek okresowy",
                                     basis="unemployment", monthly_amount=Decimal("418.00"),
                                     period=Period(from_=date(2026, 10, 1), to=date(2027, 3, 31))), version=version)


def deregistered(client: uuid.UUID, version: int, reason: str) -> RecordedEvent:
    return recorded(c.UnemploymentStatusChanged(client_id=client, institution_id=PUP, status="deregistered",
                                                reason=reason, effective_on=date(2026, 11, 20)), version=version)


async def test_r1_fires_once_even_when_events_are_redelivered_and_reordered(
    detector: Detector, infra: Infrastructure
) -> None:
    client = uuid.uuid4()
    registered = list(client_events(client))
    granted, dropped = benefit(client, 3), deregistered(client, 4, "refused_offer")
    await send(infra, dropped, *registered, granted)  # the deregistration arrives first
    assert await detector.rules_for(client, 1) == ["R1"]
    await send(infra, granted, dropped, registered[0], dropped)  # redelivered, in yet another order
    await asyncio.sleep(3)
    [row] = await detector.conflicts(client)
    assert row["status"] == "open"
    evidence = orjson.loads(row["detected"])["evidence_event_ids"]
    assert sorted(evidence) == sorted([str(dropped.event_id), str(granted.event_id)])


async def test_near_miss_own_request_raises_nothing(detector: Detector, infra: Infrastructure) -> None:
    client = uuid.uuid4()
    await send(infra, *client_events(client), benefit(client, 3), deregistered(client, 4, "own_request"))
    probe = uuid.uuid4()  # a later client whose conflict proves the detector got past this one
    await send(infra, *client_events(probe), benefit(probe, 3), deregistered(probe, 4, "took_work"))
    await detector.rules_for(probe, 1)
    assert await detector.conflicts(client) == []


async def test_r2_r3_r4_and_r5_from_plans_clients_and_referrals(detector: Detector, infra: Infrastructure) -> None:
    client = uuid.uuid4()
    plan = uuid.uuid4()
    nov = Period(from_=date(2026, 11, 1), to=date(2026, 11, 30))
    party = {PUP: InstitutionKind.PUP, OPS: InstitutionKind.OPS}

    def step(n: int, instrument: str, owner: str, funded_by: str | None = None) -> RecordedEvent:
        return recorded(p.PlanStepAdded(
            plan_id=plan, client_id=client, step_id=uuid.UUID(int=n), instrument=instrument,
            owner=p.PlanParty(institution_id=owner, institution_kind=party[owner], worker="w"),
            category=p.INSTRUMENT_CATEGORY[p.Instrument(instrument)], social_preparation=False, title="t",
            planned=nov, funded_by=funded_by), stream_id=str(plan), version=n)

    plan_events = [step(1, "training", PUP), step(2, "training", OPS, funded_by=OPS),
                   recorded(p.PlanStepScheduled(plan_id=plan, client_id=client, step_id=uuid.UUID(int=1),
                                                scheduled=nov), stream_id=str(plan), version=3),
                   recorded(p.PlanStepScheduled(plan_id=plan, client_id=client, step_id=uuid.UUID(int=2),
                                                scheduled=nov), stream_id=str(plan), version=4),
                   recorded(p.PlanStepFailed(plan_id=plan, client_id=client, step_id=uuid.UUID(int=1),
                                             failed_on=date(2026, 11, 3), reason="refused"),
                            stream_id=str(plan), version=5)]
    client_facts = [*client_events(client),
                    recorded(c.UnemploymentStatusChanged(client_id=client, institution_id=PUP, status="registered",
                                                         effective_on=date(2026, 6, 1)), version=3),
                    recorded(c.IncomeDeclared(client_id=client, institution_id=OPS, source="other",
                                              monthly_amount=Decimal("0"), period=nov, declared_by_client=True),
                             version=4),
                    recorded(c.IncomeDeclared(client_id=client, institution_id=PUP, source="training_allowance",
                                              monthly_amount=Decimal("1200"), period=nov, declared_by_client=False),
                             version=5)]
    refusal = recorded(m.ReferralOutcomeRecorded(referral_id=uuid.uuid4(), client_id=client, offer_id=uuid.uuid4(),
                                                 outcome="refused", recorded_on=date(2026, 11, 10)))
    await send(infra, *client_facts, *plan_events, refusal)
    assert await detector.rules_for(client, 4) == ["R2", "R3", "R4", "R5"]


async def test_tables_and_timers_survive_a_restart(detector: Detector, infra: Infrastructure) -> None:
    client, plan, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    long_ago = datetime.now(UTC) - timedelta(days=45)
    parties = {"pup": p.PlanParty(institution_id=PUP, institution_kind=InstitutionKind.PUP, worker="w"),
               "ops": p.PlanParty(institution_id=OPS, institution_kind=InstitutionKind.OPS, worker="s")}
    shared = recorded(c.SharedClientIdentified(client_id=client, pup_institution_id=PUP, ops_institution_id=OPS,
                                               agreement_id=uuid.uuid4(), basis="legal_basis",
                                               identified_on=long_ago.date()), version=3)
    opened = recorded(p.PlanOpened(plan_id=plan, client_id=client, agreement_id=uuid.uuid4(),
                                   social_preparation_first=True, opened_on=long_ago.date(), **parties),
                      stream_id=str(plan), occurred_at=long_ago)
    # Each restart recovers the tables from their changelogs and rejoins the group: slow on a loaded machine,
    # hence the long waits (they end as soon as the condition holds).
    # Phase 1: the timer is too slow to fire; the facts and the stale-plan deadline are only stored in tables.
    detector.stop()
    detector.start(timer_interval=3600)
    await send(infra, *client_events(client), shared, opened, *client_events(other), benefit(other, 3))
    await eventually(lambda: group_caught_up(infra.kafka_bootstrap, detector.group, [CLIENTS, PLANS]), within=150)
    assert await detector.conflicts(client) == []
    detector.stop()  # offsets are committed: nothing of the above is read again after the restart

    # Phase 2: the restarted worker recovers its tables from the changelogs.
    detector.start(timer_interval=1)
    await send(infra, deregistered(other, 4, "took_work"))  # R1 needs the benefit fact stored before the restart
    assert await detector.rules_for(other, 1, within=150) == ["R1"]
    assert await detector.rules_for(client, 1, within=150) == ["R6"]  # the deadline fires from the timer

    # A further restart raises nothing twice.
    detector.stop()
    detector.start(timer_interval=1)
    probe = uuid.uuid4()
    await send(infra, *client_events(probe), benefit(probe, 3), deregistered(probe, 4, "took_work"))
    await detector.rules_for(probe, 1, within=150)
    await asyncio.sleep(2)  # a few timer ticks over the recovered deadline
    assert [r["rule_id"] for r in await detector.conflicts(client)] == ["R6"]
    assert [r["rule_id"] for r in await detector.conflicts(other)] == ["R1"]


async def test_near_misses_of_r2_to_r6_raise_nothing(detector: Detector, infra: Infrastructure) -> None:
    nov, dec = Period(from_=date(2026, 11, 1), to=date(2026, 11, 30)), Period(from_=date(2026, 12, 1),
                                                                            to=date(2026, 12, 31))
    kinds = {PUP: InstitutionKind.PUP, OPS: InstitutionKind.OPS}

    def step(client: uuid.UUID, plan: uuid.UUID, n: int, instrument: str, owner: str, planned: Period,
             funded_by: str | None = None) -> RecordedEvent:
        return recorded(p.PlanStepAdded(
            plan_id=plan, client_id=client, step_id=uuid.uuid4(), instrument=instrument,
            owner=p.PlanParty(institution_id=owner, institution_kind=kinds[owner], worker="w"),
            category=p.INSTRUMENT_CATEGORY[p.Instrument(instrument)], social_preparation=False, title="t",
            planned=planned, funded_by=funded_by), stream_id=str(plan), version=n)

    near_misses: list[uuid.UUID] = []
    # R2: the same training, funded by two institutions, but one after the other.
    client, plan = uuid.uuid4(), uuid.uuid4()
    await send(infra, *client_events(client), step(client, plan, 1, "training", PUP, nov),
               step(client, plan, 2, "training", OPS, dec, funded_by=OPS))
    near_misses.append(client)
    # R3: the income declared to the OPS is within the tolerance of what the PUP knows.
    client = uuid.uuid4()
    await send(infra, *client_events(client),
               recorded(c.IncomeDeclared(client_id=client, institution_id=OPS, source="employment",
                                         monthly_amount=Decimal("1480"), period=nov, declared_by_client=True),
                        version=3),
               recorded(c.IncomeDeclared(client_id=client, institution_id=PUP, source="employment",
                                         monthly_amount=Decimal("1500"), period=nov, declared_by_client=False),
                        version=4))
    near_misses.append(client)
    # R4: two refusals, but further apart than the window.
    client, plan = uuid.uuid4(), uuid.uuid4()
    await send(infra, *client_events(client),
               recorded(c.UnemploymentStatusChanged(client_id=client, institution_id=PUP, status="registered",
                                                    effective_on=date(2026, 1, 2)), version=3),
               *(recorded(p.PlanStepFailed(plan_id=plan, client_id=client, step_id=uuid.uuid4(), failed_on=day,
                                           reason="refused"), stream_id=str(plan), version=n)
                 for n, day in enumerate((date(2026, 2, 1), date(2026, 10, 1)), 1)))
    near_misses.append(client)
    # R5: two full-time steps planned at the same time but only one booked.
    client, plan = uuid.uuid4(), uuid.uuid4()
    first = step(client, plan, 1, "internship", PUP, nov)
    await send(infra, *client_events(client), first, step(client, plan, 2, "public_works", PUP, nov),
               recorded(p.PlanStepScheduled(plan_id=plan, client_id=client, step_id=first.payload.step_id,
                                            scheduled=nov), stream_id=str(plan), version=3))
    near_misses.append(client)
    # R6: a shared client's open plan with activity yesterday.
    client, plan = uuid.uuid4(), uuid.uuid4()
    parties = {"pup": p.PlanParty(institution_id=PUP, institution_kind=InstitutionKind.PUP, worker="w"),
               "ops": p.PlanParty(institution_id=OPS, institution_kind=InstitutionKind.OPS, worker="s")}
    await send(infra, *client_events(client),
               recorded(c.SharedClientIdentified(client_id=client, pup_institution_id=PUP, ops_institution_id=OPS,
                                                 agreement_id=uuid.uuid4(), basis="legal_basis",
                                                 identified_on=date(2026, 1, 5)), version=3),
               recorded(p.PlanOpened(plan_id=plan, client_id=client, agreement_id=uuid.uuid4(),
                                     social_preparation_first=True, opened_on=date(2026, 1, 5), **parties),
                        stream_id=str(plan), occurred_at=datetime.now(UTC) - timedelta(days=1)))
    near_misses.append(client)

    # The detector has read everything (its committed offsets are at the end), and a few timer ticks passed (R6).
    await eventually(lambda: group_caught_up(infra.kafka_bootstrap, detector.group, [CLIENTS, PLANS]), within=60)
    await asyncio.sleep(3)
    for client in near_misses:
        assert await detector.conflicts(client) == [], client
