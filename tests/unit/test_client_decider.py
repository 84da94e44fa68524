"""The client record's decider: given events, when a command, then events (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pydantic import ValidationError

from libs.events.decider import DomainError
from libs.events.schemas.clients import ClientAddressChanged, ClientRegistered
from libs.events.schemas.common import Address, InstitutionKind
from services.clients.domain.client import decider
from services.clients.domain.commands import ChangeAddress, RegisterClient, ValidIdentity

HOME = Address(gmina="Bytom", teryt="2462011", postal_code="41-900", city="Bytom")
PERSON = {"pesel": "44051401359", "first_name": "Jan", "last_name": "Kowalski", "birth_date": date(1944, 5, 14)}


def register(institution: str, kind: InstitutionKind, client_id: uuid.UUID | None = None) -> RegisterClient:
    return RegisterClient(client_id=client_id or uuid.uuid4(), institution_id=institution, institution_kind=kind,
                          identity=ValidIdentity(**PERSON), address=HOME, registered_on=date(2026, 11, 2))


def test_first_registration_creates_the_record() -> None:
    command = register("PUP-2462", InstitutionKind.PUP)
    [event] = decider.decide(command, decider.initial())
    assert isinstance(event, ClientRegistered)
    assert event.client_id == command.client_id
    assert decider.fold([event]).registrations.keys() == {"PUP-2462"}


def test_registration_at_a_second_institution_joins_the_same_record() -> None:
    first = decider.decide(register("PUP-2462", InstitutionKind.PUP), decider.initial())
    state = decider.fold(first)
    [second] = decider.decide(register("MOPS-2462", InstitutionKind.OPS), state)
    assert isinstance(second, ClientRegistered)
    assert second.client_id == state.client_id
    assert set(decider.fold([second], state).registrations) == {"PUP-2462", "MOPS-2462"}


def test_registering_twice_at_one_institution_is_refused_naming_the_client() -> None:
    state = decider.fold(decider.decide(register("PUP-2462", InstitutionKind.PUP), decider.initial()))
    with pytest.raises(DomainError) as refused:
        decider.decide(register("PUP-2462", InstitutionKind.PUP), state)
    assert refused.value.details["existing_client_id"] == state.client_id


def test_moving_records_the_new_address_once() -> None:
    state = decider.fold(decider.decide(register("PUP-2462", InstitutionKind.PUP), decider.initial()))
    elsewhere = HOME.model_copy(update={"postal_code": "41-902"})
    [moved] = decider.decide(ChangeAddress(address=elsewhere), state)
    assert isinstance(moved, ClientAddressChanged)
    assert decider.decide(ChangeAddress(address=elsewhere), decider.fold([moved], state)) == []
    with pytest.raises(DomainError):
        decider.decide(ChangeAddress(address=elsewhere), decider.initial())


@pytest.mark.parametrize(("change", "message"), [
    ({"pesel": "44051401358"}, "checksum"),
    ({"birth_date": date(1944, 5, 15)}, "encodes birth date 1944-05-14"),
    ({"pesel": None}, "either pesel or document"),
])
def test_identity_needs_a_valid_pesel_matching_the_birth_date_or_a_document(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ValidIdentity(**{**PERSON, **change})


def test_a_person_without_pesel_is_identified_by_document() -> None:
    identity = ValidIdentity(**{**PERSON, "pesel": None, "document": {"type": "passport", "number": "AB123456"}})
    assert identity.identity_key() == "DOC:passport:AB123456"
