"""HTTP views of a labour office (PUP): caseload per job broker, shared clients with their OPS status, IPD steps
due, referrals and their outcomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Literal

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
from services.reporting.entrypoints.views import CaseloadRow, ReferralRow, SharedClientRow, StepRow
from services.reporting.queries import pup
from services.reporting.queries.caseload import caseload
from services.reporting.queries.common import Filters
from services.reporting.queries.steps import steps

router = APIRouter(prefix="/pup/{institution_id}", tags=["PUP views"], responses=READ_RESPONSES)
PUP = {InstitutionKind.PUP}


@router.get("/caseload", response_model=list[CaseloadRow])
async def pup_caseload(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep,
                       f: FiltersDep) -> list[CaseloadRow]:
    """Caseload per job broker: clients of the PUP assigned to them, shared ones, open plans, own steps."""
    scoped = desk(actor, institution_id, PUP, settings, f, aggregate=True)
    return [CaseloadRow(**r) for r in await caseload(db, scoped, today())]


@router.get("/shared-clients", response_model=Page[SharedClientRow])
async def pup_shared_clients(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    include_stopped: Annotated[bool, Query(description="also clients whose sharing stopped")] = False,
) -> Page[SharedClientRow]:
    """Shared clients with their OPS status: the OPS benefits in force, the social contract, the OPS steps."""
    scoped = desk(actor, institution_id, PUP, settings, f)
    rows = await pup.shared_clients(db, scoped, paging, include_stopped)
    await audit(reader, "pup.shared_clients", scoped, rows.items)
    return as_page(rows, paging, SharedClientRow)


@router.get("/steps-due", response_model=Page[StepRow])
async def pup_steps_due(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    overdue_only: bool = False,
) -> Page[StepRow]:
    """Open IPD steps of the PUP due in the period (default: everything due within 14 days, overdue included)."""
    scoped = desk(actor, institution_id, PUP, settings, _next_two_weeks(f))
    rows = await steps(db, scoped, today(), paging, "open", overdue_only)
    await audit(reader, "pup.steps_due", scoped, rows.items)
    return as_page(rows, paging, StepRow)


class ReferralPage(Page[ReferralRow]):
    """Referrals of the page, and how all referrals of the filter ended (count per outcome)."""

    outcomes: dict[str, int]


@router.get("/referrals", response_model=ReferralPage)
async def pup_referrals(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    outcome: Literal["pending", "accepted", "refused", "no_show", "employed"] | None = None,
) -> ReferralPage:
    """Referrals (skierowania) issued in the period, newest first, with outcomes and their totals."""
    scoped = desk(actor, institution_id, PUP, settings, f)
    rows = await pup.referrals(db, scoped, paging, outcome)
    await audit(reader, "pup.referrals", scoped, rows.items)
    page = as_page(rows, paging, ReferralRow)
    return ReferralPage(**dict(page), outcomes=await pup.referral_outcomes(db, scoped))


def _next_two_weeks(f: Filters) -> Filters:
    return f if f.end is not None else replace(f, end=today() + timedelta(days=14))
