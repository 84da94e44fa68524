"""Commands of the plans context: what a worker asks the joint plan to do, with who asks and on which day."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionId, Period, WorkerId
from libs.events.schemas.plans import Instrument, IpzsEnding, IpzsGoal, PlanOutcome, PlanParty, StepFailure


class PlanCommand(BaseModel):
    """Every command names its actor and today's date: the domain never reads a clock."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Actor
    today: date


class OpenPlan(PlanCommand):
    """Open the joint plan (the client's PZW) for a client shared by a PUP and an OPS."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    agreement_id: uuid.UUID
    pup: PlanParty
    ops: PlanParty
    social_preparation_first: bool


class ConcludeSocialContract(PlanCommand):
    """The OPS records the kontrakt socjalny concluded with the client."""

    contract_number: str = Field(min_length=1, max_length=64)
    valid: Period
    goals: tuple[str, ...] = Field(default=(), max_length=20)


class ConcludeIpd(PlanCommand):
    """The PUP records the individual action plan (IPD) prepared with the client."""

    ipd_number: str = Field(min_length=1, max_length=64)
    valid: Period
    goals: tuple[str, ...] = Field(default=(), max_length=20)


class SignIpzs(PlanCommand):
    """A CIS and the participant sign an IPZS; the first term is one month from `starts_on` (default today)."""

    ipzs_id: uuid.UUID
    main_goal: IpzsGoal
    starts_on: date | None = None


class RenewIpzs(PlanCommand):
    """The CIS continues the IPZS for one further month."""

    assessment: str | None = Field(default=None, max_length=2000)


class EndIpzs(PlanCommand):
    """The CIS ends the IPZS (employment, own business, social cooperative, end of period)."""

    reason: IpzsEnding


class RecordAttendance(PlanCommand):
    """The CIS of the IPZS records the participant's attendance for one month (a later record corrects it)."""

    month: date = Field(description="the first day of the month")
    days_scheduled: int = Field(ge=0, le=31)
    days_present: int = Field(ge=0, le=31)
    days_excused: int = Field(default=0, ge=0, le=31)


class DecideIntegrationBonus(PlanCommand):
    """The CIS of the IPZS decides the integration bonus (premia integracyjna) for one month."""

    month: date = Field(description="the first day of the month")
    granted: bool
    amount: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    reason: str | None = Field(default=None, max_length=1000)


class AddStep(PlanCommand):
    """Propose a step owned by the actor's institution (its worker defaults to the actor)."""

    step_id: uuid.UUID
    instrument: Instrument
    title: str = Field(min_length=1, max_length=300)
    planned: Period
    social_preparation: bool = False
    worker: WorkerId | None = None
    funded_by: InstitutionId | None = None


class StepCommand(PlanCommand):
    """A command about one existing step."""

    step_id: uuid.UUID


class ScheduleStep(StepCommand):
    """Fix the step's dates (a referral issued, a place booked)."""

    scheduled: Period


class CompleteStep(StepCommand):
    """The step was carried out, with this outcome."""

    outcome: str = Field(min_length=1, max_length=500)


class FailStep(StepCommand):
    """The step did not work out (refused, no show, dropped out, not eligible, other)."""

    reason: StepFailure
    note: str | None = Field(default=None, max_length=1000)


class CancelStep(StepCommand):
    """The step is no longer wanted."""

    reason: str = Field(min_length=1, max_length=500)


class WaiveSocialPreparation(PlanCommand):
    """The OPS social worker lets vocational steps go ahead before the social preparation is finished."""

    reason: str = Field(min_length=1, max_length=500)


class ReviewPlan(PlanCommand):
    """A worker of a participating institution reviews the plan."""

    summary: str = Field(min_length=1, max_length=2000)


class ClosePlan(PlanCommand):
    """The PUP or the OPS closes the plan with its measured outcome; nothing changes afterwards."""

    outcome: PlanOutcome
