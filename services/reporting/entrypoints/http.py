"""HTTP API of the reporting service: read models, straight from their tables."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from libs.events.access_log import ReaderDep
from libs.events.http import NotFound

router = APIRouter(tags=["read models"])


def pool(request: Request) -> asyncpg.Pool:
    runtime_pool: asyncpg.Pool = request.app.state.runtime.pool
    return runtime_pool


PoolDep = Annotated[asyncpg.Pool, Depends(pool)]


class RegistrationView(BaseModel):
    institution_id: str
    institution_kind: str
    registered_on: date


class ClientView(BaseModel):
    """A client in the read model (eventually consistent with the clients service)."""

    client_id: uuid.UUID
    first_name: str
    last_name: str
    birth_year: int
    gmina: str
    teryt: str | None
    postal_code: str
    registrations: list[RegistrationView]


PERSONAL = ["birth_year", "first_name", "gmina", "last_name", "postal_code", "registrations", "teryt"]
"""The personal parts of a client view (recorded as the fields of each read)."""


class ClientPage(BaseModel):
    items: list[ClientView]
    next_after: uuid.UUID | None


async def _views(db: asyncpg.Pool, rows: list[asyncpg.Record]) -> list[ClientView]:
    ids = [r["client_id"] for r in rows]
    registrations: dict[uuid.UUID, list[RegistrationView]] = {i: [] for i in ids}
    for reg in await db.fetch(
        "SELECT * FROM rm_client_registration WHERE client_id = ANY($1) ORDER BY registered_on, institution_id", ids
    ):
        registrations[reg["client_id"]].append(RegistrationView(**{k: reg[k] for k in RegistrationView.model_fields}))
    return [ClientView(**{k: r[k] for k in ClientView.model_fields if k != "registrations"},
                       registrations=registrations[r["client_id"]]) for r in rows]


@router.get("/clients/{client_id}", response_model=ClientView,
            responses={404: {"description": "not in the read model"}})
async def get_client(client_id: uuid.UUID, db: PoolDep, reader: ReaderDep) -> ClientView:
    """One client from the client directory read model."""
    row = await db.fetchrow("SELECT * FROM rm_client WHERE client_id = $1", client_id)
    if row is None or row["erased"]:
        raise NotFound(f"client {client_id} is not in the read model (yet, or no more: erased)")
    view = (await _views(db, [row]))[0]
    await reader.record(client_id, reader.route, PERSONAL, "reporting")
    return view


@router.get("/institutions/{institution_id}/clients", response_model=ClientPage)
async def institution_clients(
    institution_id: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")], db: PoolDep,
    reader: ReaderDep,
    after: Annotated[uuid.UUID | None, Query(description="cursor: the last client_id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ClientPage:
    """Clients registered at an institution, in a stable order, one page at a time."""
    rows = await db.fetch(
        """SELECT c.* FROM rm_client_registration r JOIN rm_client c USING (client_id)
           WHERE r.institution_id = $1 AND ($2::uuid IS NULL OR r.client_id > $2) AND NOT c.erased
           ORDER BY r.client_id LIMIT $3""", institution_id, after, limit)
    items = await _views(db, rows)
    await reader.record([c.client_id for c in items], reader.route, PERSONAL, "reporting")
    return ClientPage(items=items, next_after=items[-1].client_id if len(items) == limit else None)
