"""The joint plan's decider: one stream per plan (type "plan", id = plan id), pure and replayable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from libs.events.decider import Decider
from services.plans.domain import cis_months, ipzs_decisions, plan_decisions, step_decisions
from services.plans.domain.commands import (
    AddStep,
    CancelStep,
    ClosePlan,
    CompleteStep,
    ConcludeIpd,
    ConcludeSocialContract,
    DecideIntegrationBonus,
    EndIpzs,
    FailStep,
    OpenPlan,
    RecordAttendance,
    RenewIpzs,
    ReviewPlan,
    ScheduleStep,
    SignIpzs,
    WaiveSocialPreparation,
)
from services.plans.domain.permissions import require_open
from services.plans.domain.plan_evolution import evolve
from services.plans.domain.plan_state import PlanState

STREAM_TYPE = "plan"

_DECISIONS: dict[type[BaseModel], Callable[[Any, PlanState], list[BaseModel]]] = {
    ConcludeSocialContract: plan_decisions.conclude_social_contract,
    ConcludeIpd: plan_decisions.conclude_ipd,
    SignIpzs: ipzs_decisions.sign_ipzs,
    RenewIpzs: ipzs_decisions.renew_ipzs,
    EndIpzs: ipzs_decisions.end_ipzs,
    RecordAttendance: cis_months.record_attendance,
    DecideIntegrationBonus: cis_months.decide_integration_bonus,
    AddStep: step_decisions.add_step,
    ScheduleStep: step_decisions.schedule_step,
    CompleteStep: step_decisions.complete_step,
    FailStep: step_decisions.fail_step,
    CancelStep: step_decisions.cancel_step,
    WaiveSocialPreparation: plan_decisions.waive_social_preparation,
    ReviewPlan: plan_decisions.review_plan,
    ClosePlan: plan_decisions.close_plan,
}


def decide(command: BaseModel, state: PlanState) -> Sequence[BaseModel]:
    """The events a command produces in a state; DomainError (409) or Forbidden (403) when refused."""
    if isinstance(command, OpenPlan):
        return plan_decisions.open_plan(command, state)
    decision = _DECISIONS.get(type(command))
    if decision is None:
        raise TypeError(f"unknown command {type(command).__name__}")
    # Why the closed check comes before the permission check: a closed plan never changes, whoever asks, and the
    # answer (409 with the closing date and outcome) is the same for everyone.
    require_open(state)
    return decision(command, state)


decider: Decider[BaseModel, PlanState] = Decider(STREAM_TYPE, PlanState, decide, evolve)
