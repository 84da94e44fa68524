"""HTTP views for supervisors of any institution (PUP, OPS, CIS): workers' caseloads, overdue steps, open
conflicts, and a one-look summary. Only actors with a supervisor role of the institution may read them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from libs.events.schemas.common import InstitutionKind
from services.reporting.calendar import today
from services.reporting.entrypoints.access import (
    READ_RESPONSES,
    ActorDep,
    ConfigDep,
    FiltersDep,
    Page,
    PagingDep,
    PoolDep,
    ReaderDep,
    as_page,
    audit,
    desk,
)
from services.reporting.entrypoints.views import CaseloadRow, ConflictRow, StepRow
from services.reporting.queries import ops
from services.reporting.queries.caseload import caseload
from services.reporting.queries.common import Paging
from services.reporting.queries.steps import steps

router = APIRouter(prefix="/supervisor/{institution_id}", tags=["supervisor views"], responses=READ_RESPONSES)
ANY_DESK = {InstitutionKind.PUP, InstitutionKind.OPS, InstitutionKind.CIS}


@router.get("/caseloads", response_model=list[CaseloadRow])
async def caseloads(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep,
                    f: FiltersDep) -> list[CaseloadRow]:
    """Every worker's caseload: assigned clients, shared ones, open plans, open and overdue steps."""
    scoped = desk(actor, institution_id, ANY_DESK, settings, f, supervisors_only=True)
    return [CaseloadRow(**r) for r in await caseload(db, scoped, today())]


@router.get("/overdue-steps", response_model=Page[StepRow])
async def overdue_steps(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep,
                        reader: ReaderDep,
                        paging: PagingDep) -> Page[StepRow]:
    """Open steps of the institution past their due day, the longest overdue first."""
    scoped = desk(actor, institution_id, ANY_DESK, settings, f, supervisors_only=True)
    rows = await steps(db, scoped, today(), paging, "open", overdue_only=True)
    await audit(reader, "supervisor.overdue_steps", scoped, rows.items)
    return as_page(rows, paging, StepRow)


@router.get("/conflicts", response_model=Page[ConflictRow])
async def open_conflicts(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep,
                         reader: ReaderDep,
                         paging: PagingDep, status: ops.ConflictStatus = "open") -> Page[ConflictRow]:
    """Conflicts naming the institution (open by default), most severe and newest first."""
    scoped = desk(actor, institution_id, ANY_DESK, settings, f, supervisors_only=True)
    rows = await ops.conflicts(db, scoped, paging, status)
    await audit(reader, "supervisor.conflicts", scoped, rows.items)
    return as_page(rows, paging, ConflictRow)


class Summary(BaseModel):
    """The institution at a glance (no personal data)."""

    workers: int
    clients: int
    open_plans: int
    open_steps: int
    overdue_steps: int
    open_conflicts: int


@router.get("/summary", response_model=Summary)
async def summary(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep,
                  f: FiltersDep) -> Summary:
    """Totals over the workers' caseloads, and the number of open conflicts."""
    scoped = desk(actor, institution_id, ANY_DESK, settings, f, supervisors_only=True)
    rows = await caseload(db, scoped, today())
    conflicts = await ops.conflicts(db, scoped, Paging(limit=1), "open")
    return Summary(workers=len(rows), open_conflicts=conflicts.total or 0,
                   **{k: sum(r[k] for r in rows) for k in ("clients", "open_plans", "open_steps", "overdue_steps")})
