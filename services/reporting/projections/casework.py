"""Read model of casework: the paired workers and sharing of every client per PUP-OPS pair, regions, benefits and
unemployment status (what the PUP and the OPS show next to each other)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import clients as ev
from libs.events.topics import CLIENTS
from services.reporting.projections.upserts import RowChanges, table

PAIR = table("rm_pair", "client_id uuid, pup_institution_id text, ops_institution_id text",
             "region_id uuid, job_broker text, career_counsellor text, social_worker text, shared boolean, "
             "sharing_active boolean, agreement_id uuid, identified_on date, stopped_on date, stop_reason text, "
             "updated_at timestamptz")
REGION = table("rm_region", "region_id uuid",
               "name text, pup_institution_id text, ops_institution_id text, gminas text[], postal_codes text[], "
               "job_broker text, career_counsellor text, social_worker text, removed boolean, updated_at timestamptz")
BENEFIT = table("rm_benefit", "benefit_id uuid",
                "client_id uuid, institution_id text, institution_kind text, kind text, basis text, "
                "monthly_amount numeric, valid_from date, valid_to date, suspended_from date, "
                "suspension_reason text, ended_on date, end_reason text, updated_at timestamptz")
UNEMPLOYMENT = table("rm_unemployment", "client_id uuid, institution_id text",
                     "status text, reason text, effective_on date, with_benefit_right boolean, updated_at timestamptz")


class Casework(Projection):
    """Pairs, workers, sharing, regions, benefits and unemployment status, from the clients context."""

    name: ClassVar[str] = "casework"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS,)
    handles: ClassVar[frozenset[str]] = frozenset({
        "ClientAssignedToRegion", "CaseWorkersAssigned", "SharedClientIdentified", "SharedClientSharingStopped",
        "RegionDefined", "RegionRemoved", "BenefitGranted", "BenefitSuspended", "BenefitEnded",
        "UnemploymentStatusChanged"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql", "casework_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        changes = RowChanges()
        for event in events:
            _fold(changes, event)
        await changes.write(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_pair, rm_region, rm_benefit, rm_unemployment")


PairEvent = (ev.ClientAssignedToRegion | ev.CaseWorkersAssigned | ev.SharedClientIdentified
             | ev.SharedClientSharingStopped)


def _fold(changes: RowChanges, event: RecordedEvent) -> None:
    """Record the row changes of one event."""
    p, at = event.payload, event.occurred_at
    if isinstance(p, PairEvent):
        _pair(changes, p, at)
    elif isinstance(p, ev.RegionDefined):
        w = p.workers
        changes.set(REGION, (p.region_id,), name=p.name, pup_institution_id=p.pup_institution_id,
                    ops_institution_id=p.ops_institution_id, gminas=list(p.area.gminas),
                    postal_codes=list(p.area.postal_codes), job_broker=w.job_broker,
                    career_counsellor=w.career_counsellor, social_worker=w.social_worker, removed=False,
                    updated_at=at)
    elif isinstance(p, ev.RegionRemoved):
        changes.set(REGION, (p.region_id,), pup_institution_id=p.pup_institution_id,
                    ops_institution_id=p.ops_institution_id, removed=True, updated_at=at)
    elif isinstance(p, ev.BenefitGranted):
        changes.set(BENEFIT, (p.benefit_id,), client_id=p.client_id, institution_id=p.institution_id,
                    institution_kind=p.institution_kind.value, kind=p.kind, basis=p.basis.value,
                    monthly_amount=p.monthly_amount, valid_from=p.period.from_, valid_to=p.period.to,
                    updated_at=at)
    elif isinstance(p, ev.BenefitSuspended):
        changes.set(BENEFIT, (p.benefit_id,), client_id=p.client_id, suspended_from=p.suspended_from,
                    suspension_reason=p.reason, updated_at=at)
    elif isinstance(p, ev.BenefitEnded):
        changes.set(BENEFIT, (p.benefit_id,), client_id=p.client_id, ended_on=p.ended_on, end_reason=p.reason,
                    updated_at=at)
    elif isinstance(p, ev.UnemploymentStatusChanged):
        changes.set(UNEMPLOYMENT, (p.client_id, p.institution_id), status=p.status.value,
                    reason=p.reason.value if p.reason else None, effective_on=p.effective_on,
                    with_benefit_right=p.with_benefit_right, updated_at=at)


def _pair(changes: RowChanges, p: PairEvent, at: datetime) -> None:
    key = (p.client_id, p.pup_institution_id, p.ops_institution_id)
    if isinstance(p, ev.ClientAssignedToRegion):
        changes.set(PAIR, key, region_id=p.region_id, updated_at=at)
    elif isinstance(p, ev.CaseWorkersAssigned):
        changes.set(PAIR, key, job_broker=p.workers.job_broker, career_counsellor=p.workers.career_counsellor,
                    social_worker=p.workers.social_worker, updated_at=at)
    elif isinstance(p, ev.SharedClientIdentified):
        changes.set(PAIR, key, shared=True, sharing_active=True, agreement_id=p.agreement_id,
                    identified_on=p.identified_on, stopped_on=None, stop_reason=None, updated_at=at)
    elif isinstance(p, ev.SharedClientSharingStopped):
        changes.set(PAIR, key, sharing_active=False, stopped_on=p.stopped_on, stop_reason=p.reason, updated_at=at)
