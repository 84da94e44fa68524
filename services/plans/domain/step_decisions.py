"""Decisions about plan steps: who may propose which step, the PZW order rule, legal status transitions."""

from __future__ import annotations

from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.common import InstitutionKind
from libs.events.schemas.plans import (
    INSTRUMENT_CATEGORY,
    PlanStepAdded,
    PlanStepCancelled,
    PlanStepCompleted,
    PlanStepFailed,
    PlanStepScheduled,
    StepCategory,
)
from services.plans.domain.commands import AddStep, CancelStep, CompleteStep, FailStep, ScheduleStep, StepCommand
from services.plans.domain.permissions import OWNER_KINDS, kind_of, party, require_step_owner
from services.plans.domain.plan_state import OPEN_STEP, Ipzs, PlanState, Step, StepStatus


def add_step(command: AddStep, state: PlanState) -> list[BaseModel]:
    """A step proposed by the institution that will own it; proposing never waits for the order rule."""
    if command.step_id in state.steps:
        raise DomainError(f"step {command.step_id} already exists in this plan", field="step_id")
    category = INSTRUMENT_CATEGORY[command.instrument]
    kind = kind_of(command.actor, state)
    allowed = OWNER_KINDS[category]
    if kind is None or kind not in allowed:
        owners = " or ".join(sorted(k.value for k in allowed))
        raise Forbidden(f"{command.actor.institution} may not own a {category.value} step "
                        f"({command.instrument.value}): such steps belong to the {owners} of this plan")
    if command.social_preparation and kind is not InstitutionKind.OPS:
        raise DomainError("only OPS steps can be marked as social preparation", field="social_preparation")
    if category is StepCategory.CIS:
        _require_active_ipzs_of_actor(command, state, for_what="propose CIS support")
    return [PlanStepAdded(
        **state.event_keys(), step_id=command.step_id,
        owner=party(command.actor, kind, command.worker), instrument=command.instrument, category=category,
        social_preparation=command.social_preparation, title=command.title, planned=command.planned,
        funded_by=command.funded_by)]


def schedule_step(command: ScheduleStep, state: PlanState) -> list[BaseModel]:
    """Fix a step's dates; vocational steps wait for the social preparation, CIS steps need an active IPZS."""
    step = _own_step(command, state, "schedule")
    _require_status(step, {StepStatus.ADDED}, "scheduled")
    if step.category is StepCategory.VOCATIONAL and not state.social_preparation_done():
        raise DomainError(
            "vocational steps can be scheduled only after the OPS social preparation is completed or waived by "
            "the social worker (the PZW order rule: the social worker acts first)", field="step_id",
            rule="social_preparation_first")
    if step.category is StepCategory.CIS:
        ipzs = _require_active_ipzs_of_actor(command, state, for_what="schedule CIS support")
        if not ipzs.term.contains(command.scheduled.from_):
            raise DomainError(f"a CIS step must start within the current IPZS term {ipzs.term.from_}.."
                              f"{ipzs.term.to}", field="scheduled")
    return [PlanStepScheduled(**state.event_keys(), step_id=step.step_id,
                              scheduled=command.scheduled)]


def complete_step(command: CompleteStep, state: PlanState) -> list[BaseModel]:
    step = _own_step(command, state, "complete")
    _require_status(step, {StepStatus.SCHEDULED}, "completed")
    return [PlanStepCompleted(**state.event_keys(), step_id=step.step_id,
                              completed_on=command.today, outcome=command.outcome)]


def fail_step(command: FailStep, state: PlanState) -> list[BaseModel]:
    step = _own_step(command, state, "record the failure of")
    _require_status(step, {StepStatus.SCHEDULED}, "failed")
    return [PlanStepFailed(**state.event_keys(), step_id=step.step_id,
                           failed_on=command.today, reason=command.reason, note=command.note)]


def cancel_step(command: CancelStep, state: PlanState) -> list[BaseModel]:
    step = _own_step(command, state, "cancel")
    _require_status(step, OPEN_STEP, "cancelled")
    return [PlanStepCancelled(**state.event_keys(), step_id=step.step_id,
                              reason=command.reason)]


def _own_step(command: StepCommand, state: PlanState, doing: str) -> Step:
    step = state.steps.get(command.step_id)
    if step is None:
        raise DomainError(f"step {command.step_id} is not part of this plan", field="step_id")
    require_step_owner(command.actor, step, doing)
    return step


def _require_status(step: Step, allowed: frozenset[StepStatus] | set[StepStatus], becoming: str) -> None:
    if step.status not in allowed:
        expected = " or ".join(sorted(s.value for s in allowed))
        raise DomainError(f"step {step.step_id} is {step.status.value}; only a step that is {expected} can be "
                          f"{becoming}", field="step_id", status=step.status.value)


def _require_active_ipzs_of_actor(command: AddStep | ScheduleStep, state: PlanState, *, for_what: str) -> Ipzs:
    """No support without an active IPZS: the acting CIS must hold an IPZS in force today."""
    ipzs = state.ipzs
    if ipzs is None or ipzs.cis.institution_id != command.actor.institution or not ipzs.in_force_on(command.today):
        raise DomainError(f"{command.actor.institution} may {for_what} only with an IPZS in force on "
                          f"{command.today} (no support without an active IPZS)", rule="active_ipzs")
    return ipzs

