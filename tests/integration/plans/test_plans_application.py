"""The plans application on real PostgreSQL: one open plan per client under races, no lost updates, closing
frees the client for a new plan, time travel, and "today" taken in Poland."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.errors import ConcurrencyError
from libs.events.http import NotFound
from libs.events.migrations import migrate
from libs.events.schemas import registry
from libs.events.schemas.common import Period
from libs.events.schemas.plans import Instrument, PlanOutcome
from libs.events.store import PostgresEventStore
from services.plans.adapters.plan_index import MIGRATIONS, PlanAlreadyOpen, PostgresPlanIndex
from services.plans.adapters.shared_client_directory import SharedClientDirectory
from services.plans.application.plans import PlansApplication
from services.plans.domain.commands import AddStep, ClosePlan, ReviewPlan
from services.plans.projections.shared_clients import SharedClients
from tests.integration.plans.clients_feed import Pair, recorded, shared_client_history

pytestmark = pytest.mark.infra

JOB_BROKER = Actor(user="anna.nowak@pup-2473", institution="PUP-2473", role="job_broker")
SOCIAL_WORKER = Actor(user="ewa.lis@mops-2473", institution="MOPS-2473", role="social_worker")
OUTSIDER = Actor(user="x@pup-9999", institution="PUP-9999", role="job_broker")


class MovableClock:
    """A clock the test sets: the application reads the moment of every command from it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def plans(pool: asyncpg.Pool, clock: MovableClock) -> PlansApplication:
    store = PostgresEventStore(pool, registry)
    await store.migrate()
    await migrate(pool, "plans", MIGRATIONS)
    await migrate(pool, "projection:shared_clients", SharedClients.migrations)
    return PlansApplication(pool, store, PostgresPlanIndex(pool), SharedClientDirectory(pool), clock)


async def shared_client(pool: asyncpg.Pool) -> uuid.UUID:
    client_id = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        await SharedClients().apply(conn, recorded(str(client_id), shared_client_history(client_id, Pair())))
    return client_id


def add_training(actor: Actor, today: date) -> AddStep:
    return AddStep(actor=actor, today=today, step_id=uuid.uuid4(), instrument=Instrument.TRAINING,
                   title="forklift course", planned=Period(from_=today, to=today + timedelta(days=30)))


async def test_racing_openings_give_one_plan_and_name_it_to_the_losers(
    pool: asyncpg.Pool, plans: PlansApplication
) -> None:
    client_id = await shared_client(pool)
    results = await asyncio.gather(*(plans.open(client_id, actor) for actor in [JOB_BROKER, SOCIAL_WORKER] * 4),
                                   return_exceptions=True)
    opened = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(opened) == 1
    assert len(refused) == 7
    winner = opened[0].state.plan_id
    assert {r.details["existing_plan_id"] for r in refused} == {winner}
    assert await pool.fetchval("SELECT count(*) FROM event_streams") == 1


async def test_a_lost_claim_waits_for_the_winner_and_names_its_plan(pool: asyncpg.Pool,
                                                                    plans: PlansApplication) -> None:
    index, client_id, first, second = PostgresPlanIndex(pool), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as winner, pool.acquire() as loser:
        winning_tx, losing_tx = winner.transaction(), loser.transaction()
        await winning_tx.start()
        await index.claim(winner, client_id, first)
        await losing_tx.start()
        losing = asyncio.create_task(index.claim(loser, client_id, second))
        await asyncio.sleep(0.2)
        assert not losing.done()  # the unique index holds the second claim until the first commits or aborts
        await winning_tx.commit()
        with pytest.raises(PlanAlreadyOpen) as taken:
            await losing
        await losing_tx.rollback()
    assert taken.value.plan_id == first


async def test_two_changes_at_the_same_version_never_lose_an_update(pool: asyncpg.Pool,
                                                                    plans: PlansApplication) -> None:
    client_id = await shared_client(pool)
    outcome = await plans.open(client_id, JOB_BROKER)
    plan_id, version, today = outcome.state.plan_id, outcome.version, plans.today()
    assert plan_id is not None
    results = await asyncio.gather(
        plans.execute(plan_id, add_training(JOB_BROKER, today), version),
        plans.execute(plan_id, ReviewPlan(actor=SOCIAL_WORKER, today=today, summary="seen"), version),
        return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ConcurrencyError", "Outcome"]
    conflict = next(r for r in results if isinstance(r, ConcurrencyError))
    assert conflict.actual == version + 1
    state, current = await plans.get(plan_id)
    assert current == version + 1
    assert len(state.steps) + len(state.reviews) == 1


async def test_closing_frees_the_client_for_a_new_plan(pool: asyncpg.Pool, plans: PlansApplication) -> None:
    client_id = await shared_client(pool)
    first = (await plans.open(client_id, SOCIAL_WORKER)).state.plan_id
    assert first is not None
    with pytest.raises(DomainError, match=f"already has an open joint plan {first}"):
        await plans.open(client_id, JOB_BROKER)
    await plans.execute(first, ClosePlan(actor=JOB_BROKER, today=plans.today(), outcome=PlanOutcome.MOVED_AWAY), 1)
    assert await plans.plan_of_client(client_id) == first  # the latest, closed
    second = (await plans.open(client_id, JOB_BROKER)).state.plan_id
    assert second not in (None, first)
    assert await plans.plan_of_client(client_id) == second


async def test_opening_needs_a_client_shared_by_the_actor_s_institution(pool: asyncpg.Pool,
                                                                        plans: PlansApplication) -> None:
    with pytest.raises(DomainError, match="is not a shared client"):
        await plans.open(uuid.uuid4(), JOB_BROKER)
    client_id = await shared_client(pool)
    with pytest.raises(Forbidden, match="PUP-9999 does not share client"):
        await plans.open(client_id, OUTSIDER)


async def test_unknown_plans_are_not_found(plans: PlansApplication) -> None:
    with pytest.raises(NotFound):
        await plans.get(uuid.uuid4())
    with pytest.raises(NotFound):
        await plans.execute(uuid.uuid4(), ReviewPlan(actor=JOB_BROKER, today=plans.today(), summary="x"), 1)


async def test_the_plan_as_of_a_moment_is_folded_from_the_events_until_then(
    pool: asyncpg.Pool, plans: PlansApplication, clock: MovableClock
) -> None:
    client_id = await shared_client(pool)
    opened_at = clock.now
    plan_id = (await plans.open(client_id, JOB_BROKER)).state.plan_id
    assert plan_id is not None
    clock.now = opened_at + timedelta(days=3)
    await plans.execute(plan_id, add_training(JOB_BROKER, plans.today()), 1)
    before, version = await plans.get(plan_id, as_of=opened_at + timedelta(days=1))
    assert (version, before.steps) == (1, {})
    now, version = await plans.get(plan_id)
    assert version == 2
    assert len(now.steps) == 1
    with pytest.raises(NotFound, match="did not exist yet"):
        await plans.get(plan_id, as_of=opened_at - timedelta(seconds=1))


async def test_today_is_the_date_in_poland(pool: asyncpg.Pool, plans: PlansApplication, clock: MovableClock) -> None:
    clock.now = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)  # already 2 November in Warsaw (UTC+1)
    outcome = await plans.open(await shared_client(pool), JOB_BROKER)
    assert outcome.state.opened_on == date(2026, 11, 2)
