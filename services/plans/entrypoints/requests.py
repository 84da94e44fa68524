"""Request bodies of the plans API, with the examples shown in the OpenAPI documentation."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from libs.events.schemas.common import InstitutionId, Period, WorkerId
from libs.events.schemas.plans import Instrument, IpzsEnding, IpzsGoal, PlanOutcome, StepFailure


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class PlanOpenRequest(BaseModel):
    """Open the joint plan of a client the actor's institution shares with its partner."""

    model_config = _example(client_id="0190b7a2-4c1e-7000-8000-00000000c001")

    client_id: uuid.UUID


class SocialContractRequest(BaseModel):
    """The kontrakt socjalny the OPS concluded with the client."""

    model_config = _example(contract_number="KS/2026/117", valid={"from": "2026-11-02", "to": "2027-04-30"},
                            goals=["regular income", "stable housing"])

    contract_number: str = Field(min_length=1, max_length=64)
    valid: Period
    goals: tuple[str, ...] = Field(default=(), max_length=20)


class IpdRequest(BaseModel):
    """The individual action plan (IPD) the PUP prepared with the client."""

    model_config = _example(ipd_number="IPD/2473/2026/88", valid={"from": "2026-11-02", "to": "2027-05-01"},
                            goals=["warehouse work", "forklift licence"])

    ipd_number: str = Field(min_length=1, max_length=64)
    valid: Period
    goals: tuple[str, ...] = Field(default=(), max_length=20)


class IpzsSignRequest(BaseModel):
    """An IPZS signed by the CIS worker and the participant; its first term is one month from `starts_on`."""

    model_config = _example(main_goal="open_market_employment", starts_on="2026-11-09")

    main_goal: IpzsGoal
    starts_on: date | None = Field(default=None, description="first day of the programme (default: today)")


class IpzsRenewRequest(BaseModel):
    """The CIS decision to continue the IPZS for one further month, with the monthly assessment (part II)."""

    model_config = _example(assessment="attends regularly, motivation rising")

    assessment: str | None = Field(default=None, max_length=2000)


class IpzsEndRequest(BaseModel):
    """Why the IPZS ends."""

    model_config = _example(reason="employment")

    reason: IpzsEnding


def _month(value: Any) -> Any:
    """Accept a month as "2026-11" as well as its first day "2026-11-01"."""
    if isinstance(value, str) and len(value) == 7:
        return f"{value}-01"
    return value


class AttendanceRequest(BaseModel):
    """The participant's attendance at CIS classes in one month of the IPZS."""

    model_config = _example(month="2026-11", days_scheduled=20, days_present=18, days_excused=1)

    month: date = Field(description="the month, as 2026-11 or its first day 2026-11-01")
    days_scheduled: int = Field(ge=0, le=31)
    days_present: int = Field(ge=0, le=31)
    days_excused: int = Field(default=0, ge=0, le=31, description="absences with an excuse (sick leave ...)")

    _parse_month = field_validator("month", mode="before")(_month)


class BonusRequest(BaseModel):
    """The decision on the integration bonus (premia integracyjna) for one month."""

    model_config = _example(month="2026-11", granted=True, amount="250.00",
                            reason="full attendance, IPZS goals of the month met")

    month: date = Field(description="the month, as 2026-11 or its first day 2026-11-01")
    granted: bool
    amount: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2, description="PLN")
    reason: str | None = Field(default=None, max_length=1000)

    _parse_month = field_validator("month", mode="before")(_month)


class StepAddRequest(BaseModel):
    """A step proposed by the actor's institution, which will own it."""

    model_config = _example(instrument="social_work", title="Social preparation: budgeting and daily routine",
                            planned={"from": "2026-11-09", "to": "2026-12-18"}, social_preparation=True)

    instrument: Instrument
    title: str = Field(min_length=1, max_length=300)
    planned: Period
    social_preparation: bool = Field(default=False, description="an OPS step that vocational steps wait for")
    worker: WorkerId | None = Field(default=None, description="the responsible worker (default: the actor)")
    funded_by: InstitutionId | None = None
    step_id: uuid.UUID | None = Field(default=None, description="give one to make retries idempotent (a step id "
                                      "already in the plan is refused with 409)")


class StepScheduleRequest(BaseModel):
    """The dates fixed for the step (a referral issued, a place booked)."""

    model_config = _example(scheduled={"from": "2026-11-16", "to": "2026-12-11"})

    scheduled: Period


class StepCompleteRequest(BaseModel):
    model_config = _example(outcome="attended all sessions; ready for job search")

    outcome: str = Field(min_length=1, max_length=500)


class StepFailRequest(BaseModel):
    model_config = _example(reason="refused", note="refused the internship offer: shift work")

    reason: StepFailure
    note: str | None = Field(default=None, max_length=1000)


class StepCancelRequest(BaseModel):
    model_config = _example(reason="the training was cancelled by the provider")

    reason: str = Field(min_length=1, max_length=500)


class WaiverRequest(BaseModel):
    """Why vocational steps need not wait for the rest of the social preparation."""

    model_config = _example(reason="stable situation at home; the client is ready for an internship now")

    reason: str = Field(min_length=1, max_length=500)


class ReviewRequest(BaseModel):
    model_config = _example(summary="Social preparation finished; internship booked from 16 November.")

    summary: str = Field(min_length=1, max_length=2000)


class CloseRequest(BaseModel):
    """The measured outcome of the plan."""

    model_config = _example(outcome="employment")

    outcome: PlanOutcome
