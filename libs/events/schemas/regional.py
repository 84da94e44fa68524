"""Items of the de-identified regional feed for ROPS (topics pzw.regional.<voivodeship>.v1).

Every item describes one fact about a client in a voivodeship without saying who the client is: no PESEL, name,
address, contact, birth date, free text, worker or amount ever appears. A client is a `subject`: a keyed hash of
the client id and the region (stable within a region, unlinkable across regions); ages are bands and dates are
months. See docs/regional-feed.md.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.clients import BenefitBasis, DeregistrationReason, SharingBasis, UnemploymentStatus
from libs.events.schemas.common import InstitutionKind
from libs.events.schemas.conflicts import Resolution, Severity
from libs.events.schemas.matching import OfferKind, ReferralOutcome
from libs.events.schemas.plans import (
    Instrument,
    IpzsEnding,
    IpzsGoal,
    PlanOutcome,
    StepCategory,
    StepFailure,
)
from libs.events.schemas.registry import registry

CONTEXT = "regional"

VOIVODESHIPS: dict[str, str] = {
    "02": "dolnośląskie", "04": "kujawsko-pomorskie", "06": "lubelskie", "08": "lubuskie", "10": "łódzkie",
    "12": "małopolskie", "14": "mazowieckie", "16": "opolskie", "18": "podkarpackie", "20": "podlaskie",
    "22": "pomorskie", "24": "śląskie", "26": "świętokrzyskie", "28": "warmińsko-mazurskie",
    "30": "wielkopolskie", "32": "zachodniopomorskie",
}
"""Voivodeships by the first two digits of a TERYT code: the regions of the feed."""

Region = Annotated[str, Field(pattern=r"^(02|04|06|08|10|12|14|16|18|20|22|24|26|28|30|32)$",
                              description="voivodeship: the first two digits of the TERYT code", examples=["24"])]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="calendar month (dates are never "
                             "finer than a month)", examples=["2026-03"])]
Subject = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="pseudonym of the client in this region: "
                               "HMAC-SHA256 of client id and region under a platform key, 128 bits in hex")]


class AgeBand(StrEnum):
    """Age of the client in the month of the fact, in bands."""

    UNDER_18 = "0-17"
    FROM_18 = "18-24"
    FROM_25 = "25-34"
    FROM_35 = "35-44"
    FROM_45 = "45-54"
    FROM_55 = "55-64"
    FROM_65 = "65+"


class ActivationForm(StrEnum):
    """How a closed plan activated the client (PlanOutcome without the outcomes that are not activation)."""

    EMPLOYMENT = "employment"
    SUBSIDISED_EMPLOYMENT = "subsidised_employment"
    TRAINING = "training"
    INTERVENTION_WORKS = "intervention_works"
    PUBLIC_WORKS = "public_works"
    SOCIALLY_USEFUL_WORKS = "socially_useful_works"
    INTERNSHIP = "internship"
    OWN_BUSINESS = "own_business"
    SOCIAL_COOPERATIVE = "social_cooperative"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class StepResult(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RegionalItem(EventPayload):
    """What every item carries: where (voivodeship) and when (month)."""

    region: Region
    month: Month


class SubjectItem(RegionalItem):
    """An item about one client: the pseudonym and the age band, never the person."""

    subject: Subject
    age_band: AgeBand | None = Field(description="null when the birth date is unknown")


@registry.event("RegionalClientRegistered", 1, context=CONTEXT)
class RegionalClientRegistered(SubjectItem):
    """A client registered at an institution of a kind (PUP registration, OPS intake, CIS referral)."""

    institution_kind: InstitutionKind


@registry.event("RegionalClientMoved", 1, context=CONTEXT)
class RegionalClientMoved(SubjectItem):
    """The client moved out of the region or into it (the subject differs in the two regions)."""

    direction: Direction


@registry.event("RegionalSharedClientIdentified", 1, context=CONTEXT)
class RegionalSharedClientIdentified(SubjectItem):
    """A PUP and an OPS started to work on the client together."""

    basis: SharingBasis


@registry.event("RegionalUnemploymentStatusChanged", 1, context=CONTEXT)
class RegionalUnemploymentStatusChanged(SubjectItem):
    """The PUP registered or deregistered the client as unemployed (the reason is a closed list)."""

    status: UnemploymentStatus
    reason: DeregistrationReason | None = None
    with_benefit_right: bool = False


@registry.event("RegionalBenefitGranted", 1, context=CONTEXT)
class RegionalBenefitGranted(SubjectItem):
    """An institution granted a benefit on a basis (neither the amount nor the benefit's name is carried)."""

    institution_kind: InstitutionKind
    basis: BenefitBasis


@registry.event("RegionalPlanOpened", 1, context=CONTEXT)
class RegionalPlanOpened(SubjectItem):
    """The joint plan (PZW) of a shared client was opened."""

    social_preparation_first: bool


@registry.event("RegionalPlanStepAdded", 1, context=CONTEXT)
class RegionalPlanStepAdded(SubjectItem):
    """A step of an instrument was added to the plan by an institution of a kind (the title is not carried)."""

    instrument: Instrument
    category: StepCategory
    owner_kind: InstitutionKind
    social_preparation: bool


@registry.event("RegionalPlanStepEnded", 1, context=CONTEXT)
class RegionalPlanStepEnded(SubjectItem):
    """A step was completed, failed (with the closed-list reason, e.g. refused) or cancelled."""

    instrument: Instrument | None = Field(description="null when the step's addition was not seen")
    category: StepCategory | None = None
    owner_kind: InstitutionKind | None = None
    result: StepResult
    failure: StepFailure | None = None


@registry.event("RegionalPlanClosed", 1, context=CONTEXT)
class RegionalPlanClosed(SubjectItem):
    """The plan ended with an outcome; `activated` and `activation_form` follow from the outcome."""

    outcome: PlanOutcome
    activated: bool
    activation_form: ActivationForm | None = None
    months_in_programme: int | None = Field(default=None, ge=0,
                                            description="whole months from the plan's opening to its closing")


@registry.event("RegionalIpzsSigned", 1, context=CONTEXT)
class RegionalIpzsSigned(SubjectItem):
    """A CIS signed an individual social-employment programme with the client."""

    main_goal: IpzsGoal


@registry.event("RegionalIpzsEnded", 1, context=CONTEXT)
class RegionalIpzsEnded(SubjectItem):
    """The client's IPZS ended (employment, own business, social cooperative, end of period)."""

    reason: IpzsEnding


@registry.event("RegionalReferralIssued", 1, context=CONTEXT)
class RegionalReferralIssued(SubjectItem):
    """The client was referred to an offer of a kind and instrument (the offer's title is not carried)."""

    offer_kind: OfferKind | None = Field(description="null when the offer was not seen")
    instrument: Instrument | None = None


@registry.event("RegionalReferralOutcomeRecorded", 1, context=CONTEXT)
class RegionalReferralOutcomeRecorded(SubjectItem):
    """The outcome of a referral: accepted, refused, no show, employed (the note is not carried)."""

    outcome: ReferralOutcome


@registry.event("RegionalConflictDetected", 1, context=CONTEXT)
class RegionalConflictDetected(SubjectItem):
    """A conflict rule fired for the client (explanations, evidence and amounts are not carried)."""

    rule_id: str = Field(pattern=r"^R\d+$")
    rule_version: int = Field(ge=1)
    severity: Severity


@registry.event("RegionalConflictResolved", 1, context=CONTEXT)
class RegionalConflictResolved(SubjectItem):
    """A conflict was confirmed or dismissed (the worker's reason is not carried)."""

    rule_id: str | None = Field(default=None, pattern=r"^R\d+$")
    resolution: Resolution


@registry.event("RegionalOfferPublished", 1, context=CONTEXT)
class RegionalOfferPublished(RegionalItem):
    """An offer located in the region entered the catalogue (institutions' offers are not personal data)."""

    offer_id: uuid.UUID
    offer_kind: OfferKind
    instrument: Instrument
    capacity: int = Field(ge=1)
    funded_by_kind: InstitutionKind | None = None
