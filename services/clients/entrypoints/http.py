"""HTTP API of the clients service: thin routes from JSON to commands and back."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from libs.events.envelope import Actor
from libs.events.errors import StreamNotFound
from libs.events.http import IfMatch, actor_from_headers, etag, expected_version
from libs.events.ids import new_id
from libs.events.schemas.clients import PersonIdentity
from libs.events.schemas.common import Address, Contact, InstitutionId, InstitutionKind
from services.clients.application.clients import ClientsApplication
from services.clients.domain.client import ClientState
from services.clients.domain.commands import ChangeAddress, RegisterClient, ValidIdentity

router = APIRouter(tags=["clients"])

ActorDep = Annotated[Actor, Depends(actor_from_headers)]


def application(request: Request) -> ClientsApplication:
    app: ClientsApplication = request.app.state.clients
    return app


AppDep = Annotated[ClientsApplication, Depends(application)]


class ClientCreate(BaseModel):
    """A registration: who, where they live, at which institution, from when."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "institution_id": "PUP-2473", "institution_kind": "PUP",
        "identity": {"pesel": "44051401359", "first_name": "Jan", "last_name": "Kowalski",
                     "birth_date": "1944-05-14"},
        "address": {"gmina": "Siemianowice Śląskie", "teryt": "2473011", "postal_code": "41-100",
                    "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "10"},
        "contact": {"phone": "+48 600 100 200"}, "registered_on": "2026-11-02"}]})

    institution_id: InstitutionId
    institution_kind: InstitutionKind
    identity: ValidIdentity
    address: Address
    contact: Contact = Field(default_factory=Contact)
    registered_on: date


class RegistrationPublic(BaseModel):
    institution_id: str
    institution_kind: InstitutionKind
    registered_on: date


class ClientPublic(BaseModel):
    """A client record as the API shows it."""

    client_id: uuid.UUID
    version: int
    identity: PersonIdentity
    address: Address
    contact: Contact
    registrations: list[RegistrationPublic]


class EventPublic(BaseModel):
    event_id: uuid.UUID
    type: str
    schema_version: int
    stream_version: int
    global_position: int
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, str]
    data: dict[str, Any]


def _public(state: ClientState, version: int) -> ClientPublic:
    assert state.client_id is not None
    assert state.identity is not None
    assert state.address is not None
    return ClientPublic(
        client_id=state.client_id, version=version, identity=state.identity, address=state.address,
        contact=state.contact,
        registrations=[RegistrationPublic(institution_id=i, institution_kind=r.institution_kind,
                                          registered_on=r.registered_on) for i, r in state.registrations.items()])


@router.post("/clients", status_code=201, response_model=ClientPublic,
             responses={409: {"description": "already registered at this institution (names the client)"},
                        413: {"description": "body too large"}, 422: {"description": "invalid field"}})
async def register_client(body: ClientCreate, actor: ActorDep, clients: AppDep, response: Response) -> ClientPublic:
    """Register a person at an institution; the same person at another institution joins the same record."""
    command = RegisterClient(client_id=new_id(), **body.model_dump(exclude={"identity"}), identity=body.identity)
    outcome = await clients.register(command, actor)
    assert outcome.state.client_id is not None
    response.headers["Location"] = f"/clients/{outcome.state.client_id}"
    response.headers["ETag"] = etag(outcome.version)
    return _public(outcome.state, outcome.version)


@router.get("/clients/{client_id}", response_model=ClientPublic, responses={404: {"description": "unknown client"}})
async def get_client(
    client_id: uuid.UUID, clients: AppDep, response: Response,
    as_of: Annotated[datetime | None, Query(description="the record as it was at this moment (ISO 8601)")] = None,
) -> ClientPublic:
    """The client record from its events, now or as of a past moment."""
    state, version = await clients.get(client_id, as_of)
    if not state.exists:
        raise StreamNotFound(str(client_id))
    response.headers["ETag"] = etag(version)
    return _public(state, version)


@router.put("/clients/{client_id}/address", response_model=ClientPublic,
            responses={409: {"description": "the record changed since the version in If-Match"},
                       428: {"description": "If-Match missing"}})
async def change_address(
    client_id: uuid.UUID, body: Address, actor: ActorDep, clients: AppDep, response: Response, if_match: IfMatch = None,
) -> ClientPublic:
    """Record a new address; If-Match must carry the version last read (ETag)."""
    outcome = await clients.change_address(client_id, ChangeAddress(address=body), expected_version(if_match), actor)
    response.headers["ETag"] = etag(outcome.version)
    return _public(outcome.state, outcome.version)


@router.get("/clients/{client_id}/events", response_model=list[EventPublic])
async def client_events(client_id: uuid.UUID, clients: AppDep) -> list[EventPublic]:
    """Every event of the client record, oldest first."""
    return [EventPublic(
        event_id=e.event_id, type=e.event_type, schema_version=e.schema_version, stream_version=e.stream_version,
        global_position=e.global_position, occurred_at=e.occurred_at, recorded_at=e.recorded_at,
        actor=e.metadata.actor.model_dump(), data=e.payload.model_dump(mode="json"))
        for e in await clients.history(client_id)]
