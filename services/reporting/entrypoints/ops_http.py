"""HTTP views of a social-assistance centre (OPS): caseload per social worker, benefits next to the PUP status,
social-contract steps, and the conflicts inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

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
from services.reporting.entrypoints.views import BenefitRow, CaseloadRow, ConflictRow, StepRow
from services.reporting.queries import ops
from services.reporting.queries.caseload import caseload
from services.reporting.queries.steps import StepStatus, steps

router = APIRouter(prefix="/ops/{institution_id}", tags=["OPS views"], responses=READ_RESPONSES)
OPS = {InstitutionKind.OPS}


@router.get("/caseload", response_model=list[CaseloadRow])
async def ops_caseload(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep,
                       f: FiltersDep) -> list[CaseloadRow]:
    """Caseload per social worker: clients of the OPS assigned to them, shared ones, open plans, own steps."""
    scoped = desk(actor, institution_id, OPS, settings, f, aggregate=True)
    return [CaseloadRow(**r) for r in await caseload(db, scoped, today())]


@router.get("/benefits", response_model=Page[BenefitRow])
async def ops_benefits(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    status: ops.BenefitStatus = "active",
) -> Page[BenefitRow]:
    """Benefits paid in the period next to the client's status at the PUP (flagging a questioned basis)."""
    scoped = desk(actor, institution_id, OPS, settings, f)
    rows = await ops.benefits(db, scoped, paging, status)
    await audit(reader, "ops.benefits", scoped, rows.items)
    return as_page(rows, paging, BenefitRow)


@router.get("/social-contract-steps", response_model=Page[StepRow])
async def ops_steps(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    status: StepStatus = "open", overdue_only: bool = False,
) -> Page[StepRow]:
    """Steps of the OPS (the social contract's part of the joint plans) due in the period, by status."""
    scoped = desk(actor, institution_id, OPS, settings, f)
    rows = await steps(db, scoped, today(), paging, status, overdue_only)
    await audit(reader, "ops.social_contract_steps", scoped, rows.items)
    return as_page(rows, paging, StepRow)


@router.get("/conflicts", response_model=Page[ConflictRow])
async def ops_conflicts(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    status: ops.ConflictStatus = "open",
    rule_id: Annotated[str | None, Query(pattern=r"^R\d+$")] = None,
) -> Page[ConflictRow]:
    """The conflicts inbox: conflicts naming the OPS (open by default), most severe and newest first."""
    scoped = desk(actor, institution_id, OPS, settings, f)
    rows = await ops.conflicts(db, scoped, paging, status, rule_id)
    await audit(reader, "ops.conflicts", scoped, rows.items)
    return as_page(rows, paging, ConflictRow)
