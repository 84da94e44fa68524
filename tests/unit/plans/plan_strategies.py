"""Hypothesis strategies: random commands from random actors against the current state of a plan."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import TypeVar

from hypothesis import strategies as st
from pydantic import BaseModel

from libs.events.envelope import Actor
from libs.events.schemas.common import Period
from libs.events.schemas.plans import (
    INSTRUMENT_CATEGORY,
    Instrument,
    IpzsEnding,
    IpzsGoal,
    PlanOutcome,
    StepCategory,
    StepFailure,
)
from services.plans.domain import commands as c
from services.plans.domain.plan_state import PlanState, StepStatus
from tests.unit.plans.plan_builders import (
    CIS_ID,
    CIS_WORKER,
    JOB_BROKER,
    OPS_ASSISTANT,
    OPS_ID,
    OTHER_CIS_ID,
    OTHER_CIS_WORKER,
    PUP_ID,
    SOCIAL_WORKER,
    STRANGER,
    open_plan,
)

T = TypeVar("T")

ACTORS = (JOB_BROKER, SOCIAL_WORKER, OPS_ASSISTANT, CIS_WORKER, OTHER_CIS_WORKER, STRANGER)
_BY_INSTITUTION: dict[str, Actor] = {}
for _actor in ACTORS:
    _BY_INSTITUTION.setdefault(_actor.institution, _actor)  # the OPS is usually its social worker
_USUAL_OWNER = {StepCategory.VOCATIONAL: (PUP_ID,), StepCategory.EDUCATIONAL: (PUP_ID, OPS_ID),
                StepCategory.SOCIAL: (OPS_ID,), StepCategory.CIS: (CIS_ID, OTHER_CIS_ID)}

# Weights: sequences spend most of their length on steps; waiving and closing are rare (see plan_commands) so
# that many sequences stay open, under the order rule, long enough to reach the interesting states.
_WEIGHTS = {"add": 5, "schedule": 5, "complete": 4, "fail": 1, "cancel": 1, "sign": 1, "renew": 1, "end": 1,
            "waive": 1, "contract": 1, "ipd": 1, "review": 1, "open": 1, "close": 1}
_KINDS = tuple(kind for kind, weight in _WEIGHTS.items() for _ in range(weight))
_FITTING_STATUS = {"schedule": {StepStatus.ADDED}, "complete": {StepStatus.SCHEDULED},
                   "fail": {StepStatus.SCHEDULED}, "cancel": {StepStatus.ADDED, StepStatus.SCHEDULED}}


@cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    """Integer strategies are built once: building strategies on every draw dominates the run time."""
    return st.integers(low, high)


def _pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    return items[draw(_ints(0, len(items) - 1))]


def _one_in(draw: st.DrawFn, n: int) -> bool:
    return draw(_ints(0, n - 1)) == 0


def _new_id(draw: st.DrawFn) -> uuid.UUID:
    return uuid.UUID(int=draw(_ints(1, 2**32)))


def _period(draw: st.DrawFn, today: date) -> Period:
    """A period starting up to 5 days before `today` or 40 after, up to 60 days long or open-ended."""
    start = today + timedelta(days=draw(_ints(-5, 40)))
    return Period(from_=start, to=None if _one_in(draw, 5) else start + timedelta(days=draw(_ints(0, 60))))


def _actor_for(draw: st.DrawFn, institution: str | None) -> Actor:
    """Usually a worker of `institution` (the owner), sometimes anyone: both paths must be exercised."""
    owner = _BY_INSTITUTION.get(institution or "")
    if owner is not None and not _one_in(draw, 4):
        return owner
    return _pick(draw, ACTORS)


def _step_id(draw: st.DrawFn, state: PlanState, kind: str = "") -> uuid.UUID:
    """Mostly a step the command fits (by status), sometimes any step of the plan or one that does not exist."""
    fitting = [s.step_id for s in state.steps.values() if s.status in _FITTING_STATUS.get(kind, ())]
    choice = draw(_ints(0, 9))
    if fitting and choice > 2:
        return _pick(draw, fitting)
    if state.steps and choice > 0:
        return _pick(draw, list(state.steps))
    return _new_id(draw)


def _step_command(draw: st.DrawFn, kind: str, state: PlanState, today: date) -> BaseModel:
    step_id = _step_id(draw, state, kind)
    step = state.steps.get(step_id)
    actor = _actor_for(draw, step.owner.institution_id if step else None)
    if kind == "schedule":
        return c.ScheduleStep(actor=actor, today=today, step_id=step_id, scheduled=_period(draw, today))
    if kind == "complete":
        return c.CompleteStep(actor=actor, today=today, step_id=step_id, outcome="done")
    if kind == "fail":
        return c.FailStep(actor=actor, today=today, step_id=step_id, reason=_pick(draw, list(StepFailure)))
    return c.CancelStep(actor=actor, today=today, step_id=step_id, reason="no longer needed")


def _add_step(draw: st.DrawFn, state: PlanState, today: date) -> BaseModel:
    instrument = _pick(draw, list(Instrument))
    category = INSTRUMENT_CATEGORY[instrument]
    actor = _actor_for(draw, _pick(draw, _USUAL_OWNER[category]))
    step_id = _step_id(draw, state) if _one_in(draw, 10) else _new_id(draw)
    # Mostly OPS social steps are marked as preparation; sometimes any step is, which must be refused.
    usual = actor.institution == OPS_ID and category is StepCategory.SOCIAL
    preparation = _one_in(draw, 2 if usual else 10)
    return c.AddStep(actor=actor, today=today, step_id=step_id, instrument=instrument, title="a step",
                     planned=_period(draw, today), social_preparation=preparation)


def _plan_command(draw: st.DrawFn, kind: str, state: PlanState, today: date) -> BaseModel:
    holder = state.ipzs.cis.institution_id if state.ipzs else CIS_ID
    usual = {"sign": _pick(draw, (CIS_ID, OTHER_CIS_ID)), "renew": holder, "end": holder, "waive": OPS_ID,
             "contract": OPS_ID, "ipd": PUP_ID}
    actor = _actor_for(draw, usual.get(kind))
    if kind == "sign":
        starts_on = None if _one_in(draw, 2) else today + timedelta(days=draw(_ints(-3, 10)))
        return c.SignIpzs(actor=actor, today=today, ipzs_id=_new_id(draw), main_goal=_pick(draw, list(IpzsGoal)),
                          starts_on=starts_on)
    if kind == "renew":
        return c.RenewIpzs(actor=actor, today=today)
    if kind == "end":
        return c.EndIpzs(actor=actor, today=today, reason=_pick(draw, list(IpzsEnding)))
    if kind == "contract":
        return c.ConcludeSocialContract(actor=actor, today=today, contract_number=_pick(draw, ("KS/1", "KS/2")),
                                        valid=_period(draw, today))
    if kind == "ipd":
        return c.ConcludeIpd(actor=actor, today=today, ipd_number=_pick(draw, ("IPD/1", "IPD/2")),
                             valid=_period(draw, today))
    if kind == "open":
        return open_plan(actor, social_preparation_first=_one_in(draw, 2)).model_copy(update={"today": today})
    # Rare on purpose: a waiver switches the order rule off and nothing happens after a plan is closed.
    if kind == "waive" and _one_in(draw, 4):
        return c.WaiveSocialPreparation(actor=actor, today=today, reason="ready")
    if kind == "close" and _one_in(draw, 6):
        return c.ClosePlan(actor=actor, today=today, outcome=_pick(draw, list(PlanOutcome)))
    return c.ReviewPlan(actor=actor, today=today, summary="reviewed")


@st.composite
def plan_commands(draw: st.DrawFn, state: PlanState, today: date) -> BaseModel:
    """Any command of the plans context, from any actor, on `today`."""
    kind = _pick(draw, _KINDS)
    if kind in _FITTING_STATUS:
        return _step_command(draw, kind, state, today)
    if kind == "add":
        return _add_step(draw, state, today)
    return _plan_command(draw, kind, state, today)
