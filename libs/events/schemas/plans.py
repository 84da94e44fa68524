"""Events of the plans context (topic pzw.plans.v1): the joint plan of a shared client (IPD + social contract +
IPZS) and its steps."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.common import PERSONAL, InstitutionId, InstitutionKind, Period, ValueObject, WorkerId
from libs.events.schemas.registry import registry

CONTEXT = "plans"


class StepCategory(StrEnum):
    VOCATIONAL = "vocational"
    EDUCATIONAL = "educational"
    SOCIAL = "social"
    CIS = "cis"


class Instrument(StrEnum):
    """The instrument catalogue; each instrument belongs to one category (see INSTRUMENT_CATEGORY)."""

    JOB_OFFER = "job_offer"  # oferta pracy
    TRAINING = "training"  # szkolenie
    INTERNSHIP = "internship"  # staż
    PUBLIC_WORKS = "public_works"  # roboty publiczne
    INTERVENTION_WORKS = "intervention_works"  # prace interwencyjne
    SOCIALLY_USEFUL_WORKS = "socially_useful_works"  # prace społecznie użyteczne
    SUBSIDISED_EMPLOYMENT = "subsidised_employment"  # refundacja kosztów zatrudnienia
    CAREER_COUNSELLING = "career_counselling"  # poradnictwo zawodowe
    EDUCATION_COURSE = "education_course"  # uzupełnienie wykształcenia
    THERAPY = "therapy"  # terapia, wsparcie psychologiczne
    ADDICTION_TREATMENT = "addiction_treatment"  # leczenie uzależnień
    HOUSING = "housing"  # sprawy mieszkaniowe
    FAMILY_SUPPORT = "family_support"  # wsparcie rodziny, asystent rodziny
    SOCIAL_WORK = "social_work"  # praca socjalna, przygotowanie społeczne
    CIS_CLASSES = "cis_classes"  # zajęcia w CIS (reintegracja społeczna i zawodowa)
    CIS_WORK_PRACTICE = "cis_work_practice"  # praktyka u pracodawcy


INSTRUMENT_CATEGORY: dict[Instrument, StepCategory] = {
    Instrument.JOB_OFFER: StepCategory.VOCATIONAL,
    Instrument.TRAINING: StepCategory.VOCATIONAL,
    Instrument.INTERNSHIP: StepCategory.VOCATIONAL,
    Instrument.PUBLIC_WORKS: StepCategory.VOCATIONAL,
    Instrument.INTERVENTION_WORKS: StepCategory.VOCATIONAL,
    Instrument.SOCIALLY_USEFUL_WORKS: StepCategory.VOCATIONAL,
    Instrument.SUBSIDISED_EMPLOYMENT: StepCategory.VOCATIONAL,
    Instrument.CAREER_COUNSELLING: StepCategory.EDUCATIONAL,
    Instrument.EDUCATION_COURSE: StepCategory.EDUCATIONAL,
    Instrument.THERAPY: StepCategory.SOCIAL,
    Instrument.ADDICTION_TREATMENT: StepCategory.SOCIAL,
    Instrument.HOUSING: StepCategory.SOCIAL,
    Instrument.FAMILY_SUPPORT: StepCategory.SOCIAL,
    Instrument.SOCIAL_WORK: StepCategory.SOCIAL,
    Instrument.CIS_CLASSES: StepCategory.CIS,
    Instrument.CIS_WORK_PRACTICE: StepCategory.CIS,
}


class PlanParty(ValueObject):
    """An institution taking part in the plan and its worker."""

    institution_id: InstitutionId
    institution_kind: InstitutionKind
    worker: WorkerId


@registry.event("PlanOpened", 1, context=CONTEXT)
class PlanOpened(EventPayload):
    """The joint plan (the client's PZW) of a shared client was opened."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    agreement_id: uuid.UUID
    pup: PlanParty
    ops: PlanParty
    social_preparation_first: bool = Field(description="vocational steps wait for the OPS social preparation")
    opened_on: date


@registry.event("SocialContractConcluded", 1, context=CONTEXT)
class SocialContractConcluded(EventPayload):
    """The OPS concluded a kontrakt socjalny with the client; it is part of the joint plan."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    contract_number: str = Field(min_length=1, max_length=64)
    social_worker: WorkerId
    valid: Period
    goals: tuple[str, ...] = Field(default=(), max_length=20, json_schema_extra=PERSONAL)


@registry.event("IpdConcluded", 1, context=CONTEXT)
class IpdConcluded(EventPayload):
    """The PUP prepared the individual action plan (IPD) with the client; it is part of the joint plan."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    ipd_number: str = Field(min_length=1, max_length=64)
    job_broker: WorkerId
    valid: Period
    goals: tuple[str, ...] = Field(default=(), max_length=20, json_schema_extra=PERSONAL)


class IpzsGoal(StrEnum):
    """The closed list of main goals of an IPZS."""

    OPEN_MARKET_EMPLOYMENT = "open_market_employment"
    SOCIAL_COOPERATIVE = "social_cooperative"
    OWN_BUSINESS = "own_business"


@registry.event("IpzsSigned", 1, context=CONTEXT)
class IpzsSigned(EventPayload):
    """A CIS and the participant signed the individual social-employment programme (first term: one month)."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    ipzs_id: uuid.UUID
    cis: PlanParty
    main_goal: IpzsGoal
    term: Period


@registry.event("IpzsRenewed", 1, context=CONTEXT)
class IpzsRenewed(EventPayload):
    """The CIS decided to continue the IPZS for another term."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    ipzs_id: uuid.UUID
    term: Period
    assessment: str | None = Field(default=None, max_length=2000, json_schema_extra=PERSONAL)


class IpzsEnding(StrEnum):
    EMPLOYMENT = "employment"
    OWN_BUSINESS = "own_business"
    SOCIAL_COOPERATIVE = "social_cooperative"
    END_OF_PERIOD = "end_of_period"


@registry.event("IpzsEnded", 1, context=CONTEXT)
class IpzsEnded(EventPayload):
    """The IPZS ended; graduates are followed up by the OPS (social contract) or the PUP (IPD)."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    ipzs_id: uuid.UUID
    ended_on: date
    reason: IpzsEnding


@registry.event("CisAttendanceRecorded", 1, context=CONTEXT)
class CisAttendanceRecorded(EventPayload):
    """The CIS recorded a participant's attendance at classes in one month of the IPZS; a later record of the same
    month corrects the earlier one."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    ipzs_id: uuid.UUID
    cis_institution_id: InstitutionId
    month: date = Field(description="the first day of the month")
    days_scheduled: int = Field(ge=0, le=31, description="days of classes planned for the participant")
    days_present: int = Field(ge=0, le=31)
    days_excused: int = Field(ge=0, le=31, description="absences with an excuse (sick leave ...)")
    recorded_by: WorkerId


@registry.event("IntegrationBonusDecided", 1, context=CONTEXT)
class IntegrationBonusDecided(EventPayload):
    """The CIS decided whether the participant receives the integration bonus (premia integracyjna) for a month; a
    later decision for the same month replaces the earlier one."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    ipzs_id: uuid.UUID
    cis_institution_id: InstitutionId
    month: date = Field(description="the first day of the month")
    granted: bool
    amount: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2,
                                   description="PLN, when granted")
    reason: str | None = Field(default=None, max_length=1000)
    decided_by: WorkerId


@registry.event("PlanStepAdded", 1, context=CONTEXT)
class PlanStepAdded(EventPayload):
    """A step was proposed in the plan by the institution that will own it."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    step_id: uuid.UUID
    owner: PlanParty
    instrument: Instrument
    category: StepCategory
    social_preparation: bool = Field(description="an OPS step that vocational steps wait for")
    title: str = Field(min_length=1, max_length=300)
    planned: Period
    funded_by: InstitutionId | None = None


@registry.event("PlanStepScheduled", 1, context=CONTEXT)
class PlanStepScheduled(EventPayload):
    """The step's dates are fixed (a referral issued, a place booked)."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    step_id: uuid.UUID
    scheduled: Period


@registry.event("PlanStepCompleted", 1, context=CONTEXT)
class PlanStepCompleted(EventPayload):
    plan_id: uuid.UUID
    client_id: uuid.UUID
    step_id: uuid.UUID
    completed_on: date
    outcome: str = Field(min_length=1, max_length=500)


class StepFailure(StrEnum):
    REFUSED = "refused"  # the client refused the offer or instrument
    NO_SHOW = "no_show"
    DROPPED_OUT = "dropped_out"
    NOT_ELIGIBLE = "not_eligible"
    OTHER = "other"


@registry.event("PlanStepFailed", 1, context=CONTEXT)
class PlanStepFailed(EventPayload):
    plan_id: uuid.UUID
    client_id: uuid.UUID
    step_id: uuid.UUID
    failed_on: date
    reason: StepFailure
    note: str | None = Field(default=None, max_length=1000, json_schema_extra=PERSONAL)


@registry.event("PlanStepCancelled", 1, context=CONTEXT)
class PlanStepCancelled(EventPayload):
    plan_id: uuid.UUID
    client_id: uuid.UUID
    step_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)


@registry.event("SocialPreparationWaived", 1, context=CONTEXT)
class SocialPreparationWaived(EventPayload):
    """The social worker decided vocational steps need not wait for the remaining social preparation."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    social_worker: WorkerId
    reason: str = Field(min_length=1, max_length=500)
    waived_on: date


@registry.event("PlanReviewed", 1, context=CONTEXT)
class PlanReviewed(EventPayload):
    plan_id: uuid.UUID
    client_id: uuid.UUID
    reviewed_on: date
    reviewer: WorkerId
    institution_id: InstitutionId
    summary: str = Field(min_length=1, max_length=2000, json_schema_extra=PERSONAL)


class PlanOutcome(StrEnum):
    """How a plan ended; all but DROPPED_OUT, MOVED_AWAY and OTHER count as activation."""

    EMPLOYMENT = "employment"
    SUBSIDISED_EMPLOYMENT = "subsidised_employment"
    TRAINING_COMPLETED = "training_completed"
    INTERVENTION_WORKS = "intervention_works"
    PUBLIC_WORKS = "public_works"
    SOCIALLY_USEFUL_WORKS = "socially_useful_works"
    INTERNSHIP = "internship"
    OWN_BUSINESS = "own_business"
    SOCIAL_COOPERATIVE = "social_cooperative"
    DROPPED_OUT = "dropped_out"
    MOVED_AWAY = "moved_away"
    OTHER = "other"


@registry.event("PlanClosed", 1, context=CONTEXT)
class PlanClosed(EventPayload):
    """The joint plan ended with a measured outcome; a closed plan never changes again."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    closed_on: date
    outcome: PlanOutcome
    closed_by: WorkerId
    institution_id: InstitutionId
