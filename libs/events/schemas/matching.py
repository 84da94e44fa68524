"""Events of the matching context (topic pzw.matching.v1): the offer catalogue, matches and referrals."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.clients import EducationLevel
from libs.events.schemas.common import InstitutionId, Period, ValueObject, WorkerId
from libs.events.schemas.plans import Instrument
from libs.events.schemas.registry import registry

CONTEXT = "matching"


class OfferKind(StrEnum):
    JOB_OFFER = "job_offer"
    TRAINING = "training"
    INTERNSHIP = "internship"
    PUBLIC_WORKS = "public_works"
    INTERVENTION_WORKS = "intervention_works"
    SOCIALLY_USEFUL_WORKS = "socially_useful_works"
    CIS_PLACE = "cis_place"
    NGO_SERVICE = "ngo_service"


class OfferLocation(ValueObject):
    gmina: str = Field(min_length=1, max_length=100)
    teryt: str | None = Field(default=None, pattern=r"^\d{7}$")
    postal_code: str | None = Field(default=None, pattern=r"^\d{2}-\d{3}$")


class OfferRequirements(ValueObject):
    min_education: EducationLevel | None = None
    qualifications: tuple[str, ...] = ()
    driving_licence: tuple[str, ...] = ()
    excluded_health_restrictions: tuple[str, ...] = Field(
        default=(), description="work restrictions that rule a candidate out, e.g. no heavy lifting")


@registry.event("OfferPublished", 1, context=CONTEXT)
class OfferPublished(EventPayload):
    """An offer entered the catalogue (a job, a training, a CIS place, an NGO service ...)."""

    offer_id: uuid.UUID
    kind: OfferKind
    instrument: Instrument
    title: str = Field(min_length=1, max_length=300)
    location: OfferLocation
    requirements: OfferRequirements = Field(default_factory=OfferRequirements)
    capacity: int = Field(ge=1, le=10000)
    period: Period
    funded_by: InstitutionId
    monthly_pay: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)


@registry.event("OfferWithdrawn", 1, context=CONTEXT)
class OfferWithdrawn(EventPayload):
    offer_id: uuid.UUID
    withdrawn_on: date
    reason: str = Field(min_length=1, max_length=500)


class ScoreComponent(ValueObject):
    """One explained part of a match score."""

    code: str = Field(min_length=1, max_length=64, examples=["distance.same_gmina", "education.meets"])
    points: float
    explanation: str = Field(min_length=1, max_length=300)


@registry.event("MatchProposed", 1, context=CONTEXT)
class MatchProposed(EventPayload):
    """The platform proposed an offer to a client, with every component of the score."""

    match_id: uuid.UUID
    client_id: uuid.UUID
    offer_id: uuid.UUID
    score: float
    components: tuple[ScoreComponent, ...]
    proposed_by: WorkerId


@registry.event("ReferralIssued", 1, context=CONTEXT)
class ReferralIssued(EventPayload):
    """A worker referred the client to an offer (skierowanie); the plan gets the corresponding step."""

    referral_id: uuid.UUID
    client_id: uuid.UUID
    offer_id: uuid.UUID
    plan_id: uuid.UUID | None = None
    step_id: uuid.UUID | None = None
    institution_id: InstitutionId
    issued_by: WorkerId
    issued_on: date


class ReferralOutcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    NO_SHOW = "no_show"
    EMPLOYED = "employed"


@registry.event("ReferralOutcomeRecorded", 1, context=CONTEXT)
class ReferralOutcomeRecorded(EventPayload):
    referral_id: uuid.UUID
    client_id: uuid.UUID
    offer_id: uuid.UUID
    outcome: ReferralOutcome
    recorded_on: date
    note: str | None = Field(default=None, max_length=1000)
