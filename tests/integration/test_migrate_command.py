"""`python -m services.<name> migrate`: the schema and topics are created, nothing keeps running, and it repeats."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import pytest

from libs.events.infra import Infrastructure
from tests.conftest import create_database

pytestmark = pytest.mark.infra


@pytest.mark.parametrize(("module", "prefix", "table"), [
    ("services.clients", "CLIENTS", "client_identities"),
    ("services.plans", "PLANS", "shared_clients"),
    ("services.matching", "MATCHING", "conflicts"),
    ("services.reporting", "REPORTING", "rm_client"),
    ("services.notifications", "NOTIFICATIONS", "reminders"),
])
async def test_migrate_creates_the_schema_and_exits(infra: Infrastructure, module: str, prefix: str,
                                                    table: str) -> None:
    database = await create_database(infra.postgres_dsn, "migrate")
    env = {**os.environ, f"PZW_{prefix}_DATABASE_URL": database, f"PZW_{prefix}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap}
    for _ in range(2):  # repeatable
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", module, "migrate", env=env)
        assert await asyncio.wait_for(process.wait(), 120) == 0
    conn = await asyncpg.connect(database)
    try:
        assert await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table)
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") > 0
    finally:
        await conn.close()
