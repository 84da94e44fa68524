"""How each plan event changes the plan's state (pure; the only place state changes)."""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel

from libs.events.schemas.plans import (
    IpdConcluded,
    IpzsEnded,
    IpzsRenewed,
    IpzsSigned,
    PlanClosed,
    PlanOpened,
    PlanReviewed,
    PlanStepAdded,
    PlanStepCancelled,
    PlanStepCompleted,
    PlanStepFailed,
    PlanStepScheduled,
    SocialContractConcluded,
    SocialPreparationWaived,
)
from services.plans.domain.plan_state import Ipzs, PlanState, Step, StepStatus


def evolve(state: PlanState, event: BaseModel) -> PlanState:
    """The state after one event (unknown events leave it unchanged: newer producers may add types)."""
    if isinstance(event, PlanOpened):
        return replace(state, plan_id=event.plan_id, client_id=event.client_id, agreement_id=event.agreement_id,
                       pup=event.pup, ops=event.ops, social_preparation_first=event.social_preparation_first,
                       opened_on=event.opened_on)
    if isinstance(event, SocialContractConcluded):
        return replace(state, social_contract=event)
    if isinstance(event, IpdConcluded):
        return replace(state, ipd=event)
    if isinstance(event, IpzsSigned | IpzsRenewed | IpzsEnded):
        return _evolve_ipzs(state, event)
    if isinstance(event, PlanStepAdded | PlanStepScheduled | PlanStepCompleted | PlanStepFailed | PlanStepCancelled):
        return _evolve_step(state, event)
    if isinstance(event, SocialPreparationWaived):
        return replace(state, waiver=event)
    if isinstance(event, PlanReviewed):
        return replace(state, reviews=(*state.reviews, event))
    if isinstance(event, PlanClosed):
        return replace(state, closure=event)
    return state


def _evolve_ipzs(state: PlanState, event: IpzsSigned | IpzsRenewed | IpzsEnded) -> PlanState:
    if isinstance(event, IpzsSigned):
        signed = Ipzs(ipzs_id=event.ipzs_id, cis=event.cis, main_goal=event.main_goal, first_term=event.term,
                      term=event.term)
        return replace(state, ipzs_history=(*state.ipzs_history, signed))
    current = state.ipzs
    if current is None or current.ipzs_id != event.ipzs_id:
        return state
    if isinstance(event, IpzsRenewed):
        changed = replace(current, term=event.term, renewals=(*current.renewals, event))
    else:
        changed = replace(current, ended=event)
    return replace(state, ipzs_history=(*state.ipzs_history[:-1], changed))


def _evolve_step(
    state: PlanState,
    event: PlanStepAdded | PlanStepScheduled | PlanStepCompleted | PlanStepFailed | PlanStepCancelled,
) -> PlanState:
    if isinstance(event, PlanStepAdded):
        step = Step(step_id=event.step_id, owner=event.owner, instrument=event.instrument, category=event.category,
                    social_preparation=event.social_preparation, title=event.title, planned=event.planned,
                    funded_by=event.funded_by)
        return replace(state, steps={**state.steps, step.step_id: step})
    current = state.steps.get(event.step_id)
    if current is None:
        return state
    if isinstance(event, PlanStepScheduled):
        changed = replace(current, status=StepStatus.SCHEDULED, scheduled=event.scheduled)
    elif isinstance(event, PlanStepCompleted):
        changed = replace(current, status=StepStatus.COMPLETED, completed_on=event.completed_on,
                          outcome=event.outcome)
    elif isinstance(event, PlanStepFailed):
        changed = replace(current, status=StepStatus.FAILED, failed_on=event.failed_on, failure=event.reason,
                          note=event.note)
    else:
        changed = replace(current, status=StepStatus.CANCELLED, cancel_reason=event.reason)
    return replace(state, steps={**state.steps, changed.step_id: changed})
