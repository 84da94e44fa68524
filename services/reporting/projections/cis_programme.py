"""Read model of CIS participation: IPZS terms and endings, monthly attendance and integration-bonus decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import plans as ev
from libs.events.topics import PLANS
from services.reporting.projections.upserts import RowChanges, table

IPZS = table("rm_ipzs", "ipzs_id uuid",
             "plan_id uuid, client_id uuid, cis_institution_id text, worker text, main_goal text, started_on date, "
             "term_from date, term_to date, ended_on date, end_reason text, "
             "updated_at timestamptz")
MONTH = table("rm_cis_month", "ipzs_id uuid, month date",
              "plan_id uuid, client_id uuid, cis_institution_id text, days_scheduled integer, days_present integer, "
              "days_excused integer, recorded_by text, bonus_granted boolean, bonus_amount numeric, "
              "bonus_reason text, bonus_decided_by text, updated_at timestamptz")


class CisProgramme(Projection):
    """IPZS, attendance and integration bonus of CIS participants, from the plans context."""

    name: ClassVar[str] = "cis_programme"
    topics: ClassVar[tuple[str, ...]] = (PLANS,)
    handles: ClassVar[frozenset[str]] = frozenset({
        "IpzsSigned", "IpzsRenewed", "IpzsEnded", "CisAttendanceRecorded", "IntegrationBonusDecided"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql", "cis_programme_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        changes = RowChanges()
        for event in events:
            p, at = event.payload, event.occurred_at
            if isinstance(p, ev.IpzsSigned):
                changes.set(IPZS, (p.ipzs_id,), plan_id=p.plan_id, client_id=p.client_id,
                            cis_institution_id=p.cis.institution_id, worker=p.cis.worker, main_goal=p.main_goal.value,
                            started_on=p.term.from_, term_from=p.term.from_, term_to=p.term.to, updated_at=at)
            elif isinstance(p, ev.IpzsRenewed):
                changes.set(IPZS, (p.ipzs_id,), term_from=p.term.from_, term_to=p.term.to, updated_at=at)
            elif isinstance(p, ev.IpzsEnded):
                changes.set(IPZS, (p.ipzs_id,), ended_on=p.ended_on, end_reason=p.reason.value, updated_at=at)
            elif isinstance(p, ev.CisAttendanceRecorded):
                changes.set(MONTH, (p.ipzs_id, p.month), plan_id=p.plan_id, client_id=p.client_id,
                            cis_institution_id=p.cis_institution_id, days_scheduled=p.days_scheduled,
                            days_present=p.days_present, days_excused=p.days_excused, recorded_by=p.recorded_by,
                            updated_at=at)
            elif isinstance(p, ev.IntegrationBonusDecided):
                changes.set(MONTH, (p.ipzs_id, p.month), plan_id=p.plan_id, client_id=p.client_id,
                            cis_institution_id=p.cis_institution_id, bonus_granted=p.granted, bonus_amount=p.amount,
                            bonus_reason=p.reason, bonus_decided_by=p.decided_by, updated_at=at)
        await changes.write(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_ipzs, rm_cis_month")
