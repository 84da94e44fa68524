"""A due reminder fires exactly once across restarts of the service (real PostgreSQL and Kafka): the reminder is
stored while the service runs, falls due while it is down, and fires once after it comes back, never again."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from libs.events.infra import Infrastructure
from libs.events.infra.ports import free_port
from libs.events.topics import PLANS
from services.notifications.bootstrap import build_app
from tests.conftest import create_database
from tests.integration.notifications.harness import MovableClock, event_feed
from tests.integration.notifications.platform import settings_for, unique, worker_actor
from tests.support.services import eventually, serving
from tests.unit.notifications.builders import OPS, days, plan_opened, step_added, step_scheduled

pytestmark = pytest.mark.infra


async def test_a_due_reminder_fires_once_across_a_restart(infra: Infrastructure, tmp_path: Path) -> None:
    database = await create_database(infra.postgres_dsn, "notifyrestart")
    clock = MovableClock()
    settings = settings_for(infra, database, tmp_path, free_port(), f"notify-restart-{uuid.uuid4().hex[:8]}")
    owner = unique("wlasciciel@mops-510101")
    plan_id, client_id, step_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    db = await asyncpg.create_pool(database, min_size=1, max_size=2)

    async def reminder_status() -> str | None:
        try:
            value = await db.fetchval("SELECT status FROM reminders WHERE subject_id = $1 AND kind = 'step_due'",
                                      step_id)
        except asyncpg.UndefinedTableError:
            return None
        return str(value) if value else None

    async def sent_to_owner() -> int:
        return int(await db.fetchval(
            """SELECT count(*) FROM events WHERE event_type = 'NotificationSent'
               AND payload->>'recipient' = $1 AND payload->>'kind' = 'step_due'""", owner))

    try:
        async with event_feed(infra) as feed, serving(build_app(settings, clock)):
            events = [plan_opened(plan_id, client_id),
                      step_added(plan_id, client_id, step_id, owner_worker=owner, title="Terapia"),
                      step_scheduled(plan_id, client_id, step_id, days(4), days(20))]
            await feed.append(plan_id, events, topic=PLANS, actor=worker_actor(OPS, owner), key=client_id,
                              stream_type="plan")
            assert await eventually(reminder_status, within=60) == "pending"
            await asyncio.sleep(0.5)
            assert await sent_to_owner() == 0  # due in two days, not now
        clock.move_to(days(2), 9)  # the service is down when the reminder falls due
        async with serving(build_app(settings, clock)):
            await eventually(sent_to_owner, within=30)
            await asyncio.sleep(1)  # several rounds of the timer loop
            assert await sent_to_owner() == 1
            assert await reminder_status() == "done"
        async with serving(build_app(settings, clock)):
            await asyncio.sleep(1)
            assert await sent_to_owner() == 1
    finally:
        await db.close()
