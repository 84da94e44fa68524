"""HTTP API of client records: thin routes from JSON to commands and back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from libs.events.access_log import AccessLog, event_fields, returned_fields
from libs.events.auth import PrincipalDep
from libs.events.decider import Forbidden, Outcome
from libs.events.errors import StreamNotFound
from libs.events.http import EventView, IfMatch, NotFound, etag, expected_version, optional_expected_version
from libs.events.ids import new_id
from libs.events.schemas.common import Address, InstitutionKind, institution_kind
from services.clients.domain import commands as cmd
from services.clients.domain.client import decider
from services.clients.domain.client_state import ClientState
from services.clients.entrypoints.client_access import (
    ACCESS_LOG,
    Reader,
    ReaderDep,
    check_reach,
    withheld_profile,
)
from services.clients.entrypoints.dependencies import ActorDep, ClientsDep
from services.clients.entrypoints.models import (
    BenefitChange,
    BenefitGrant,
    ClientCreate,
    ClientPublic,
    ConsentCreate,
    ConsentWithdrawal,
    IncomeDeclaration,
    ProfileUpdate,
    StatusChange,
)

router = APIRouter(tags=["clients"])

CHANGE = {404: {"description": "unknown client"}, 403: {"description": "not an institution of this client"},
          409: {"description": "stale If-Match (answer names current_version) or a rule refused the change"},
          422: {"description": "invalid field (named in the answer)"}}
EDIT = {**CHANGE, 428: {"description": "If-Match missing"}}


def _answer(reader: Reader, outcome: Outcome[ClientState], response: Response) -> ClientPublic:
    response.headers["ETag"] = etag(outcome.version)
    return ClientPublic.of(outcome.state, outcome.version, withheld_profile(reader))


def _kind(institution_id: str) -> InstitutionKind:
    kind = institution_kind(institution_id)
    if kind is None:
        raise Forbidden(f"{institution_id} is not an identifier of a PUP, OPS, CIS or ROPS")
    return kind


@router.post("/clients", status_code=201, response_model=ClientPublic,
             responses={409: {"description": "already registered at this institution (names the client)"},
                        413: {"description": "body too large"}, 422: {"description": "invalid field"}})
async def register_client(body: ClientCreate, actor: ActorDep, clients: ClientsDep, response: Response,
                          reader: ReaderDep) -> ClientPublic:
    """Register a person at an institution; the same person at another institution joins the same record."""
    if body.institution_id != actor.institution or body.institution_kind != _kind(actor.institution):
        raise Forbidden(f"{actor.institution} registers clients for itself, not for {body.institution_id}")
    command = cmd.RegisterClient(client_id=new_id(), **body.model_dump(exclude={"identity"}), identity=body.identity)
    outcome = await clients.register(command, actor)
    response.headers["Location"] = f"/clients/{outcome.state.client_id}"
    return _answer(reader, outcome, response)


class ClientRef(BaseModel):
    client_id: uuid.UUID


@router.get("/clients", response_model=ClientRef, responses={404: {"description": "no client with this identity"}})
async def find_client(
    clients: ClientsDep, reader: ReaderDep,
    pesel: Annotated[str | None, Query(pattern=r"^\d{11}$")] = None,
    document: Annotated[str | None, Query(description="type:number, e.g. passport:AB123456")] = None,
) -> ClientRef:
    """Find the client record of a person by PESEL or identity document."""
    key = f"PESEL:{pesel}" if pesel else f"DOC:{document}" if document else None
    found = await clients.find(key) if key else None
    if found is None:
        raise NotFound("no client with this identity")
    await reader.record(found, "GET /clients", ["client_id"], "identity lookup")
    return ClientRef(client_id=found)


@router.get("/clients/{client_id}", response_model=ClientPublic, responses={404: {"description": "unknown client"}})
async def get_client(
    client_id: uuid.UUID, clients: ClientsDep, reader: ReaderDep, response: Response,
    as_of: Annotated[datetime | None, Query(description="the record as it was at this moment (ISO 8601)")] = None,
) -> ClientPublic:
    """The client record from its events, now or as of a past moment (special-category sections only for the
    roles that need them; the read is logged with its purpose, header X-Purpose)."""
    state, version = await clients.get(client_id, as_of)
    if not state.exists:
        raise StreamNotFound(str(client_id))
    check_reach(state, reader.principal)
    view = ClientPublic.of(state, version, withheld_profile(reader))
    fields = returned_fields(view, {"client_id", "version", "withheld"})
    await reader.record(client_id, "GET /clients/{client_id}", fields, "case handling", view.withheld)
    response.headers["ETag"] = etag(version)
    return view


async def _history(client_id: uuid.UUID, clients: ClientsDep, reader: Reader, endpoint: str,
                   event_types: set[str] | None) -> list[EventView]:
    events = await clients.history(client_id)
    check_reach(decider.fold([e.payload for e in events]), reader.principal)
    views = [EventView.of(e, withhold_special=not reader.sees_special_categories) for e in events
             if event_types is None or e.event_type in event_types]
    fields, withheld = event_fields(views)
    await reader.record(client_id, endpoint, fields, "history review", withheld)
    return views


@router.get("/clients/{client_id}/events", response_model=list[EventView])
async def client_events(client_id: uuid.UUID, clients: ClientsDep, reader: ReaderDep) -> list[EventView]:
    """Every event of the client record, oldest first (the client's timeline)."""
    return await _history(client_id, clients, reader, "GET /clients/{client_id}/events", None)


@router.get("/clients/{client_id}/profile/history", response_model=list[EventView])
async def profile_history(client_id: uuid.UUID, clients: ClientsDep, reader: ReaderDep) -> list[EventView]:
    """Every change of the profile, oldest first, with who made it."""
    return await _history(client_id, clients, reader, "GET /clients/{client_id}/profile/history",
                          {"ClientProfileUpdated"})


class AccessLogEntry(BaseModel):
    """One read of the client's personal data."""

    read_id: int
    read_at: datetime
    service: str = Field(description="the service that answered the read (clients, plans, reporting)")
    user: str
    institution: str
    role: str
    via_client: str | None
    endpoint: str
    fields: list[str]
    withheld: list[str]
    purpose: str


class AccessLogPage(BaseModel):
    items: list[AccessLogEntry]
    next_before: int | None = Field(description="pass as `before` for the next (older) page")


@router.get("/clients/{client_id}/access-log", response_model=AccessLogPage,
            responses={404: {"description": "unknown client"}})
async def access_log(
    client_id: uuid.UUID, clients: ClientsDep, principal: PrincipalDep, request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, before: Annotated[int | None, Query(ge=1)] = None,
) -> AccessLogPage:
    """Every read of the client's personal data in any service, newest first: who, which fields, through which
    service and endpoint and why (the other services' reads arrive as events, docs/decisions/0012; for the data
    protection officer of an institution that registered or shares the client)."""
    state, _ = await clients.get(client_id)
    if not state.exists:
        raise StreamNotFound(str(client_id))
    check_reach(state, principal, ACCESS_LOG.name)
    log: AccessLog = request.app.state.access_log
    reads = await log.of_client(client_id, limit, before)
    items = [AccessLogEntry(read_id=n, read_at=r.read_at, service=r.service, user=r.user, institution=r.institution,
                            role=r.role, via_client=r.via_client, endpoint=r.endpoint, fields=list(r.fields),
                            withheld=list(r.withheld), purpose=r.purpose) for n, r in reads]
    return AccessLogPage(items=items, next_before=items[-1].read_id if len(items) == limit else None)


@router.put("/clients/{client_id}/address", response_model=ClientPublic, responses=EDIT)
async def change_address(client_id: uuid.UUID, body: Address, actor: ActorDep, clients: ClientsDep,
                         response: Response, reader: ReaderDep, if_match: IfMatch = None) -> ClientPublic:
    """Record a new address (regions are reassigned); If-Match must carry the version last read."""
    command = cmd.ChangeAddress(institution_id=actor.institution, address=body)
    return _answer(reader, await clients.execute(client_id, command, actor, expected_version(if_match)), response)


@router.patch("/clients/{client_id}/profile", response_model=ClientPublic, responses=EDIT)
async def update_profile(client_id: uuid.UUID, body: ProfileUpdate, actor: ActorDep, clients: ClientsDep,
                         response: Response, reader: ReaderDep, if_match: IfMatch = None) -> ClientPublic:
    """Replace sections of the profile (education, work history, household, health, addiction)."""
    command = cmd.UpdateProfile(institution_id=actor.institution,
                                institution_kind=_kind(actor.institution),
                                **body.model_dump(exclude_none=True))
    return _answer(reader, await clients.execute(client_id, command, actor, expected_version(if_match)), response)


@router.post("/clients/{client_id}/unemployment-status", response_model=ClientPublic, responses=CHANGE)
async def change_status(client_id: uuid.UUID, body: StatusChange, actor: ActorDep, clients: ClientsDep,
                        response: Response, reader: ReaderDep, if_match: IfMatch = None) -> ClientPublic:
    """The PUP registers or deregisters the client as unemployed (with the reason)."""
    command = cmd.ChangeUnemploymentStatus(institution_id=actor.institution,
                                           institution_kind=_kind(actor.institution), **body.model_dump())
    outcome = await clients.execute(client_id, command, actor, optional_expected_version(if_match))
    return _answer(reader, outcome, response)


@router.post("/clients/{client_id}/benefits", response_model=ClientPublic, status_code=201, responses=CHANGE)
async def grant_benefit(client_id: uuid.UUID, body: BenefitGrant, actor: ActorDep, clients: ClientsDep,
                        response: Response, reader: ReaderDep, if_match: IfMatch = None) -> ClientPublic:
    """The acting institution granted the client a benefit for a period."""
    command = cmd.GrantBenefit(benefit_id=body.benefit_id or new_id(), institution_id=actor.institution,
                               institution_kind=_kind(actor.institution),
                               **body.model_dump(exclude={"benefit_id"}))
    outcome = await clients.execute(client_id, command, actor, optional_expected_version(if_match))
    return _answer(reader, outcome, response)


@router.post("/clients/{client_id}/benefits/{benefit_id}/suspend", response_model=ClientPublic, responses=EDIT)
async def suspend_benefit(client_id: uuid.UUID, benefit_id: uuid.UUID, body: BenefitChange, actor: ActorDep,
                          clients: ClientsDep, response: Response, reader: ReaderDep,
                          if_match: IfMatch = None) -> ClientPublic:
    command = cmd.SuspendBenefit(benefit_id=benefit_id, institution_id=actor.institution,
                                 suspended_from=body.on, reason=body.reason)
    return _answer(reader, await clients.execute(client_id, command, actor, expected_version(if_match)), response)


@router.post("/clients/{client_id}/benefits/{benefit_id}/end", response_model=ClientPublic, responses=EDIT)
async def end_benefit(client_id: uuid.UUID, benefit_id: uuid.UUID, body: BenefitChange, actor: ActorDep,
                      clients: ClientsDep, response: Response, reader: ReaderDep,
                      if_match: IfMatch = None) -> ClientPublic:
    command = cmd.EndBenefit(benefit_id=benefit_id, institution_id=actor.institution, ended_on=body.on,
                             reason=body.reason)
    return _answer(reader, await clients.execute(client_id, command, actor, expected_version(if_match)), response)


@router.post("/clients/{client_id}/incomes", response_model=ClientPublic, status_code=201, responses=CHANGE)
async def declare_income(client_id: uuid.UUID, body: IncomeDeclaration, actor: ActorDep, clients: ClientsDep,
                         response: Response, reader: ReaderDep, if_match: IfMatch = None) -> ClientPublic:
    """Income for a period: declared by the client, or known from the institution's own records."""
    command = cmd.DeclareIncome(institution_id=actor.institution, **body.model_dump())
    outcome = await clients.execute(client_id, command, actor, optional_expected_version(if_match))
    return _answer(reader, outcome, response)


@router.post("/clients/{client_id}/consents", response_model=ClientPublic, status_code=201, responses=CHANGE)
async def give_consent(client_id: uuid.UUID, body: ConsentCreate, actor: ActorDep, clients: ClientsDep,
                       response: Response, reader: ReaderDep, if_match: IfMatch = None) -> ClientPublic:
    """The client consents to institutions sharing their data (sharing is evaluated again at once)."""
    command = cmd.GiveConsent(consent_id=body.consent_id or new_id(), institution_id=actor.institution,
                              **body.model_dump(exclude={"consent_id"}))
    outcome = await clients.execute(client_id, command, actor, optional_expected_version(if_match))
    return _answer(reader, outcome, response)


@router.post("/clients/{client_id}/consents/{consent_id}/withdraw", response_model=ClientPublic, responses=EDIT)
async def withdraw_consent(client_id: uuid.UUID, consent_id: uuid.UUID, body: ConsentWithdrawal, actor: ActorDep,
                           clients: ClientsDep, response: Response, reader: ReaderDep,
                           if_match: IfMatch = None) -> ClientPublic:
    """The client withdraws a consent: sharing that rested on it stops from this moment."""
    command = cmd.WithdrawConsent(consent_id=consent_id, institution_id=actor.institution,
                                  withdrawn_on=body.withdrawn_on)
    return _answer(reader, await clients.execute(client_id, command, actor, expected_version(if_match)), response)
