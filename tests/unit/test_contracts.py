"""The exported JSON Schemas under contracts/ are the published contract: they must match the code."""

from pathlib import Path

from libs.events.contracts import CATALOGUE, catalogue, drift, write
from libs.events.registry import EventPayload, EventRegistry
from libs.events.schemas import registry


def test_exported_contracts_match_the_code() -> None:
    problems = drift(registry)
    assert problems == [], "run `make contracts` and commit contracts/: " + "; ".join(problems)


def test_event_catalogue_matches_the_code() -> None:
    assert CATALOGUE.read_text(encoding="utf-8") == catalogue(registry), "run `make contracts`"


def test_drift_is_reported_when_a_schema_changes_or_disappears(tmp_path: Path) -> None:
    before = EventRegistry()

    @before.event("Thing", 1, context="x")
    class Thing(EventPayload):
        a: int

    write(before, tmp_path)
    assert drift(before, tmp_path) == []

    after = EventRegistry()

    @after.event("Thing", 1, context="x")
    class ChangedThing(EventPayload):
        a: int
        b: str

    assert drift(after, tmp_path) == ["x/Thing.v1.json: missing or different"]
    assert drift(EventRegistry(), tmp_path) == ["x/Thing.v1.json: no such event in the code"]


def test_personal_fields_are_marked_in_the_published_schema() -> None:
    from libs.events.schemas.clients import ClientRegistered

    identity = ClientRegistered.model_json_schema()["$defs"]["PersonIdentity"]["properties"]
    assert identity["pesel"]["x-personal-data"] is True
    assert identity["last_name"]["x-personal-data"] is True
