"""The field codec: exactly the fields marked x-personal-data are sealed, opened back, and erased without a key."""

from __future__ import annotations

import uuid
from datetime import date

import orjson
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.events.personal_data import is_sealed, key_ids, open_sealed, personal_paths, seal
from libs.events.registry import EventRegistry
from libs.events.schemas import registry
from libs.events.schemas.clients import ClientProfileUpdated, ClientRegistered, Household, WorkPeriod
from libs.events.schemas.common import Address, InstitutionKind, Period
from libs.events.schemas.plans import PlanStepFailed

KEY = AESGCM.generate_key(256)
OTHER_KEY = AESGCM.generate_key(256)
CLIENT = "0190b6a0-3c1e-7a4d-8f21-5e9b7c3d2a14"


def test_paths_are_the_outermost_marked_fields() -> None:
    assert personal_paths(ClientRegistered) == (("identity",), ("address",), ("contact",))
    assert set(personal_paths(ClientProfileUpdated)) == {
        ("education",), ("work_history",), ("household",), ("health",), ("addiction",)}
    assert personal_paths(PlanStepFailed) == (("note",),)


def test_every_event_with_personal_fields_names_its_client() -> None:
    """The client is whose key seals the fields: an event without a client_id could not be sealed."""
    for event_type, model in registry:
        if personal_paths(model):
            assert "client_id" in model.model_fields, event_type.name


# Names start with a letter base64 never contains, so a match in the sealed JSON could only be the plaintext.
names = st.text(alphabet=st.characters(codec="utf-8", categories=("L",)), min_size=1, max_size=40).map(
    lambda n: "Ż" + n)
pesels = st.from_regex(r"\A\d{11}\Z")


def registered(first: str, last: str, pesel: str) -> dict[str, object]:
    payload = ClientRegistered(
        client_id=uuid.UUID(CLIENT), institution_id="PUP-2473", institution_kind=InstitutionKind.PUP,
        identity={"pesel": pesel, "first_name": first, "last_name": last, "birth_date": date(1980, 3, 14)},
        address=Address(gmina="Siemianowice Śląskie", postal_code="41-100", city="Siemianowice Śląskie"),
        registered_on=date(2026, 1, 5))
    data: dict[str, object] = payload.model_dump(mode="json")
    return data


@settings(max_examples=60, deadline=None)
@given(first=names, last=names, pesel=pesels)
def test_sealed_payload_has_no_plaintext_and_opens_back(first: str, last: str, pesel: str) -> None:
    data = registered(first, last, pesel)
    paths = personal_paths(ClientRegistered)
    sealed = seal(data, paths, CLIENT, KEY)
    wire = orjson.dumps(sealed).decode()
    for secret in (pesel, first, last):
        assert secret not in wire
    assert all(set(sealed[p[0]]) == {"pzw:sealed", "kid", "ct"} for p in paths)
    assert all(is_sealed(sealed[p[0]]) for p in paths)
    assert sealed["client_id"] == data["client_id"]  # what is not personal stays readable
    assert key_ids(sealed, paths) == {CLIENT}
    opened = open_sealed(sealed, paths, {CLIENT: KEY}.get)
    assert opened.data == data
    assert opened.erased == ()
    assert registry.from_json("ClientRegistered", 1, opened.data) == registry.from_json("ClientRegistered", 1, data)


def test_without_the_key_the_fields_are_erased_and_the_rest_decodes() -> None:
    data = registered("Jan", "Kowalski", "80031412345")
    sealed = seal(data, personal_paths(ClientRegistered), CLIENT, KEY)
    opened = open_sealed(sealed, personal_paths(ClientRegistered), lambda _: None)
    assert opened.erased == (("identity",), ("address",), ("contact",))
    payload = registry.from_erased("ClientRegistered", 1, opened.data)
    assert isinstance(payload, ClientRegistered)
    assert payload.identity is None  # type: ignore[comparison-overlap]
    assert payload.client_id == uuid.UUID(CLIENT)
    assert payload.institution_kind is InstitutionKind.PUP
    assert payload.registered_on == date(2026, 1, 5)


def test_a_ciphertext_cannot_be_opened_with_another_key_or_moved_to_another_field() -> None:
    data = registered("Jan", "Kowalski", "80031412345")
    paths = personal_paths(ClientRegistered)
    sealed = seal(data, paths, CLIENT, KEY)
    with pytest.raises(InvalidTag):
        open_sealed(sealed, paths, {CLIENT: OTHER_KEY}.get)
    moved = {**sealed, "address": sealed["identity"]}
    with pytest.raises(InvalidTag):
        open_sealed(moved, paths, {CLIENT: KEY}.get)


@settings(max_examples=40, deadline=None)
@given(notes=st.none() | st.text(min_size=1, max_size=50), employers=st.lists(st.none() | names, max_size=4))
def test_nested_and_optional_fields_round_trip(notes: str | None, employers: list[str | None]) -> None:
    payload = ClientProfileUpdated(
        client_id=uuid.UUID(CLIENT), institution_id="MOPS-2473",
        household=Household(members=2, dependants=1, notes=notes),
        work_history=tuple(WorkPeriod(employer=e, occupation="spawacz", period=Period.model_validate(
            {"from": "2020-01-01"})) for e in employers))
    data = payload.model_dump(mode="json")
    paths = personal_paths(ClientProfileUpdated)
    sealed = seal(data, paths, CLIENT, KEY)
    assert sealed["health"] is None  # nothing to hide in an absent section
    opened = open_sealed(sealed, paths, {CLIENT: KEY}.get)
    assert registry.from_json("ClientProfileUpdated", 1, opened.data) == payload
    erased = registry.from_erased("ClientProfileUpdated", 1, open_sealed(sealed, paths, lambda _: None).data)
    assert erased.household is None  # type: ignore[attr-defined]


def test_arrays_of_marked_elements_are_sealed_one_by_one() -> None:
    from pydantic import BaseModel, Field

    class Item(BaseModel):
        secret: str = Field(json_schema_extra={"x-personal-data": True})
        public: int

    own = EventRegistry()

    @own.event("Listed", 1, context="test")
    class Listed(BaseModel):
        client_id: uuid.UUID
        items: tuple[Item, ...]

    assert personal_paths(Listed) == (("items", "*", "secret"),)
    data = Listed(client_id=uuid.UUID(CLIENT), items=(Item(secret="a", public=1), Item(secret="b", public=2))
                  ).model_dump(mode="json")
    sealed = seal(data, personal_paths(Listed), CLIENT, KEY)
    assert [i["public"] for i in sealed["items"]] == [1, 2]
    assert all(is_sealed(i["secret"]) for i in sealed["items"])
    assert open_sealed(sealed, personal_paths(Listed), {CLIENT: KEY}.get).data == data
    erased = own.from_erased("Listed", 1, open_sealed(sealed, personal_paths(Listed), lambda _: None).data)
    assert [i.public for i in erased.items] == [1, 2]  # type: ignore[attr-defined]
    assert [i.secret for i in erased.items] == [None, None]  # type: ignore[attr-defined]
