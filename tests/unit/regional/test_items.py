"""From platform events to feed items, in memory: every item validates, none carries a personal or free-text value."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from libs.events.schemas import regional as r
from libs.events.schemas import registry
from libs.events.schemas.clients import (
    ClientAddressChanged,
    ClientErased,
    ClientRegistered,
    ErasureBasis,
    UnemploymentStatus,
    UnemploymentStatusChanged,
)
from libs.events.schemas.common import Address
from libs.events.schemas.plans import PlanClosed, PlanOutcome
from services.reporting.regional.feed_store import FeedItem
from services.reporting.regional.items import HANDLES
from services.reporting.regional.state import BatchState, Draft
from tests.support.recorded import recorded
from tests.unit.regional.personal_values import forbidden_values, leaks
from tests.unit.regional.simulate import run
from tools.demo_data.dataset import DataSet
from tools.demo_data.scenario import PRESETS


def test_the_handled_events_are_registered_event_types() -> None:
    assert all(registry.knows(name) for name in HANDLES)


def test_a_pilot_history_gives_valid_items_without_personal_data() -> None:
    dataset = DataSet(PRESETS["pilot"].with_options(clients=120))
    forbidden: set[str] = set()
    items: list[FeedItem] = []
    for story in [dataset.setup(), *dataset.stories()]:
        events = [event for _, event in dataset.recorded(story)]
        for event in events:
            forbidden |= forbidden_values(event.payload)
        items += run(events)[0]
    assert len(forbidden) > 1000  # PESELs, names, streets, notes ... of 120 people
    text = "\n".join(i.payload.decode() + i.stream_id + i.partition_key + str(i.item_id) for i in items)
    assert leaks(forbidden, text) == []
    for item in items:
        model = registry.from_json(item.item_type, item.schema_version, item.payload)
        assert isinstance(model, r.RegionalItem)
        assert len(model.month) == 7
    kinds = {i.item_type for i in items}
    assert {"RegionalClientRegistered", "RegionalPlanClosed", "RegionalPlanStepEnded", "RegionalReferralIssued",
            "RegionalOfferPublished", "RegionalSharedClientIdentified"} <= kinds


def _registration(client_id: uuid.UUID, teryt: str) -> ClientRegistered:
    return ClientRegistered(
        client_id=client_id, institution_id="PUP-5301", institution_kind="PUP",
        identity={"pesel": "85061412345", "first_name": "Jadwiga", "last_name": "Kowalczyk",
                  "birth_date": date(1985, 6, 14)},
        address=Address(gmina="Katowice", teryt=teryt, postal_code="40-007", city="Katowice", street="Mariacka",
                        building="7"), registered_on=date(2026, 3, 9))


def test_a_move_to_another_voivodeship_leaves_one_region_and_enters_the_other_under_another_subject() -> None:
    client = uuid.uuid4()
    moved = ClientAddressChanged(client_id=client, address=Address(
        gmina="Warszawa", teryt="1465011", postal_code="00-950", city="Warszawa", street="Marszałkowska", building="1"))
    items, _ = run([recorded(_registration(client, "2469011")), recorded(moved, version=2)])
    places = [(i.item_type, i.region, i.partition_key) for i in items]
    assert places[0][:2] == ("RegionalClientRegistered", "24")
    assert places[1][:2] == ("RegionalClientMoved", "24")
    assert b'"out"' in items[1].payload
    assert places[2][:2] == ("RegionalClientMoved", "14")
    assert b'"in"' in items[2].payload
    assert places[0][2] == places[1][2] != places[2][2]


def test_facts_about_a_client_not_seen_yet_wait_for_the_registration() -> None:
    client, plan = uuid.uuid4(), uuid.uuid4()
    closed = PlanClosed(plan_id=plan, client_id=client, closed_on=date(2026, 5, 4), outcome=PlanOutcome.INTERNSHIP,
                        closed_by="ewa.lis@mops-530101", institution_id="MOPS-530101")
    items, state = run([recorded(closed, stream_id=str(plan))])
    assert items == []
    assert [d.item for d in state.new_pending] == [r.RegionalPlanClosed]
    waiting = state.new_pending
    state = BatchState(pending={client: [Draft.from_json(client, d.to_json()) for d in waiting]})
    items, _ = run([recorded(_registration(client, "0201011"))], state)
    assert [i.item_type for i in items] == ["RegionalClientRegistered", "RegionalPlanClosed"]
    assert all(i.region == "02" for i in items)
    assert b'"activation_form":"internship"' in items[1].payload


def test_a_client_without_teryt_code_is_not_placed() -> None:
    client = uuid.uuid4()
    registration = _registration(client, "2469011").model_copy(update={"address": Address(
        gmina="Katowice", postal_code="40-007", city="Katowice")})
    items, state = run([recorded(registration)])
    assert items == []
    assert state.clients[client].region is None


def test_a_replay_after_erasure_still_counts_the_client_in_its_region() -> None:
    client = uuid.uuid4()
    sealed_away = ("identity", "address", "contact")
    data = {**_registration(client, "2469011").model_dump(mode="json"), "identity": None, "address": None}
    erased_registration = replace(recorded(registry.from_erased("ClientRegistered", 1, data)), erased=sealed_away)
    status = UnemploymentStatusChanged(client_id=client, institution_id="PUP-5301",
                                       status=UnemploymentStatus.REGISTERED, effective_on=date(2026, 3, 9))
    erasure = ClientErased(client_id=client, legal_basis=ErasureBasis.DATA_SUBJECT_REQUEST, erased_on=date(2026, 9, 1),
                           birth_year=1985, teryt="2469011", gmina="Katowice")
    live, _ = run([recorded(_registration(client, "2469011")), recorded(status, version=2),
                   recorded(erasure, version=3)])
    replayed, state = run([erased_registration, recorded(status, version=2), recorded(erasure, version=3)])
    assert [(i.item_type, i.region) for i in replayed] == [(i.item_type, i.region) for i in live] == [
        ("RegionalClientRegistered", "24"), ("RegionalUnemploymentStatusChanged", "24")]
    assert [i.payload for i in replayed] == [i.payload for i in live]
    assert state.clients[client].birth_month == date(1985, 7, 1)
