"""HTTP API of the indicators: per institution, region and period, as JSON or CSV, monthly series and SVG charts.
Indicators are aggregates without personal data: any caller may read them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from libs.events.http import NotFound
from libs.events.schemas.common import InstitutionKind, institution_kind
from services.reporting.calendar import add_months, month_start, today
from services.reporting.entrypoints.access import (
    FIRST_DAY,
    INSTITUTION,
    LAST_DAY,
    TERYT,
    TEXT,
    ConfigDep,
    PoolDep,
    invalid,
    period,
)
from services.reporting.indicators import chart, export
from services.reporting.indicators.scope import Scope
from services.reporting.indicators.service import Indicators

router = APIRouter(prefix="/indicators", tags=["indicators"], responses={
    404: {"description": "unknown indicator"}, 422: {"description": "invalid filter (named in `errors[].field`)"}})
EXPORTS: dict[int | str, dict[str, Any]] = {200: {"description": "JSON, or CSV with format=csv", "content": {
    "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}}}
MAX_SERIES_MONTHS = 60
DEFAULT_CHART = "activation_6m_all,activation_6m_listed,activation_6m_project_target"
Format = Literal["json", "csv"]


def scope(
    institution_id: Annotated[str | None, Query(max_length=64, pattern=INSTITUTION, description="a PUP, OPS or CIS")
                              ] = None,
    teryt: Annotated[str | None, Query(pattern=TERYT, description="TERYT of voivodeship, county or gmina")] = None,
    gmina: Annotated[str | None, Query(max_length=100, pattern=TEXT)] = None,
    region_id: Annotated[uuid.UUID | None, Query(description="region (rejon) of the clients context")] = None,
    start: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY,
                                        description="default: 12 months back to `to`")] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY, description="default: as_of")] = None,
    as_of: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY,
                                        description="the day windows are judged on (default: today)")] = None,
) -> Scope:
    """The scope of an indicator query from the query string."""
    if institution_id and institution_kind(institution_id) not in (
            InstitutionKind.PUP, InstitutionKind.OPS, InstitutionKind.CIS):
        raise invalid("institution_id", f"{institution_id} is not a PUP, OPS or CIS (regional figures: use teryt or "
                      "region_id)")
    day = as_of or today()
    end = end or day
    start, _ = period(start or month_start(add_months(end, -11)), end)
    assert start is not None
    return Scope(start, end, day, institution_id, teryt, gmina, region_id)


ScopeDep = Annotated[Scope, Depends(scope)]


def _ids(ids: str | None) -> list[str] | None:
    return [i.strip() for i in ids.split(",") if i.strip()] if ids else None


def _answer(body: dict[str, Any] | str, fmt: Format, name: str) -> Response:
    if fmt == "csv":
        assert isinstance(body, str)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return JSONResponse(body)


@router.get("", responses=EXPORTS)
async def indicators(s: ScopeDep, db: PoolDep, settings: ConfigDep, format: Format = "json",
                     ids: Annotated[str | None, Query(description="comma-separated indicator ids")] = None
                     ) -> Response:
    """Every indicator (or those named) for the scope and period, each with its definition, basis and references."""
    values = await Indicators(db, settings.definitions).compute(s, _ids(ids))
    return _answer(export.csv_table(values, s) if format == "csv" else export.document(values, s), format,
                   "indicators")


@router.get("/definitions")
async def definitions(settings: ConfigDep,
                      on: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY)] = None) -> dict[str, Any]:
    """The definitions in force on a day (default: every version)."""
    chosen = settings.definitions.all_in_force(on) if on else list(settings.definitions.indicator)
    return {"definitions": [export.definition_view(d) for d in chosen]}


def _months(s: Scope) -> None:
    count = (s.end.year - s.start.year) * 12 + s.end.month - s.start.month + 1
    if count > MAX_SERIES_MONTHS:
        raise invalid("from", f"a series covers at most {MAX_SERIES_MONTHS} months, not {count}")


@router.get("/series", responses=EXPORTS)
async def series(s: ScopeDep, db: PoolDep, settings: ConfigDep, format: Format = "json",
                 ids: Annotated[str | None, Query(description="comma-separated indicator ids")] = None) -> Response:
    """The indicators month by month over the period (entries, detections or openings of each month)."""
    _months(s)
    values = await Indicators(db, settings.definitions).compute(s, _ids(ids), monthly=True)
    body = export.csv_table(values, s) if format == "csv" else export.series_document(values, s)
    return _answer(body, format, "indicator-series")


@router.get("/chart.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
async def chart_svg(s: ScopeDep, db: PoolDep, settings: ConfigDep,
                    ids: Annotated[str, Query(description="comma-separated ids of one unit")] = DEFAULT_CHART
                    ) -> Response:
    """A line chart of indicators of one unit month by month, with their targets and reference figures."""
    _months(s)
    service = Indicators(db, settings.definitions)
    chosen = service.in_force(s, _ids(ids))
    units = {d.unit for d in chosen}
    if len(units) > 1:
        raise invalid("ids", f"a chart shows indicators of one unit; these mix {sorted(units)}")
    values = await service.compute(s, [d.id for d in chosen], monthly=True)
    lines = [chart.Line(d.name_en, [(v.period[0], v.value) for v in values if v.definition.id == d.id])
             for d in chosen]
    levels = [chart.Level(f"target: {d.target:.0%}", d.target) for d in chosen if d.target is not None]
    levels += [chart.Level(r.label, r.value) for d in chosen for r in d.reference if d.target is None]
    unit = units.pop() if units else "share"
    where = s.institution_id or s.teryt or s.gmina or (str(s.region_id) if s.region_id else "all")
    title = f"{where}: {s.start:%Y-%m} to {s.end:%Y-%m} (as of {s.as_of})"
    return Response(chart.svg(title, unit, lines, levels), media_type="image/svg+xml")


@router.get("/{indicator_id}", responses=EXPORTS)
async def indicator(indicator_id: str, s: ScopeDep, db: PoolDep, settings: ConfigDep,
                    format: Format = "json") -> Response:
    """One indicator for the scope and period."""
    values = await Indicators(db, settings.definitions).compute(s, [indicator_id])
    if not values:
        raise NotFound(f"indicator {indicator_id} does not apply yet on {s.end}")
    body = export.csv_table(values, s) if format == "csv" else export.value_view(values[0]) | {
        "scope": export.scope_view(s)}
    return _answer(body, format, indicator_id)
