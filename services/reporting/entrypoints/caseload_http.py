"""HTTP view of a worker's own clients (PUP and OPS): the list a case worker starts the day with."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from libs.events.schemas.common import InstitutionKind
from services.reporting.entrypoints.access import (
    READ_RESPONSES,
    TEXT,
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
from services.reporting.entrypoints.views import Person
from services.reporting.queries.worker_clients import Sharing, worker_clients

router = APIRouter(prefix="/caseload/{institution_id}", tags=["caseload"], responses=READ_RESPONSES)


class CaseloadClientRow(Person):
    """A client of the worker's caseload with the pairing that serves them."""

    birth_year: int
    gmina: str
    postal_code: str
    pup_institution_id: str
    ops_institution_id: str
    job_broker: str | None
    social_worker: str | None
    region_id: uuid.UUID | None
    sharing_active: bool
    open_plan: bool


@router.get("/clients", response_model=Page[CaseloadClientRow])
async def caseload_clients(
    institution_id: str, actor: ActorDep, db: PoolDep, settings: ConfigDep, f: FiltersDep, paging: PagingDep,
    reader: ReaderDep,
    name: Annotated[str | None, Query(max_length=100, pattern=TEXT, description="start of the first or last name")
                    ] = None,
    sharing: Annotated[Sharing, Query(description="shared with the partner institution or not")] = "any",
    open_plan: Annotated[bool | None, Query(description="with (true) or without (false) an open joint plan")
                         ] = None,
) -> Page[CaseloadClientRow]:
    """The worker's clients by name (a supervisor sees every worker's, or one `worker`'s)."""
    scoped = desk(actor, institution_id, {InstitutionKind.PUP, InstitutionKind.OPS}, settings, f)
    rows = await worker_clients(db, scoped, paging, name, sharing, open_plan)
    await audit(reader, "caseload.clients", scoped, rows.items)
    return as_page(rows, paging, CaseloadClientRow)
