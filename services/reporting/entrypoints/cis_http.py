"""HTTP views of a social-integration centre (CIS): IPZS expiring, attendance, integration-bonus candidates,
graduates due for follow-up, participants per instructor against the 1:5 limit. Each shows the norms it applied."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from libs.events.schemas.common import InstitutionKind
from services.reporting.calendar import add_months, month_start, today
from services.reporting.entrypoints.access import (
    FIRST_DAY,
    LAST_DAY,
    READ_RESPONSES,
    ActorDep,
    ConfigDep,
    FiltersDep,
    Page,
    PagingDep,
    PoolDep,
    ReaderDep,
    ReadModelConfig,
    as_page,
    audit,
    desk,
    invalid,
)
from services.reporting.entrypoints.views import (
    CaseloadRow,
    GraduateRow,
    InstructorRow,
    IpzsRow,
    MonthRow,
    NormView,
)
from services.reporting.queries import cis
from services.reporting.queries.caseload import caseload

router = APIRouter(prefix="/cis/{institution_id}", tags=["CIS views"], responses=READ_RESPONSES)
CIS = {InstitutionKind.CIS}


def norm(settings: ReadModelConfig, norm_id: str, day: date) -> NormView:
    return NormView.model_validate(settings.norms.on(norm_id, day).model_dump())


class IpzsPage(Page[IpzsRow]):
    norms: list[NormView]


@router.get("/ipzs-expiring", response_model=IpzsPage)
async def ipzs_expiring(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    within_days: Annotated[int | None, Query(ge=0, le=366, description="default: the norm ipzs_expiring_days")] = None,
) -> IpzsPage:
    """Running IPZS whose term ends within the coming days, or lapsed without a renewal or an ending."""
    scoped = desk(actor, institution_id, CIS, settings, f)
    day = today()
    applied = norm(settings, "ipzs_expiring_days", day)
    rows = await cis.ipzs_expiring(db, scoped, day, within_days if within_days is not None else int(applied.value),
                                   paging)
    await audit(reader, "cis.ipzs_expiring", scoped, rows.items)
    return IpzsPage(**dict(as_page(rows, paging, IpzsRow)), norms=[applied])


@router.get("/attendance", response_model=Page[MonthRow])
async def attendance(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep,
                     reader: ReaderDep,
                     paging: PagingDep) -> Page[MonthRow]:
    """Monthly attendance of the participants in the period (months starting in it), newest first."""
    scoped = desk(actor, institution_id, CIS, settings, f)
    rows = await cis.attendance(db, scoped, paging)
    await audit(reader, "cis.attendance", scoped, rows.items)
    return as_page(rows, paging, MonthRow)


class MonthPage(Page[MonthRow]):
    month: date
    norms: list[NormView]


@router.get("/bonus-candidates", response_model=MonthPage)
async def bonus_candidates(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    month: Annotated[str | None, Query(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", description="default: last month")
                     ] = None,
    undecided_only: bool = False,
) -> MonthPage:
    """Integration-bonus candidates of a month: attendance meeting the norms, with the decision once taken."""
    scoped = desk(actor, institution_id, CIS, settings, f)
    first = date.fromisoformat(f"{month}-01") if month else add_months(month_start(today()), -1)
    try:
        share, unexcused = (norm(settings, "bonus_min_attendance", first),
                            norm(settings, "bonus_max_unexcused_days", first))
    except KeyError as missing:
        raise invalid("month", str(missing)) from None
    rows = await cis.bonus_candidates(db, scoped, first, float(share.value), int(unexcused.value), undecided_only,
                                      paging)
    await audit(reader, "cis.bonus_candidates", scoped, rows.items)
    return MonthPage(**dict(as_page(rows, paging, MonthRow)), month=first, norms=[share, unexcused])


class GraduatePage(Page[GraduateRow]):
    norms: list[NormView]


@router.get("/graduates-follow-up", response_model=GraduatePage)
async def graduates(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep,
                    reader: ReaderDep,
                    paging: PagingDep) -> GraduatePage:
    """Graduates whose follow-up (months after the IPZS ended, per the norm) falls due in the period (default:
    30 days either side of today), with the OPS and PUP workers who carry on."""
    day = today()
    if f.start is None and f.end is None:
        f = replace(f, start=day - timedelta(days=30), end=day + timedelta(days=30))
    scoped = desk(actor, institution_id, CIS, settings, f)
    applied = norm(settings, "graduate_follow_up_months", day)
    months = applied.value if isinstance(applied.value, list) else [int(applied.value)]
    rows = await cis.graduates_due(db, scoped, months, paging)
    await audit(reader, "cis.graduates_follow_up", scoped, rows.items)
    return GraduatePage(**dict(as_page(rows, paging, GraduateRow)), norms=[applied])


class InstructorsView(BaseModel):
    """Participants per instructor on a day, and the limit in force that day."""

    on: date
    norm: NormView
    instructors: list[InstructorRow]


@router.get("/instructors", response_model=InstructorsView)
async def instructors(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep,
    on: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="the day (default: today)")] = None,
) -> InstructorsView:
    """Participants per instructor (worker of the CIS-class steps covering the day) against the legal limit."""
    scoped = desk(actor, institution_id, CIS, settings, f, aggregate=True)
    day = on or today()
    try:
        limit = norm(settings, "cis_participants_per_instructor", day)
    except KeyError as missing:
        raise invalid("on", str(missing)) from None
    rows = await cis.instructors(db, scoped, day)
    cap = int(limit.value)
    return InstructorsView(on=day, norm=limit, instructors=[
        InstructorRow(**r, limit=cap, over_limit=r["participants"] > cap) for r in rows])


@router.get("/caseload", response_model=list[CaseloadRow])
async def cis_caseload(institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep,
                       f: FiltersDep) -> list[CaseloadRow]:
    """Caseload per CIS worker: running IPZS they signed, own open and overdue steps."""
    scoped = desk(actor, institution_id, CIS, settings, f, aggregate=True)
    return [CaseloadRow(**r) for r in await caseload(db, scoped, today())]
