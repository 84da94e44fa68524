"""Read model of benefit conflicts (the conflicts inbox of each institution, and the indicators' source)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import conflicts as ev
from libs.events.topics import CONFLICTS
from services.reporting.calendar import warsaw_date
from services.reporting.projections.upserts import RowChanges, table

CONFLICT = table("rm_conflict", "conflict_id uuid",
                 "client_id uuid, rule_id text, rule_version integer, severity text, period_from date, "
                 "period_to date, explanation_pl text, explanation_en text, legal_basis text, institutions text[], "
                 "evidence_event_ids uuid[], detected_at timestamptz, detected_on date, resolution text, "
                 "resolution_reason text, resolved_by text, resolved_by_institution text, resolved_at timestamptz, "
                 "updated_at timestamptz")


class Conflicts(Projection):
    """Conflicts detected and resolved, from the conflicts context."""

    name: ClassVar[str] = "conflicts"
    topics: ClassVar[tuple[str, ...]] = (CONFLICTS,)
    handles: ClassVar[frozenset[str]] = frozenset({"BenefitConflictDetected", "BenefitConflictResolved"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql", "conflicts_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        changes = RowChanges()
        for event in events:
            p, at = event.payload, event.occurred_at
            if isinstance(p, ev.BenefitConflictDetected):
                changes.set(CONFLICT, (p.conflict_id,), client_id=p.client_id, rule_id=p.rule_id,
                            rule_version=p.rule_version, severity=p.severity.value, period_from=p.period.from_,
                            period_to=p.period.to, explanation_pl=p.explanation_pl, explanation_en=p.explanation_en,
                            legal_basis=p.legal_basis, institutions=list(p.institutions),
                            evidence_event_ids=list(p.evidence_event_ids), detected_at=p.detected_at,
                            detected_on=warsaw_date(p.detected_at), updated_at=at)
            elif isinstance(p, ev.BenefitConflictResolved):
                changes.set(CONFLICT, (p.conflict_id,), client_id=p.client_id, resolution=p.resolution.value,
                            resolution_reason=p.reason, resolved_by=p.resolved_by,
                            resolved_by_institution=p.institution_id, resolved_at=at, updated_at=at)
        await changes.write(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_conflict")
