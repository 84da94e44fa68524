"""Conflict rules R1–R6 over folded facts: each fires on its case and stays silent on the near miss."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel

from libs.events.envelope import RecordedEvent
from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from libs.events.schemas.common import InstitutionKind, Period
from services.matching.conflicts.detection import detect, next_deadline
from services.matching.conflicts.facts import ClientFacts, apply
from services.matching.conflicts.ruleset import DEFAULT_RULES, load_rules, parse_rules
from tests.support.people import ADDRESS, person
from tests.support.recorded import recorded

RULES = load_rules()
TODAY = date(2026, 11, 23)
CLIENT = uuid.UUID(int=42)
PLAN = uuid.UUID(int=7)
PUP, OPS, CIS = "PUP-2473", "MOPS-2473", "CIS-2473"
BENEFIT = uuid.UUID(int=1)


def facts_of(events: list[RecordedEvent]) -> ClientFacts:
    facts = ClientFacts(client_id=CLIENT)
    for event in events:
        facts = apply(facts, event)
    return facts


def rule_ids(events: list[RecordedEvent], today: date = TODAY, trigger: str | None = "event") -> list[str]:
    return [f.rule.id for f in detect(facts_of(events), RULES, today, trigger)]


def ev(payload: BaseModel, **kw: object) -> RecordedEvent:
    return recorded(payload, **kw)  # type: ignore[arg-type]


def registered(institution: str, kind: InstitutionKind) -> RecordedEvent:
    return ev(c.ClientRegistered(client_id=CLIENT, institution_id=institution, institution_kind=kind,
                                 identity=c.PersonIdentity(**person()), address=ADDRESS,
                                 registered_on=date(2026, 1, 5)))


BOTH = [registered(PUP, InstitutionKind.PUP), registered(OPS, InstitutionKind.OPS)]


def status(state: str, reason: str | None, on: date) -> RecordedEvent:
    return ev(c.UnemploymentStatusChanged(client_id=CLIENT, institution_id=PUP, status=state, reason=reason,
                                          effective_on=on))


def benefit(basis: str = "unemployment", institution: str = OPS, kind: InstitutionKind = InstitutionKind.OPS,
            period: Period | None = None, benefit_id: uuid.UUID = BENEFIT) -> RecordedEvent:
    return ev(c.BenefitGranted(client_id=CLIENT, benefit_id=benefit_id, institution_id=institution,
                               institution_kind=kind, kind="zasiłek okresowy", basis=basis,
                               monthly_amount=Decimal("418.00"),
                               period=period or Period(from_=date(2026, 10, 1), to=date(2027, 3, 31))))


def test_r1_deregistration_for_refusal_while_an_unemployment_benefit_runs() -> None:
    assert rule_ids([*BOTH, benefit(), status("deregistered", "refused_offer", date(2026, 11, 20))]) == ["R1"]


def test_r1_near_misses_other_reason_other_basis_or_benefit_already_ended() -> None:
    assert rule_ids([*BOTH, benefit(), status("deregistered", "own_request", date(2026, 11, 20))]) == []
    assert rule_ids([*BOTH, benefit(basis="disability"), status("deregistered", "took_work", date(2026, 11, 20))]) == []
    ended = ev(c.BenefitEnded(client_id=CLIENT, benefit_id=uuid.UUID(int=1), institution_id=OPS,
                              ended_on=date(2026, 11, 1), reason="x"))
    assert rule_ids([*BOTH, benefit(), ended, status("deregistered", "took_work", date(2026, 11, 20))]) == []


def step(instrument: str, owner: str, kind: InstitutionKind, planned: Period, step_id: int,
         funded_by: str | None = None) -> RecordedEvent:
    return ev(p.PlanStepAdded(plan_id=PLAN, client_id=CLIENT, step_id=uuid.UUID(int=step_id),
                              owner=p.PlanParty(institution_id=owner, institution_kind=kind, worker="w"),
                              instrument=instrument, category=p.INSTRUMENT_CATEGORY[p.Instrument(instrument)],
                              social_preparation=False, title="t", planned=planned, funded_by=funded_by))


def scheduled(step_id: int, period: Period) -> RecordedEvent:
    return ev(p.PlanStepScheduled(plan_id=PLAN, client_id=CLIENT, step_id=uuid.UUID(int=step_id), scheduled=period))


NOV = Period(from_=date(2026, 11, 1), to=date(2026, 11, 30))
DEC = Period(from_=date(2026, 12, 1), to=date(2026, 12, 31))


def test_r2_the_same_instrument_funded_by_two_institutions_at_once() -> None:
    events = [*BOTH, step("training", PUP, InstitutionKind.PUP, NOV, 1),
              step("training", OPS, InstitutionKind.OPS, NOV, 2, funded_by=OPS)]
    assert rule_ids(events) == ["R2"]
    later = [*BOTH, step("training", PUP, InstitutionKind.PUP, NOV, 1),
             step("training", OPS, InstitutionKind.OPS, DEC, 2, funded_by=OPS)]
    assert rule_ids(later) == []
    cancelled = ev(p.PlanStepCancelled(plan_id=PLAN, client_id=CLIENT, step_id=uuid.UUID(int=2), reason="dup"))
    assert rule_ids([*events, cancelled]) == []


def income(amount: str, institution: str, by_client: bool, source: str = "employment") -> RecordedEvent:
    return ev(c.IncomeDeclared(client_id=CLIENT, institution_id=institution, source=source,
                               monthly_amount=Decimal(amount), period=NOV, declared_by_client=by_client))


def test_r3_income_declared_to_ops_lower_than_known_to_pup() -> None:
    assert rule_ids([*BOTH, income("0.00", OPS, True), income("1500.00", PUP, False, "internship_stipend")]) == ["R3"]
    within_tolerance = [*BOTH, income("1480.00", OPS, True), income("1500.00", PUP, False)]
    assert rule_ids(within_tolerance) == []


def failed(step_id: int, reason: str, on: date) -> RecordedEvent:
    return ev(p.PlanStepFailed(plan_id=PLAN, client_id=CLIENT, step_id=uuid.UUID(int=step_id), failed_on=on,
                               reason=reason))


def test_r4_repeated_refusals_while_registered() -> None:
    base = [*BOTH, status("registered", None, date(2026, 6, 1))]
    refused_referral = ev(m.ReferralOutcomeRecorded(referral_id=uuid.uuid4(), client_id=CLIENT,
                                                     offer_id=uuid.uuid4(), outcome="refused",
                                                     recorded_on=date(2026, 9, 10)))
    assert rule_ids([*base, failed(1, "refused", date(2026, 9, 1)), refused_referral]) == ["R4"]
    assert rule_ids([*base, failed(1, "refused", date(2026, 7, 1)), failed(2, "no_show", date(2026, 11, 1))]) == []
    assert rule_ids([*base, failed(1, "dropped_out", date(2026, 9, 1)), failed(2, "refused", date(2026, 9, 2))]) == []


def test_r5_two_full_time_steps_booked_at_the_same_time_or_cis_benefit_during_a_pup_internship() -> None:
    events = [*BOTH, step("internship", PUP, InstitutionKind.PUP, NOV, 1), scheduled(1, NOV),
              step("public_works", PUP, InstitutionKind.PUP, NOV, 2), scheduled(2, NOV)]
    assert rule_ids(events) == ["R5"]
    cis = [*BOTH, registered(CIS, InstitutionKind.CIS), step("internship", PUP, InstitutionKind.PUP, NOV, 1),
           scheduled(1, NOV), benefit(basis="other", institution=CIS, kind=InstitutionKind.CIS, period=NOV,
                                      benefit_id=uuid.UUID(int=9))]
    assert rule_ids(cis) == ["R5"]
    only_planned = [*BOTH, step("internship", PUP, InstitutionKind.PUP, NOV, 1),
                    step("public_works", PUP, InstitutionKind.PUP, NOV, 2)]
    assert rule_ids(only_planned) == []


def opened(at: datetime) -> RecordedEvent:
    party = p.PlanParty(institution_id=PUP, institution_kind=InstitutionKind.PUP, worker="w")
    ops = p.PlanParty(institution_id=OPS, institution_kind=InstitutionKind.OPS, worker="s")
    return ev(p.PlanOpened(plan_id=PLAN, client_id=CLIENT, agreement_id=uuid.uuid4(), pup=party, ops=ops,
                           social_preparation_first=True, opened_on=at.date()), occurred_at=at)


def shared() -> RecordedEvent:
    return ev(c.SharedClientIdentified(
        client_id=CLIENT, pup_institution_id=PUP, ops_institution_id=OPS, agreement_id=uuid.uuid4(),
        basis="legal_basis", identified_on=date(2026, 1, 5)))


def test_r6_stale_plan_is_a_timer_rule_with_a_deadline() -> None:
    at = datetime(2026, 10, 1, 9, tzinfo=UTC)
    events = [*BOTH, shared(), opened(at)]
    assert rule_ids(events, trigger="event") == []  # never on an event: activity is what arrives as events
    assert rule_ids(events, today=date(2026, 10, 30), trigger="timer") == []
    assert rule_ids(events, today=date(2026, 10, 31), trigger="timer") == ["R6"]
    assert next_deadline(facts_of(events), RULES, TODAY) == date(2026, 10, 31)
    closed = ev(p.PlanClosed(plan_id=PLAN, client_id=CLIENT, closed_on=date(2026, 10, 5), outcome="employment",
                             closed_by="w", institution_id=PUP))
    assert rule_ids([*events, closed], trigger="timer") == []


def test_thresholds_are_configuration() -> None:
    text = RULES_TEXT.replace("tolerance_pln = 50.0", "tolerance_pln = 5.0")
    strict = parse_rules(text)
    facts = facts_of([*BOTH, income("1480.00", OPS, True), income("1500.00", PUP, False)])
    assert [f.rule.id for f in detect(facts, strict, TODAY, "event")] == ["R3"]


def test_same_evidence_gives_the_same_conflict_id_in_any_order_and_with_duplicates() -> None:
    events = [*BOTH, benefit(), status("deregistered", "refused_offer", date(2026, 11, 20)),
              income("0.00", OPS, True), income("900.00", PUP, False)]
    expected = {f.conflict_id for f in detect(facts_of(events), RULES, TODAY)}
    assert len(expected) == 2
    for seed in range(20):
        shuffled = events + events[: seed % len(events)]
        random.Random(seed).shuffle(shuffled)
        assert {f.conflict_id for f in detect(facts_of(shuffled), RULES, TODAY)} == expected


def test_explanations_name_the_facts_in_both_languages() -> None:
    [finding] = detect(facts_of([*BOTH, benefit(), status("deregistered", "refused_offer", date(2026, 11, 20))]),
                       RULES, TODAY)
    event = finding.to_event(datetime(2026, 11, 23, tzinfo=UTC))
    assert "PUP-2473" in event.explanation_pl
    assert "2026-11-20" in event.explanation_en
    assert len(event.evidence_event_ids) == 2
    assert event.period.from_ == date(2026, 11, 20)
    assert event.period.to == date(2027, 3, 31)
    assert event.rule_version == 1


RULES_TEXT = DEFAULT_RULES.read_text(encoding="utf-8")


def test_r4_a_refused_referral_and_the_plan_step_it_created_count_once_in_any_order() -> None:
    base = [*BOTH, status("registered", None, date(2026, 6, 1))]
    referral = uuid.uuid4()
    issued = ev(m.ReferralIssued(referral_id=referral, client_id=CLIENT, offer_id=uuid.uuid4(), plan_id=PLAN,
                                 step_id=uuid.UUID(int=1), institution_id=PUP, issued_by="w",
                                 issued_on=date(2026, 9, 1)))
    refused = ev(m.ReferralOutcomeRecorded(referral_id=referral, client_id=CLIENT, offer_id=uuid.uuid4(),
                                           outcome="refused", recorded_on=date(2026, 9, 2)))
    step_failed = failed(1, "refused", date(2026, 9, 2))
    assert rule_ids([*base, issued, refused, step_failed]) == []  # one refusal, not two
    second = failed(2, "no_show", date(2026, 9, 20))
    ids = set()
    for order in ([issued, refused, step_failed, second], [issued, second, step_failed, refused],
                  [issued, step_failed, refused, second]):
        findings = detect(facts_of([*base, *order]), RULES, TODAY, "event")
        assert [f.rule.id for f in findings] == ["R4"]
        ids.add(findings[0].conflict_id)
    assert len(ids) == 1
