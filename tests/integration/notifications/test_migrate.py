"""`python -m services.notifications migrate`: tables and topics made ahead of the service (one-shot deploys)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from libs.events.infra import Infrastructure
from tests.conftest import create_database
from tests.integration.notifications.harness import routing_file

pytestmark = pytest.mark.infra


async def test_migrate_creates_every_table_and_exits_and_can_run_again(infra: Infrastructure,
                                                                       tmp_path: Path) -> None:
    database = await create_database(infra.postgres_dsn, "notifymigrate")
    env = {**os.environ, "PZW_NOTIFICATIONS_DATABASE_URL": database,
           "PZW_NOTIFICATIONS_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
           "PZW_NOTIFICATIONS_ROUTING_PATH": str(routing_file(tmp_path)),
           "PZW_NOTIFICATIONS_PROCESS_NAME": f"notify-migrate-{uuid.uuid4().hex[:8]}"}
    for _ in range(2):  # repeatable
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.notifications", "migrate",
                                                       env=env)
        assert await asyncio.wait_for(process.wait(), 120) == 0
    conn = await asyncpg.connect(database)
    try:
        tables = {r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert await conn.fetchval("SELECT count(*) FROM projection_offsets") == 0  # nothing consumed
    finally:
        await conn.close()
    assert {"events", "outbox", "notifications", "preferences", "reminders", "mails", "notify_client_workers",
            "notify_plans", "notify_steps", "notify_ipzs", "projection_offsets"} <= tables
