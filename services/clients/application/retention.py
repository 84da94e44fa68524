"""Retention: erase client records and prune import bookkeeping when their retention period (retention.toml) ends.

When the clients service cannot see plans directly (another service's database), a small projection of
`PlanOpened`/`PlanClosed` keeps each client's plan clock: how many plans are open and when the last one closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import tomllib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Literal

import asyncpg
import structlog
from pydantic import BaseModel, ConfigDict, Field

from libs.events.db import Connection
from libs.events.envelope import Actor, RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas.clients import ErasureBasis
from libs.events.schemas.plans import PlanClosed, PlanOpened
from libs.events.topics import PLANS
from services.clients.application.erasure import ErasureApplication

log = structlog.get_logger(__name__)

DEFAULT_RETENTION = Path(__file__).resolve().parent.parent / "retention.toml"
RETENTION_ACTOR = Actor.system("clients.retention")


class Kind(BaseModel):
    """How long one kind of data is kept, counted from `after`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    after: Literal["last_plan_closed", "last_change", "row_applied", "import_finished"]
    days: int = Field(ge=1, le=36500)


class RetentionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[Literal["client_record", "client_record_without_plan", "import_rows", "import_reports"], Kind]

    @classmethod
    def load(cls, path: Path = DEFAULT_RETENTION) -> RetentionRules:
        return cls.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


class PlanClock(Projection):
    """Per client: open plans and the day the last one closed (what `last_plan_closed` counts from)."""

    name: ClassVar[str] = "clients_plan_clock"
    topics: ClassVar[tuple[str, ...]] = (PLANS,)
    handles: ClassVar[frozenset[str]] = frozenset({"PlanOpened", "PlanClosed"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.clients.adapters.sql", "plan_clock_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            p = event.payload
            if isinstance(p, PlanOpened):
                await conn.execute(
                    """INSERT INTO client_plan_clock (client_id, open_plans) VALUES ($1, 1)
                       ON CONFLICT (client_id) DO UPDATE SET open_plans = client_plan_clock.open_plans + 1""",
                    p.client_id)
            elif isinstance(p, PlanClosed):
                await conn.execute(
                    """INSERT INTO client_plan_clock (client_id, open_plans, last_closed_on) VALUES ($1, 0, $2)
                       ON CONFLICT (client_id) DO UPDATE SET open_plans = greatest(client_plan_clock.open_plans - 1, 0),
                           last_closed_on = greatest(client_plan_clock.last_closed_on, $2)""",
                    p.client_id, p.closed_on)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE client_plan_clock")


@dataclass(frozen=True, slots=True)
class RetentionReport:
    erased: list[uuid.UUID]
    import_rows_pruned: int = 0
    import_reports_pruned: int = 0


class RetentionJob:
    """Finds what is due on `today` and erases or prunes it (`dry_run` only reports)."""

    def __init__(self, pool: asyncpg.Pool, erasure: ErasureApplication, rules: RetentionRules) -> None:
        self._pool = pool
        self._erasure = erasure
        self._rules = rules

    async def due_clients(self, today: date) -> list[uuid.UUID]:
        with_plan = self._rules.kinds.get("client_record")
        without_plan = self._rules.kinds.get("client_record_without_plan")
        found: list[uuid.UUID] = []
        if with_plan is not None:
            found += [r["client_id"] for r in await self._pool.fetch(
                """SELECT c.client_id FROM client_plan_clock c
                   JOIN event_streams s ON s.stream_type = 'client' AND s.stream_id = c.client_id::text
                   LEFT JOIN client_keys k ON k.client_id = c.client_id::text
                   WHERE c.open_plans = 0 AND c.last_closed_on < $1 AND k.erased_at IS NULL""",
                today - timedelta(days=with_plan.days))]
        if without_plan is not None:
            found += [uuid.UUID(r["stream_id"]) for r in await self._pool.fetch(
                """SELECT s.stream_id FROM event_streams s
                   LEFT JOIN client_keys k ON k.client_id = s.stream_id
                   WHERE s.stream_type = 'client' AND k.erased_at IS NULL
                     AND NOT EXISTS (SELECT 1 FROM client_plan_clock c WHERE c.client_id::text = s.stream_id)
                     AND (SELECT max(e.occurred_at) FROM events e WHERE e.stream_id = s.stream_id) < $1""",
                today - timedelta(days=without_plan.days))]
        return sorted(set(found))

    async def run(self, today: date, *, dry_run: bool = False) -> RetentionReport:
        due = await self.due_clients(today)
        if dry_run:
            return RetentionReport(due)
        for client_id in due:
            await self._erasure.erase(client_id, ErasureBasis.RETENTION_EXPIRED, RETENTION_ACTOR)
            log.info("client erased: retention period ended", client_id=str(client_id))
        rows = await self._prune("import_rows", "DELETE FROM import_rows WHERE updated_at < $1", today)
        reports = await self._prune("import_reports", "DELETE FROM import_batches WHERE status <> 'running' "
                                    "AND coalesce(finished_at, updated_at) < $1", today)  # rejections cascade
        return RetentionReport(due, rows, reports)

    async def _prune(self, kind: str, statement: str, today: date) -> int:
        rule = self._rules.kinds.get(kind)  # type: ignore[call-overload]
        if rule is None:
            return 0
        status = await self._pool.execute(statement, today - timedelta(days=rule.days))
        return int(status.split()[-1])

    async def run_every(self, stop: asyncio.Event, interval: float) -> None:
        """Run the job now and then every `interval` seconds until `stop`."""
        while not stop.is_set():
            report = await self.run(datetime.now(UTC).date())
            if report.erased or report.import_rows_pruned:
                log.info("retention job done", erased=len(report.erased), import_rows=report.import_rows_pruned)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
