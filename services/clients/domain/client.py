"""The client record: state, decisions and evolution (pure, no I/O)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from pydantic import BaseModel

from libs.events.decider import Decider, DomainError
from libs.events.schemas.clients import ClientAddressChanged, ClientRegistered, PersonIdentity
from libs.events.schemas.common import Address, Contact, InstitutionKind
from services.clients.domain.commands import ChangeAddress, RegisterClient

STREAM_TYPE = "client"


@dataclass(frozen=True, slots=True)
class Registration:
    """The client's registration at one institution."""

    institution_kind: InstitutionKind
    registered_on: date


@dataclass(frozen=True, slots=True)
class ClientState:
    """What the platform knows about one person."""

    client_id: uuid.UUID | None = None
    identity: PersonIdentity | None = None
    address: Address | None = None
    contact: Contact = field(default_factory=Contact)
    registrations: Mapping[str, Registration] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.client_id is not None


def decide(command: BaseModel, state: ClientState) -> Sequence[BaseModel]:
    """The events a command produces in a state, or DomainError."""
    if isinstance(command, RegisterClient):
        return _register(command, state)
    if isinstance(command, ChangeAddress):
        return _change_address(command, state)
    raise TypeError(f"unknown command {type(command).__name__}")


def _register(command: RegisterClient, state: ClientState) -> list[BaseModel]:
    if command.institution_id in state.registrations:
        raise DomainError(
            f"this person is already registered at {command.institution_id} as client {state.client_id}",
            field="identity", existing_client_id=state.client_id)
    client_id = state.client_id or command.client_id
    return [ClientRegistered(
        client_id=client_id, institution_id=command.institution_id, institution_kind=command.institution_kind,
        identity=PersonIdentity.model_validate(command.identity.model_dump()), address=command.address,
        contact=command.contact, registered_on=command.registered_on)]


def _change_address(command: ChangeAddress, state: ClientState) -> list[BaseModel]:
    if state.client_id is None:
        raise DomainError("client does not exist")
    if command.address == state.address:
        return []
    return [ClientAddressChanged(client_id=state.client_id, address=command.address)]


def evolve(state: ClientState, event: BaseModel) -> ClientState:
    """The state after one event (unknown events leave it unchanged: newer producers may add types)."""
    if isinstance(event, ClientRegistered):
        registrations = {**state.registrations,
                         event.institution_id: Registration(event.institution_kind, event.registered_on)}
        return replace(state, client_id=event.client_id, identity=state.identity or event.identity,
                       address=state.address or event.address, contact=event.contact, registrations=registrations)
    if isinstance(event, ClientAddressChanged):
        return replace(state, address=event.address)
    return state


decider: Decider[BaseModel, ClientState] = Decider(STREAM_TYPE, ClientState, decide, evolve)
