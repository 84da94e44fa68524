"""Durable reminders on real PostgreSQL: scheduled with plan events, fired once by concurrent or crashing loops."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from libs.events.db import Connection
from libs.events.schemas.notifications import NotificationSent
from services.notifications.application.notifier import Notifier
from services.notifications.domain.routing import Cause
from tests.integration.notifications.service_parts import Parts, wire
from tests.unit.notifications.builders import (
    CIS_ACTOR,
    CIS_WORKER,
    OPS_ACTOR,
    SOCIAL_WORKER,
    days,
    ipzs_renewed,
    ipzs_signed,
    plan_opened,
    step_added,
    step_completed,
    step_scheduled,
    stream,
)

pytestmark = pytest.mark.infra


@pytest.fixture
async def parts(pool: asyncpg.Pool, tmp_path: Path) -> Parts:
    return await wire(pool, tmp_path, step_due_days_before=2, ipzs_expiry_days_before=5, reminder_hour=8)


async def reminders(parts: Parts) -> dict[tuple[str, str], str]:
    """(kind, due day) -> status of every reminder."""
    rows = await parts.pool.fetch("SELECT kind, facts->>'due_on' AS due_on, status FROM reminders")
    return {(r["kind"], r["due_on"]): r["status"] for r in rows}


async def plan_with_steps(parts: Parts, count: int, start: int = 5, end: int = 10) -> tuple[uuid.UUID, list[uuid.UUID]]:
    plan_id, client_id, steps = uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(count)]
    events = [plan_opened(plan_id, client_id)]
    for step in steps:
        events += [step_added(plan_id, client_id, step), step_scheduled(plan_id, client_id, step, days(start),
                                                                        days(end))]
    await parts.apply(parts.plans, stream(events, actor=OPS_ACTOR))
    return plan_id, steps


async def test_a_due_reminder_fires_once_when_its_day_comes(parts: Parts) -> None:
    await plan_with_steps(parts, 1)
    assert await reminders(parts) == {("step_due", str(days(3))): "pending", ("step_overdue", str(days(11))): "pending"}
    assert await parts.loop().fire_due() == 0  # not due yet
    parts.clock.move_to(days(3), 7, 59)
    assert await parts.loop().fire_due() == 0
    parts.clock.move_to(days(3), 8, 1)
    assert await parts.loop().fire_due() == 1
    assert await parts.loop().fire_due() == 0
    [sent] = await parts.sent(SOCIAL_WORKER)
    assert (sent["kind"], sent["channel"]) == ("step_due", "in_app")
    payload = NotificationSent.model_validate_json(sent["payload"])
    assert payload.title == f"Zbliża się termin kroku planu ({days(5)})"
    assert payload.cause_event_id is None  # a timer caused it
    parts.clock.move_to(days(11), 9)
    assert await parts.loop().fire_due() == 1
    assert [r["kind"] for r in await parts.sent(SOCIAL_WORKER)] == ["step_due", "step_overdue"]


async def test_completion_rescheduling_and_closing_cancel_what_is_pending(parts: Parts) -> None:
    plan_id, [step] = await plan_with_steps(parts, 1)
    client_id = uuid.UUID(await parts.pool.fetchval("SELECT client_id::text FROM notify_plans"))
    await parts.apply(parts.plans, stream([step_scheduled(plan_id, client_id, step, days(20), days(25))],
                                          actor=OPS_ACTOR, stream_id=str(plan_id), first_version=4))
    assert await reminders(parts) == {
        ("step_due", str(days(3))): "cancelled", ("step_overdue", str(days(11))): "cancelled",
        ("step_due", str(days(18))): "pending", ("step_overdue", str(days(26))): "pending"}
    await parts.apply(parts.plans, stream([step_completed(plan_id, client_id, step)], actor=OPS_ACTOR,
                                          stream_id=str(plan_id), first_version=5))
    assert set((await reminders(parts)).values()) == {"cancelled"}
    parts.clock.move_to(days(30), 12)
    assert await parts.loop().fire_due() == 0


async def test_an_ipzs_term_is_reminded_to_the_cis_worker_and_renewal_moves_it(parts: Parts) -> None:
    plan_id, client_id, ipzs_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await parts.apply(parts.plans, stream([plan_opened(plan_id, client_id),
                                           ipzs_signed(plan_id, client_id, ipzs_id, days(0), days(29))],
                                          actor=CIS_ACTOR))
    assert await reminders(parts) == {("ipzs_expiring", str(days(24))): "pending"}
    await parts.apply(parts.plans, stream([ipzs_renewed(plan_id, client_id, ipzs_id, days(30), days(59))],
                                          actor=CIS_ACTOR, stream_id=str(plan_id), first_version=3))
    assert await reminders(parts) == {("ipzs_expiring", str(days(24))): "cancelled",
                                      ("ipzs_expiring", str(days(54))): "pending"}
    parts.clock.move_to(days(54), 8, 30)
    assert await parts.loop().fire_due() == 1
    [sent] = await parts.sent(CIS_WORKER)
    assert sent["kind"] == "ipzs_expiring"
    assert f"IPZS wygasa {days(59)}" in sent["payload"]


class _CrashingNotifier(Notifier):
    """Dies after the first reminder's notifications were appended, like a process killed mid-loop."""

    def __init__(self, inner: Notifier) -> None:
        super().__init__(inner.rules, inner._store, inner._preferences, inner._clock)
        self.calls = 0

    async def notify(self, conn: Connection, cause: Cause) -> list[NotificationSent]:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("killed mid-loop")
        return await super().notify(conn, cause)


async def test_a_loop_dying_mid_batch_stores_nothing_and_the_next_run_fires_each_once(parts: Parts) -> None:
    await plan_with_steps(parts, 3)
    parts.clock.move_to(days(3), 9)
    with pytest.raises(RuntimeError, match="killed mid-loop"):
        await parts.loop(_CrashingNotifier(parts.notifier)).fire_due()
    assert await parts.sent(kind="step_due") == []  # the first reminder's notification rolled back with the rest
    assert await parts.pool.fetchval("SELECT count(*) FROM reminders WHERE status = 'done'") == 0
    assert await parts.loop().fire_due() == 3
    assert len(await parts.sent(kind="step_due")) == 3


async def test_concurrent_loops_fire_every_reminder_exactly_once(parts: Parts) -> None:
    await plan_with_steps(parts, 40)
    parts.clock.move_to(days(3), 9)

    async def drain(batch: int) -> int:
        loop, fired = parts.loop(batch=batch), 0
        while (n := await loop.fire_due()) > 0:
            fired += n
        return fired

    fired = await asyncio.gather(*(drain(batch) for batch in (3, 5, 7, 11)))
    assert sum(fired) == 40
    sent = await parts.sent(kind="step_due")
    assert len(sent) == len({r["stream_id"] for r in sent}) == 40
    statuses = await parts.pool.fetch("SELECT kind, status, count(*) AS n FROM reminders GROUP BY kind, status")
    assert {(r["kind"], r["status"]): r["n"] for r in statuses} == {("step_due", "done"): 40,
                                                                     ("step_overdue", "pending"): 40}
