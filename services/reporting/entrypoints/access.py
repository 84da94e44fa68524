"""Who may read which view, the filters and paging every view takes, and the audit of personal-data reads."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

import asyncpg
import structlog
from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from libs.events.access_log import Reader
from libs.events.access_log import ReaderDep as ReaderDep  # the views take it from here
from libs.events.auth import current_actor
from libs.events.decider import Forbidden
from libs.events.envelope import Actor
from libs.events.http import NotFound
from libs.events.schemas.common import InstitutionKind, institution_kind
from services.reporting.indicators.definitions import Definitions
from services.reporting.norms import Norms
from services.reporting.queries.common import Filters, Paging, Rows

log = structlog.get_logger("reporting.audit")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ReadModelConfig:
    """What the views read besides the tables: norms, indicator definitions, who counts as a supervisor."""

    norms: Norms
    definitions: Definitions
    supervisor_roles: frozenset[str]


def pool(request: Request) -> asyncpg.Pool:
    runtime_pool: asyncpg.Pool = request.app.state.runtime.pool
    return runtime_pool


def config(request: Request) -> ReadModelConfig:
    settings: ReadModelConfig = request.app.state.reporting
    return settings


PoolDep = Annotated[asyncpg.Pool, Depends(pool)]
ConfigDep = Annotated[ReadModelConfig, Depends(config)]
ActorDep = Annotated[Actor, Depends(current_actor)]
TERYT = r"^\d{2}(\d{2}(\d{3})?)?$"
TEXT = r"^[^\x00]+$"  # PostgreSQL text cannot hold NUL: refused as input (422) rather than failing in the query
INSTITUTION = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# Days the read models can reason about: months are added to them, and Python's dates end at year 9999.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)

READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "the actor works elsewhere, or asks for another worker's clients without a supervisor role"},
    404: {"description": "the institution is not of the kind this view is for"},
    422: {"description": "invalid filter (named in `errors[].field`)"},
}


def invalid(field: str, message: str) -> RequestValidationError:
    """A 422 answer naming the query parameter at fault, shaped like FastAPI's own."""
    return RequestValidationError([{"loc": ("query", field), "msg": message, "type": "value_error"}])


def period(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and start > end:
        raise invalid("from", f"the period starts ({start}) after it ends ({end})")
    return start, end


def filters(
    worker: Annotated[str | None, Query(max_length=200, pattern=TEXT, description="one worker's clients or steps")
                      ] = None,
    region_id: Annotated[uuid.UUID | None, Query(description="region (rejon) of the clients context")] = None,
    teryt: Annotated[str | None, Query(pattern=TERYT, description="TERYT of voivodeship, county or gmina")] = None,
    gmina: Annotated[str | None, Query(max_length=100, pattern=TEXT)] = None,
    start: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="first day of the period")
                     ] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY, description="last day of the period")
                   ] = None,
) -> Filters:
    """The filters of a view (the institution is set from the path)."""
    start, end = period(start, end)
    return Filters("", worker, region_id, teryt, gmina, start, end)


def paging(limit: Annotated[int, Query(ge=1, le=500)] = 50,
           offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> Paging:
    return Paging(limit, offset)


FiltersDep = Annotated[Filters, Depends(filters)]
PagingDep = Annotated[Paging, Depends(paging)]


def desk(actor: Actor, institution_id: str, kinds: set[InstitutionKind], settings: ReadModelConfig,
         f: Filters, supervisors_only: bool = False, aggregate: bool = False) -> Filters:
    """Check who reads whose view. A worker without a supervisor role sees only their own clients; counts per
    worker (`aggregate`, no personal data) are open to every worker of the institution."""
    if institution_kind(institution_id) not in kinds:
        names = " or ".join(sorted(k.value for k in kinds))
        raise NotFound(f"{institution_id} is not a {names}: this view is for a {names}")
    if actor.institution != institution_id:
        raise Forbidden(f"{actor.user} works for {actor.institution}, not for {institution_id}")
    supervisor = actor.role in settings.supervisor_roles
    if supervisors_only and not supervisor:
        raise Forbidden(f"supervisor views need one of the roles {sorted(settings.supervisor_roles)}")
    worker = f.worker
    if not supervisor and not aggregate:
        if worker not in (None, actor.user):
            raise Forbidden(f"{actor.user} ({actor.role}) may see only their own clients, not those of {worker}")
        worker = actor.user
    return Filters(institution_id, worker, f.region_id, f.teryt, f.gmina, f.start, f.end)


PERSONAL_COLUMNS = frozenset({
    "first_name", "last_name", "birth_year", "gmina", "teryt", "postal_code", "monthly_amount", "benefits",
    "unemployment_status", "deregistration_reason", "unemployment_status_since", "with_benefit_right", "note",
    "outcome", "explanation_pl", "explanation_en", "main_goal", "title", "failure", "cancel_reason",
})
"""Columns of the views that describe the person (names, PESEL-derived data, address, situation, free text)."""


async def audit(reader: Reader, view: str, f: Filters, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record one read per client listed (one statement for the page), with the personal columns returned."""
    clients = [r["client_id"] for r in rows if r.get("client_id") is not None]
    fields = sorted({k for r in rows for k, v in r.items() if k in PERSONAL_COLUMNS and v not in (None, "", [])})
    await reader.record(clients, reader.route, fields, "reporting")
    log.info("personal data read", user=reader.principal.user, institution=reader.principal.institution,
             role=reader.role, view=view, for_institution=f.institution_id, worker=f.worker, rows=len(rows),
             clients=len(clients))


class Page(BaseModel, Generic[T]):
    """One page of a view; `next_offset` is where the next page starts (None on the last page)."""

    items: list[T]
    total: int | None
    limit: int
    offset: int
    next_offset: int | None


def as_page(rows: Rows, p: Paging, model: type[T]) -> Page[T]:
    items = [model.model_validate(r) for r in rows.items]  # type: ignore[attr-defined]
    more = rows.total is not None and p.offset + len(items) < rows.total
    return Page[model](items=items, total=rows.total, limit=p.limit, offset=p.offset,  # type: ignore[valid-type]
                       next_offset=p.offset + len(items) if more else None)
