"""The rebuild CLI (`python -m services.reporting rebuild`) on real Kafka and PostgreSQL: it refuses while the
service consumes, and replaying every read model from the topics gives the same rows again."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from typing import Any

import asyncpg
import pytest

from libs.events.infra import Infrastructure
from services.reporting.bootstrap import build_app
from services.reporting.config import ReportingSettings
from tests.conftest import create_database
from tests.integration.reporting import scenario, views_history
from tests.integration.reporting.conftest import TOPICS, caught_up, publish_history
from tests.integration.reporting.history import History, Office
from tests.support.kafka import read_whole_topic
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

TABLES_BY_CLIENT = ["rm_client", "rm_client_registration", "rm_pair", "rm_benefit", "rm_unemployment", "rm_plan",
                    "rm_plan_step", "rm_ipzs", "rm_cis_month", "rm_referral", "rm_conflict"]


async def cli(infra: Infrastructure, database: str, *args: str) -> tuple[int, str]:
    """Run `python -m services.reporting` with the test's database; return its exit code and output."""
    env = {**os.environ, "PZW_REPORTING_DATABASE_URL": database, "PZW_REPORTING_KAFKA_BOOTSTRAP": infra.kafka_bootstrap}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.reporting", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    return process.returncode or 0, output.decode()


async def snapshot(pool: asyncpg.Pool, clients: set[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    """Every row of the read models about the history's clients, in a stable order."""
    ids = list(clients)
    rows = {t: [dict(r) for r in await pool.fetch(f"SELECT * FROM {t} WHERE client_id = ANY($1) ORDER BY 1, 2", ids)]
            for t in TABLES_BY_CLIENT}
    rows["rm_plan_milestone"] = [dict(r) for r in await pool.fetch(
        "SELECT m.* FROM rm_plan_milestone m JOIN rm_plan p USING (plan_id) WHERE p.client_id = ANY($1) "
        "ORDER BY 1, 2", ids)]
    return rows


async def dead_letters_about(infra: Infrastructure, clients: set[uuid.UUID]) -> int:
    """How many records of the dead-letter topics are keyed by one of `clients`."""
    keys = {str(c).encode() for c in clients}
    found = 0
    for topic in TOPICS:
        found += sum(1 for r in await read_whole_topic(infra.kafka_bootstrap, f"{topic}.dlq") if r.key in keys)
    return found


def clients_of(history: History) -> set[uuid.UUID]:
    return {c for e in history.events if (c := getattr(e.payload, "client_id", None)) is not None}


async def test_rebuild_replays_every_read_model_into_the_same_rows(infra: Infrastructure) -> None:
    office = Office()
    database = await create_database(infra.postgres_dsn, "rebuild")
    histories = [views_history.build(office).history, scenario.build(Office()).history]
    clients = set().union(*(clients_of(h) for h in histories))
    pool = await asyncpg.create_pool(database, min_size=1, max_size=4)
    try:
        settings = ReportingSettings(database_url=database, kafka_bootstrap=infra.kafka_bootstrap)
        async with serving(build_app(settings)):
            for history in histories:
                await publish_history(infra.kafka_bootstrap, history)
            await eventually(lambda: caught_up(pool, infra.kafka_bootstrap), within=60, interval=0.2)
            code, output = await cli(infra, database, "rebuild")
            assert code == 1, output
            assert "refused" in output
            assert "running" in output
            before = await snapshot(pool, clients)
        assert all(before[t] for t in [*TABLES_BY_CLIENT, "rm_plan_milestone"]), {t: len(r) for t, r in before.items()}

        # The read models get damaged; the rebuild starts from nothing and replays the topics.
        await pool.execute("UPDATE rm_plan SET outcome = 'damaged'")
        await pool.execute("DELETE FROM rm_pair")
        dead_before = await dead_letters_about(infra, clients)
        code, output = await cli(infra, database, "rebuild")
        # The topics are the session's: other tests' deliberately broken messages may go to the dead-letter
        # topics again (exit code 2); none may be about this test's clients.
        assert code in (0, 2), output
        assert "rebuilt records, referrals:" in output
        assert await dead_letters_about(infra, clients) == dead_before == 0
        assert await snapshot(pool, clients) == before

        code, output = await cli(infra, database, "rebuild", "casework", "no_such_model")
        assert code == 1
        assert "unknown read model" in output
        code, output = await cli(infra, database, "rebuild", "casework")  # with the rest of its group
        assert code in (0, 2), output
        assert "rebuilt records:" in output
        assert await snapshot(pool, clients) == before
    finally:
        await pool.close()

