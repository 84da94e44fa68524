"""Scoring a client against an offer (pure, deterministic): every point has a reason code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from libs.events.schemas.clients import EducationLevel
from libs.events.schemas.common import Period
from libs.events.schemas.matching import OfferPublished, ScoreComponent
from libs.events.schemas.plans import INSTRUMENT_CATEGORY, Instrument, StepCategory

EDUCATION_ORDER = [EducationLevel.NONE, EducationLevel.PRIMARY, EducationLevel.LOWER_SECONDARY,
                   EducationLevel.VOCATIONAL, EducationLevel.GENERAL_SECONDARY, EducationLevel.VOCATIONAL_SECONDARY,
                   EducationLevel.HIGHER]

# Points of each component; a component that rules a candidate out has `blocks` set.
POINTS = {"distance.same_postal_code": 30.0, "distance.same_gmina": 20.0, "distance.other_gmina": -10.0,
          "education.meets": 15.0, "education.below": -30.0, "qualification.has": 10.0,
          "qualification.missing": -15.0, "licence.has": 10.0, "experience.occupation": 15.0,
          "capacity.left": 5.0}
BLOCKING = {"licence.missing", "health.restriction", "plan.preparation_pending", "capacity.none",
            "funding.double", "offer.ended"}


@dataclass(frozen=True, slots=True)
class Candidate:
    """What matching knows of a client (from the clients and plans topics)."""

    client_id: uuid.UUID
    gmina: str | None = None
    teryt: str | None = None
    postal_code: str | None = None
    education: EducationLevel | None = None
    qualifications: frozenset[str] = frozenset()
    driving_licence: frozenset[str] = frozenset()
    work_restrictions: frozenset[str] = frozenset()
    occupations: frozenset[str] = frozenset()
    preparation_pending: bool = False
    active_steps: tuple[tuple[Instrument, Period], ...] = ()


@dataclass(frozen=True, slots=True)
class Offer:
    """An offer of the catalogue and how many of its places are taken."""

    published: OfferPublished
    places_taken: int = 0


@dataclass(frozen=True, slots=True)
class Score:
    client_id: uuid.UUID
    offer_id: uuid.UUID
    total: float
    eligible: bool
    components: tuple[ScoreComponent, ...] = field(default_factory=tuple)


def _words(text: str) -> set[str]:
    return {w for w in text.lower().replace(",", " ").split() if len(w) > 3}


def score(candidate: Candidate, offer: Offer, today: date) -> Score:
    """The score of a candidate for an offer, as a sum of explained components."""
    o = offer.published
    parts: list[ScoreComponent] = []

    def add(code: str, explanation: str, points: float | None = None) -> None:
        parts.append(ScoreComponent(code=code, points=points if points is not None else POINTS.get(code, 0.0),
                                    explanation=explanation))

    if candidate.postal_code and candidate.postal_code == o.location.postal_code:
        add("distance.same_postal_code", f"mieszka w kodzie {candidate.postal_code}")
    elif (candidate.teryt and candidate.teryt == o.location.teryt) or (
            candidate.gmina and candidate.gmina.lower() == o.location.gmina.lower()):
        add("distance.same_gmina", f"mieszka w gminie {o.location.gmina}")
    else:
        add("distance.other_gmina", f"mieszka poza gminą {o.location.gmina}")
    required = o.requirements
    if required.min_education is not None:
        level = candidate.education
        if level is not None and EDUCATION_ORDER.index(level) >= EDUCATION_ORDER.index(required.min_education):
            add("education.meets", f"wykształcenie {level.value} spełnia wymóg {required.min_education.value}")
        else:
            add("education.below", f"wymagane wykształcenie co najmniej {required.min_education.value}")
    for qualification in sorted(required.qualifications):
        if qualification.lower() in {q.lower() for q in candidate.qualifications}:
            add("qualification.has", f"ma uprawnienie: {qualification}")
        else:
            add("qualification.missing", f"brak uprawnienia: {qualification}")
    for category in sorted(required.driving_licence):
        if category in candidate.driving_licence:
            add("licence.has", f"prawo jazdy kat. {category}")
        else:
            add("licence.missing", f"brak prawa jazdy kat. {category}", 0.0)
    for restriction in sorted(set(required.excluded_health_restrictions) & candidate.work_restrictions):
        add("health.restriction", f"przeciwwskazanie zdrowotne: {restriction}", 0.0)
    if candidate.occupations and any(_words(occ) & _words(o.title) for occ in sorted(candidate.occupations)):
        add("experience.occupation", "doświadczenie w podobnym zawodzie")
    if INSTRUMENT_CATEGORY[o.instrument] == StepCategory.VOCATIONAL and candidate.preparation_pending:
        add("plan.preparation_pending", "najpierw przygotowanie społeczne w OPS (kolejność PZW)", 0.0)
    if offer.places_taken >= o.capacity:
        add("capacity.none", "brak wolnych miejsc", 0.0)
    else:
        add("capacity.left", f"wolne miejsca: {o.capacity - offer.places_taken}")
    if o.period.to is not None and o.period.to < today:
        add("offer.ended", "oferta już się zakończyła", 0.0)
    for instrument, period in candidate.active_steps:
        if instrument == o.instrument and period.overlaps(o.period):
            add("funding.double", f"trwa już finansowane wsparcie {instrument.value} w tym okresie", 0.0)
            break
    eligible = not any(p.code in BLOCKING for p in parts)
    return Score(candidate.client_id, o.offer_id, round(sum(p.points for p in parts), 2), eligible, tuple(parts))


def rank(scores: list[Score]) -> list[Score]:
    """Eligible first, then by total score, then by id: the same data always gives the same order."""
    return sorted(scores, key=lambda s: (not s.eligible, -s.total, str(s.offer_id), str(s.client_id)))
