"""The conflict detector (faust worker) as a process for tests, and what it wrote to PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg

from libs.events.infra import Infrastructure
from tests.support.services import eventually


class Detector:
    """The detector process and what it wrote."""

    def __init__(self, infra: Infrastructure, database: str, data_dir: Path) -> None:
        self.infra, self.database, self.data_dir = infra, database, data_dir
        self.group = f"test-detector-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen[bytes] | None = None
        self.pool: asyncpg.Pool | None = None

    def start(self, timer_interval: float = 1) -> None:
        env = {**os.environ, "PZW_MATCHING_DATABASE_URL": self.database,
               "PZW_MATCHING_KAFKA_BOOTSTRAP": self.infra.kafka_bootstrap, "PZW_MATCHING_STREAM_APP_ID": self.group,
               "PZW_MATCHING_STREAM_DATA_DIR": str(self.data_dir),
               "PZW_MATCHING_TIMER_INTERVAL_SECONDS": str(timer_interval)}
        log = (self.data_dir / "detector.log").open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "services.matching.conflicts"], env=env,
                                        stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def conflicts(self, client: uuid.UUID) -> list[asyncpg.Record]:
        assert self.pool is not None
        try:
            return list(await self.pool.fetch("SELECT * FROM conflicts WHERE client_id = $1 ORDER BY rule_id",
                                              client))
        except asyncpg.UndefinedTableError:
            return []

    async def rules_for(self, client: uuid.UUID, count: int, within: float = 30) -> list[str]:
        async def enough() -> list[str] | None:
            rows = await self.conflicts(client)
            return [r["rule_id"] for r in rows] if len(rows) >= count else None

        return await eventually(enough, within=within)
