"""The demo-data generator: deterministic for a seed, valid people and payloads, the PZW order in every plan."""

from __future__ import annotations

import collections
import io
import random
from datetime import date

import orjson
import pytest
from stdnum.pl import pesel

from libs.events.kafka_codec import decode_event, encode_recorded, read_envelope
from libs.events.schemas import plans as p
from libs.events.schemas import registry
from libs.events.schemas.clients import ClientRegistered
from tools.demo_data.__main__ import write_jsonl
from tools.demo_data.dataset import SOURCES, TOPICS, DataSet
from tools.demo_data.events import StoryEvent
from tools.demo_data.gminas import GMINAS, powiats
from tools.demo_data.kafka_sink import Encoder
from tools.demo_data.network import choose_pairs
from tools.demo_data.people import PESEL_SLOTS, female_form, person
from tools.demo_data.scenario import PRESETS

PILOT = PRESETS["pilot"]
Stories = list[list[StoryEvent]]


@pytest.fixture(scope="module")
def pilot() -> Stories:
    dataset = DataSet(PILOT)
    return [dataset.setup(), *dataset.stories()]


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    def dump(seed: int) -> str:
        out = io.StringIO()
        write_jsonl(DataSet(PRESETS["tiny"].with_options(seed=seed, clients=20)), out)
        return out.getvalue()

    assert dump(7) == dump(7)
    assert dump(7) != dump(8)


def test_a_client_is_the_same_whatever_else_is_generated() -> None:
    few, many = DataSet(PILOT.with_options(clients=3)), DataSet(PILOT)
    assert [e.payload for e in few.story(2)] == [e.payload for e in many.story(2)]


def test_people_have_valid_unique_pesel_numbers_matching_their_birth_dates(pilot: Stories) -> None:
    registrations = [e.payload for story in pilot for e in story if isinstance(e.payload, ClientRegistered)]
    numbers = {r.client_id: r.identity.pesel for r in registrations}
    assert len(numbers) == PILOT.clients
    assert len(set(numbers.values())) == PILOT.clients
    for r in registrations:
        assert pesel.is_valid(r.identity.pesel)
        assert pesel.get_birth_date(r.identity.pesel) == r.identity.birth_date
        assert pesel.get_gender(r.identity.pesel) in {"M", "F"}


def test_pesel_numbers_stay_unique_over_many_clients() -> None:
    sample = [person(random.Random(i), i, 3, date(2026, 1, 1)).pesel for i in range(0, PESEL_SLOTS, 97)]
    assert len(sample) == len(set(sample))


def test_women_carry_the_feminine_form_of_adjectival_surnames() -> None:
    assert female_form("Kowalski") == "Kowalska"
    assert female_form("Nowicki") == "Nowicka"
    assert female_form("Nowak") == "Nowak"


def test_addresses_use_real_teryt_codes_of_the_table(pilot: Stories) -> None:
    table = {g.teryt: g for g in GMINAS}
    for story in pilot[1:]:
        address = story[0].payload.address
        assert address.teryt in table
        assert address.gmina == table[address.teryt].name
        assert address.postal_code in table[address.teryt].postal_codes


def test_every_payload_is_valid_for_its_registered_schema_and_survives_the_wire(pilot: Stories) -> None:
    dataset, encoder = DataSet(PILOT), Encoder()
    for story in pilot[:60]:
        for service, event in dataset.recorded(story):
            message = encoder.message(service, event)
            assert message == encode_recorded(event, registry, topic=TOPICS[service], source=SOURCES[service])
            decoded = decode_event(read_envelope(message.headers), message.value, registry)
            assert decoded.payload == event.payload
            assert registry.from_json(event.event_type, event.schema_version, orjson.dumps(
                event.payload.model_dump(mode="json"))) == event.payload


def test_stream_versions_are_consecutive_and_positions_increase(pilot: Stories) -> None:
    dataset = DataSet(PILOT)
    positions: dict[str, int] = collections.defaultdict(int)
    for story in pilot:
        versions: dict[str, list[int]] = collections.defaultdict(list)
        for service, event in dataset.recorded(story):
            versions[event.stream_id].append(event.stream_version)
            assert event.global_position > positions[service]
            positions[service] = event.global_position
        assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
        if story is not pilot[0]:  # a client's events happen one after another
            times = [e.occurred_at for e in story]
            assert times == sorted(times)


def test_plans_respect_the_pzw_order(pilot: Stories) -> None:
    """A vocational step is scheduled only after a social-preparation step was completed or the social worker
    waived the preparation; steps have owners of the right kind."""
    checked = 0
    for story in pilot[1:]:
        steps: dict[object, p.PlanStepAdded] = {}
        prepared = False
        for e in (s.payload for s in story):
            if isinstance(e, p.PlanStepAdded):
                steps[e.step_id] = e
                assert e.category is p.INSTRUMENT_CATEGORY[e.instrument]
                kind = e.owner.institution_kind.value
                assert kind == {"vocational": "PUP", "social": "OPS"}.get(e.category.value, kind)
            elif isinstance(e, p.SocialPreparationWaived) or (
                    isinstance(e, p.PlanStepCompleted) and steps[e.step_id].social_preparation):
                prepared = True
            elif isinstance(e, p.PlanStepScheduled) and steps[e.step_id].category is p.StepCategory.VOCATIONAL:
                assert prepared, f"vocational step scheduled before the social preparation: {e}"
                checked += 1
    assert checked > PILOT.clients / 2


def test_outcomes_are_realistic_for_the_pilot(pilot: Stories) -> None:
    """About 81% activated and 61% through instruments within six months in the pilot (seed 003)."""
    closed = [e.payload for story in pilot for e in story if isinstance(e.payload, p.PlanClosed)]
    activated = [c for c in closed if c.outcome not in {p.PlanOutcome.DROPPED_OUT, p.PlanOutcome.MOVED_AWAY,
                                                         p.PlanOutcome.OTHER}]
    assert 0.6 < len(activated) / PILOT.clients < 0.9
    refusals = [e.payload for story in pilot for e in story
                if isinstance(e.payload, p.PlanStepFailed) and e.payload.reason is p.StepFailure.REFUSED]
    assert refusals


def test_the_pilot_has_25_pups_and_25_opss_with_paired_workers() -> None:
    dataset = DataSet(PILOT)
    assert len({pair.pup for pair in dataset.network}) == 25
    assert len({pair.ops for pair in dataset.network}) == 25
    for pair in dataset.network:
        assert pair.pup == f"PUP-{pair.gmina.powiat}"
        assert all(r.job_broker.endswith(pair.pup.lower()) and r.social_worker.endswith(pair.ops.lower())
                   for r in pair.regions)


def test_institution_counts_are_checked_against_the_table() -> None:
    with pytest.raises(ValueError, match="powiats"):
        choose_pairs(len(powiats()) + 1, 100)
    with pytest.raises(ValueError, match="OPSs"):
        choose_pairs(2, 1)
    assert len(choose_pairs(len(powiats()), len(GMINAS))) == len(GMINAS)


def test_the_large_preset_makes_about_twenty_events_per_client() -> None:
    dataset = DataSet(PRESETS["large"])
    assert dataset.scenario.clients == 1_000_000
    sample = 3000
    events = sum(len(s) for s in dataset.stories(0, sample))
    assert 19 < events / sample < 21  # 1,000,000 clients: about 20,000,000 events
