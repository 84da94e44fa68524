"""Erasure of a client (`POST /clients/{id}/erasure`) and the internal data-key API other services call."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from libs.events.auth import PrincipalDep
from libs.events.decider import Forbidden
from libs.events.key_store import PostgresKeyStore
from libs.events.schemas.clients import ErasureBasis
from services.clients.access_policy import ERASE
from services.clients.application.erasure import ErasureApplication
from services.clients.entrypoints.client_access import check_reach
from services.clients.entrypoints.dependencies import ActorDep, ClientsDep

router = APIRouter()


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    legal_basis: ErasureBasis = Field(description="why the personal data is erased")


class ErasureDone(BaseModel):
    client_id: uuid.UUID
    legal_basis: ErasureBasis
    stream_version: int


@router.post("/clients/{client_id}/erasure", response_model=ErasureDone, status_code=201,
             responses={404: {"description": "unknown client"}, 410: {"description": "already erased"},
                        422: {"description": "invalid field"}})
async def erase_client(client_id: uuid.UUID, body: ErasureRequest, actor: ActorDep, principal: PrincipalDep,
                       clients: ClientsDep, request: Request) -> ErasureDone:
    """Erase the client's personal data everywhere by destroying the client's data key (crypto-shredding).

    Old events remain with ciphertext only; de-identified statistics keep counting the person. For the data
    protection officer of an institution that registered or shares the client."""
    state, _ = await clients.get(client_id)
    if state.exists:
        check_reach(state, principal, ERASE.name)
    erasure: ErasureApplication = request.app.state.erasure
    recorded = await erasure.erase(client_id, body.legal_basis, actor)
    return ErasureDone(client_id=client_id, legal_basis=body.legal_basis, stream_version=recorded.stream_version)


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_ids: list[str] = Field(min_length=1, max_length=1000)
    create: bool = Field(default=False, description="make a key for a client that has none yet (never after erasure)")


class KeyAnswer(BaseModel):
    keys: dict[str, str | None] = Field(description="hex data key per client; null when erased or unknown")


@router.post("/internal/keys", response_model=KeyAnswer, tags=["internal"])
async def data_keys(body: KeyRequest, actor: ActorDep, request: Request) -> KeyAnswer:
    """Data keys for other services of the platform (role `service` only), a batch at a time."""
    if actor.role != "service":
        raise Forbidden(f"role {actor.role} may not read data keys: only other services of the platform may")
    keys: PostgresKeyStore = request.app.state.keys
    found = await keys.fetch(body.client_ids, create=body.create)
    return KeyAnswer(keys={s: (found[s].hex() if found.get(s) is not None else None)  # type: ignore[union-attr]
                           for s in body.client_ids})
