"""Response bodies of the plans API, built from the plan's state."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel

from libs.events.schemas.common import Period
from libs.events.schemas.plans import (
    Instrument,
    IpzsEnding,
    IpzsGoal,
    PlanOutcome,
    PlanParty,
    StepCategory,
    StepFailure,
)
from services.plans.adapters.shared_client_directory import Sharing
from services.plans.domain.plan_state import Ipzs, PlanState, Step, StepStatus


class StepView(BaseModel):
    """A step of the plan: what, whose, when, and how it went."""

    step_id: uuid.UUID
    owner: PlanParty
    instrument: Instrument
    category: StepCategory
    social_preparation: bool
    title: str
    planned: Period
    funded_by: str | None
    status: StepStatus
    scheduled: Period | None
    completed_on: date | None
    outcome: str | None
    failed_on: date | None
    failure_reason: StepFailure | None
    note: str | None
    cancel_reason: str | None


class DocumentView(BaseModel):
    """The social contract (OPS) or the IPD (PUP) that is part of the plan."""

    number: str
    worker: str
    valid: Period
    goals: tuple[str, ...]


class IpzsView(BaseModel):
    """The IPZS of a CIS with its current term; `active` is about today."""

    ipzs_id: uuid.UUID
    cis: PlanParty
    main_goal: IpzsGoal
    first_term: Period
    term: Period
    renewals: int
    active: bool
    ended_on: date | None
    end_reason: IpzsEnding | None


class SocialPreparationView(BaseModel):
    """The PZW order rule for this plan: may the vocational part be scheduled now?"""

    first: bool
    waived_on: date | None
    waived_by: str | None
    vocational_scheduling_allowed: bool


class ReviewView(BaseModel):
    reviewed_on: date
    reviewer: str
    institution_id: str
    summary: str


class ClosureView(BaseModel):
    closed_on: date
    outcome: PlanOutcome
    closed_by: str
    institution_id: str


class PlanView(BaseModel):
    """The joint plan (the client's PZW) as both workers see it; `version` is the ETag to send in If-Match."""

    plan_id: uuid.UUID
    client_id: uuid.UUID
    agreement_id: uuid.UUID
    version: int
    status: Literal["open", "closed"]
    opened_on: date
    pup: PlanParty
    ops: PlanParty
    social_preparation: SocialPreparationView
    social_contract: DocumentView | None
    ipd: DocumentView | None
    ipzs: IpzsView | None
    earlier_ipzs: list[IpzsView]
    steps: list[StepView]
    reviews: list[ReviewView]
    closure: ClosureView | None


class SharingView(BaseModel):
    """How the clients context shares a client, as the plans service knows it (eventually consistent)."""

    pup_institution_id: str
    ops_institution_id: str
    agreement_id: uuid.UUID | None
    social_preparation_first: bool
    sharing_active: bool
    usable_today: bool
    why_not: str | None
    job_broker: str | None
    career_counsellor: str | None
    social_worker: str | None


def step_view(step: Step) -> StepView:
    return StepView(
        step_id=step.step_id, owner=step.owner, instrument=step.instrument, category=step.category,
        social_preparation=step.social_preparation, title=step.title, planned=step.planned,
        funded_by=step.funded_by, status=step.status, scheduled=step.scheduled, completed_on=step.completed_on,
        outcome=step.outcome, failed_on=step.failed_on, failure_reason=step.failure, note=step.note,
        cancel_reason=step.cancel_reason)


def _ipzs_view(ipzs: Ipzs, today: date) -> IpzsView:
    return IpzsView(
        ipzs_id=ipzs.ipzs_id, cis=ipzs.cis, main_goal=ipzs.main_goal, first_term=ipzs.first_term, term=ipzs.term,
        renewals=len(ipzs.renewals), active=ipzs.active_on(today),
        ended_on=ipzs.ended.ended_on if ipzs.ended else None, end_reason=ipzs.ended.reason if ipzs.ended else None)


def plan_view(state: PlanState, version: int, today: date) -> PlanView:
    """The API view of a plan's state at a stream version; `today` decides whether the IPZS is active."""
    assert state.plan_id is not None
    assert state.client_id is not None
    assert state.agreement_id is not None
    assert state.pup is not None
    assert state.ops is not None
    assert state.opened_on is not None
    contract, ipd, waiver, closure = state.social_contract, state.ipd, state.waiver, state.closure
    return PlanView(
        plan_id=state.plan_id, client_id=state.client_id, agreement_id=state.agreement_id, version=version,
        status="closed" if state.closed else "open", opened_on=state.opened_on, pup=state.pup, ops=state.ops,
        social_preparation=SocialPreparationView(
            first=state.social_preparation_first, waived_on=waiver.waived_on if waiver else None,
            waived_by=waiver.social_worker if waiver else None,
            vocational_scheduling_allowed=state.social_preparation_done()),
        social_contract=DocumentView(number=contract.contract_number, worker=contract.social_worker,
                                     valid=contract.valid, goals=contract.goals) if contract else None,
        ipd=DocumentView(number=ipd.ipd_number, worker=ipd.job_broker, valid=ipd.valid,
                         goals=ipd.goals) if ipd else None,
        ipzs=_ipzs_view(state.ipzs, today) if state.ipzs else None,
        earlier_ipzs=[_ipzs_view(i, today) for i in state.ipzs_history[:-1]],
        steps=[step_view(s) for s in state.steps.values()],
        reviews=[ReviewView(reviewed_on=r.reviewed_on, reviewer=r.reviewer, institution_id=r.institution_id,
                            summary=r.summary) for r in state.reviews],
        closure=ClosureView(closed_on=closure.closed_on, outcome=closure.outcome, closed_by=closure.closed_by,
                            institution_id=closure.institution_id) if closure else None)


def sharing_view(sharing: Sharing, today: date) -> SharingView:
    why_not = sharing.why_not_shared(today)
    return SharingView(
        pup_institution_id=sharing.pup_institution_id, ops_institution_id=sharing.ops_institution_id,
        agreement_id=sharing.agreement_id, social_preparation_first=sharing.social_preparation_first,
        sharing_active=sharing.sharing_active, usable_today=why_not is None, why_not=why_not,
        job_broker=sharing.job_broker, career_counsellor=sharing.career_counsellor,
        social_worker=sharing.social_worker)
