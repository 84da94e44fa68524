"""Nothing accepted is lost, nothing is applied twice, and one client's events stay in order, while Kafka,
PostgreSQL, the consumer and the outbox relay are killed and restarted under a load of 20,000 commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.events.infra import Infrastructure
from tests.conftest import create_database
from tests.reliability import scenario

pytestmark = pytest.mark.infra


@pytest.mark.timeout(900)  # 20,000 commands with four faults and their recoveries: minutes, not seconds
async def test_faults_under_load_lose_nothing_and_duplicate_nothing(infra: Infrastructure, tmp_path: Path) -> None:
    if infra.kafka is None or infra.postgres is None:
        pytest.skip("fault injection kills the local server processes; these servers are not local")
    databases = (await create_database(infra.postgres_dsn, "rel_clients"),
                 await create_database(infra.postgres_dsn, "rel_reporting"))
    result = await scenario.run(infra, databases, tmp_path)
    assert result.commands == 20_000
    assert len(result.faults) == 4
    assert result.lost == 0
    assert result.wrong_order == 0, result.examples
    assert result.duplicate_effects == 0
    assert result.events_on_kafka - result.redelivered_on_kafka == result.commands
