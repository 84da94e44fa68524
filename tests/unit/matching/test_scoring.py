"""Scores of clients against offers: explained, deterministic, and blocking where the rules say so."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.clients import EducationLevel
from libs.events.schemas.common import Period
from libs.events.schemas.matching import OfferLocation, OfferPublished, OfferRequirements, ReferralIssued
from libs.events.schemas.plans import Instrument
from services.matching.domain.offer import Issue, RecordOutcome, referral_decider
from services.matching.domain.scoring import Candidate, Offer, rank, score

TODAY = date(2026, 11, 23)
WINTER = Period(from_=date(2026, 12, 1), to=date(2027, 5, 31))


def offer(n: int = 1, instrument: Instrument = Instrument.INTERNSHIP, capacity: int = 2, **requirements: object
          ) -> OfferPublished:
    return OfferPublished(offer_id=uuid.UUID(int=n), kind="internship", instrument=instrument,
                          title="Staż: magazynier w hurtowni",
                          location=OfferLocation(gmina="Bytom", teryt="2462011", postal_code="41-900"),
                          requirements=OfferRequirements(**requirements), capacity=capacity, period=WINTER,
                          funded_by="PUP-2462", monthly_pay=Decimal("1994.40"))


NEIGHBOUR = Candidate(client_id=uuid.UUID(int=10), gmina="Bytom", teryt="2462011", postal_code="41-902",
                      education=EducationLevel.VOCATIONAL, driving_licence=frozenset({"B"}),
                      occupations=frozenset({"magazynier"}))


def codes(candidate: Candidate, published: OfferPublished, taken: int = 0) -> list[str]:
    return [c.code for c in score(candidate, Offer(published, taken), TODAY).components]


def test_every_point_has_a_reason_and_the_total_is_their_sum() -> None:
    result = score(NEIGHBOUR, Offer(offer(min_education=EducationLevel.PRIMARY, driving_licence=("B",))), TODAY)
    assert [c.code for c in result.components] == [
        "distance.same_gmina", "education.meets", "licence.has", "experience.occupation", "capacity.left"]
    assert result.total == sum(c.points for c in result.components)
    assert result.eligible
    assert all(c.explanation for c in result.components)


@pytest.mark.parametrize(("candidate", "published", "taken", "blocker"), [
    (NEIGHBOUR, offer(driving_licence=("C",)), 0, "licence.missing"),
    (Candidate(client_id=uuid.UUID(int=11), work_restrictions=frozenset({"no_heavy_lifting"})),
     offer(excluded_health_restrictions=("no_heavy_lifting",)), 0, "health.restriction"),
    (Candidate(client_id=uuid.UUID(int=12), preparation_pending=True), offer(), 0, "plan.preparation_pending"),
    (NEIGHBOUR, offer(capacity=1), 1, "capacity.none"),
    (Candidate(client_id=uuid.UUID(int=13), active_steps=((Instrument.INTERNSHIP, WINTER),)), offer(), 0,
     "funding.double"),
])
def test_blocking_components_make_a_candidate_ineligible(candidate: Candidate, published: OfferPublished,
                                                         taken: int, blocker: str) -> None:
    result = score(candidate, Offer(published, taken), TODAY)
    assert blocker in [c.code for c in result.components]
    assert not result.eligible


def test_social_offers_do_not_wait_for_the_social_preparation() -> None:
    pending = Candidate(client_id=uuid.UUID(int=12), preparation_pending=True)
    assert score(pending, Offer(offer(instrument=Instrument.THERAPY)), TODAY).eligible


def test_ranking_is_deterministic_and_puts_eligible_first() -> None:
    offers = [Offer(offer(n, capacity=1), places_taken=n % 2) for n in range(1, 7)]
    scores = [score(NEIGHBOUR, o, TODAY) for o in offers]
    first = rank(scores)
    assert rank(list(reversed(scores))) == first
    assert [s.eligible for s in first] == [True] * 3 + [False] * 3


def test_a_referral_needs_an_eligible_client_and_an_open_offer_and_is_idempotent() -> None:
    referral = ReferralIssued(referral_id=uuid.UUID(int=5), client_id=NEIGHBOUR.client_id, offer_id=uuid.UUID(int=1),
                              institution_id="PUP-2462", issued_by="w", issued_on=TODAY)
    with pytest.raises(DomainError, match="eligible"):
        referral_decider.decide(Issue(referral=referral, eligible=False, offer_open=True), referral_decider.initial())
    with pytest.raises(DomainError, match="no place"):
        referral_decider.decide(Issue(referral=referral, eligible=True, offer_open=False), referral_decider.initial())
    [issued] = referral_decider.decide(Issue(referral=referral, eligible=True, offer_open=True),
                                       referral_decider.initial())
    state = referral_decider.fold([issued])
    assert referral_decider.decide(Issue(referral=referral, eligible=True, offer_open=True), state) == []
    with pytest.raises(Forbidden):
        referral_decider.decide(RecordOutcome(outcome="refused", recorded_on=TODAY, institution_id="MOPS-1"), state)
    [refused] = referral_decider.decide(RecordOutcome(outcome="refused", recorded_on=TODAY,
                                                      institution_id="PUP-2462"), state)
    with pytest.raises(DomainError, match="already"):
        referral_decider.decide(RecordOutcome(outcome="employed", recorded_on=TODAY, institution_id="PUP-2462"),
                                referral_decider.fold([refused], state))
