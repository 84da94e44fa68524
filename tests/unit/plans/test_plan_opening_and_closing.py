"""Opening, reviewing and closing the joint plan: given events, when a command, then events or a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.plans import Instrument, IpzsEnding, PlanClosed, PlanOpened, PlanOutcome, PlanReviewed
from services.plans.domain import commands as c
from tests.unit.plans.plan_builders import (
    CIS_WORKER,
    JOB_BROKER,
    OPS,
    PUP,
    SOCIAL_WORKER,
    STRANGER,
    TODAY,
    add_step,
    given,
    open_plan,
    opened,
    period,
    schedule,
    sign_ipzs,
    state_of,
    step_id,
    when,
)


def test_the_pup_or_the_ops_opens_the_plan_on_the_day_given() -> None:
    for actor in (JOB_BROKER, SOCIAL_WORKER):
        [event] = when([], open_plan(actor))
        assert isinstance(event, PlanOpened)
        assert (event.pup, event.ops, event.opened_on) == (PUP, OPS, TODAY)
        assert event.social_preparation_first is True


def test_an_institution_outside_the_pair_may_not_open_the_plan() -> None:
    with pytest.raises(Forbidden, match="PUP-9999 may not open"):
        when([], open_plan(STRANGER))


def test_a_plan_opens_once() -> None:
    with pytest.raises(DomainError, match="already open"):
        when(opened(), open_plan())


def test_the_pup_and_the_ops_must_be_two_institutions_of_the_right_kinds() -> None:
    same = open_plan().model_copy(update={"ops": OPS.model_copy(update={"institution_id": PUP.institution_id})})
    with pytest.raises(DomainError, match="two institutions"):
        when([], same)
    swapped = open_plan().model_copy(update={"pup": OPS, "ops": PUP})
    with pytest.raises(DomainError, match="PUP and an OPS"):
        when([], swapped)


def test_no_command_changes_a_plan_that_was_never_opened() -> None:
    with pytest.raises(DomainError, match="not been opened"):
        when([], add_step(JOB_BROKER, Instrument.TRAINING))


def test_every_participant_may_review_the_plan_others_may_not() -> None:
    history = given(opened(), sign_ipzs())
    for actor in (JOB_BROKER, SOCIAL_WORKER, CIS_WORKER):
        [review] = when(history, c.ReviewPlan(actor=actor, today=TODAY, summary="on track"))
        assert isinstance(review, PlanReviewed)
        assert (review.reviewer, review.institution_id) == (actor.user, actor.institution)
    with pytest.raises(Forbidden):
        when(history, c.ReviewPlan(actor=STRANGER, today=TODAY, summary="nosy"))


def test_the_pup_or_the_ops_closes_the_plan_with_an_outcome_a_cis_may_not() -> None:
    history = given(opened(), sign_ipzs())
    [closed] = when(history, c.ClosePlan(actor=SOCIAL_WORKER, today=TODAY, outcome=PlanOutcome.EMPLOYMENT))
    assert isinstance(closed, PlanClosed)
    assert (closed.outcome, closed.closed_by, closed.institution_id) == (
        PlanOutcome.EMPLOYMENT, SOCIAL_WORKER.user, SOCIAL_WORKER.institution)
    with pytest.raises(Forbidden, match="close this plan"):
        when(history, c.ClosePlan(actor=CIS_WORKER, today=TODAY, outcome=PlanOutcome.EMPLOYMENT))


def _every_command() -> list[BaseModel]:
    base: dict[str, Any] = {"actor": JOB_BROKER, "today": TODAY}
    return [
        c.ConcludeSocialContract(**{**base, "actor": SOCIAL_WORKER}, contract_number="KS/1", valid=period()),
        c.ConcludeIpd(**base, ipd_number="IPD/1", valid=period()),
        sign_ipzs(),
        c.RenewIpzs(**{**base, "actor": CIS_WORKER}),
        c.EndIpzs(**{**base, "actor": CIS_WORKER}, reason=IpzsEnding.EMPLOYMENT),
        add_step(JOB_BROKER, Instrument.TRAINING, 2),
        schedule(JOB_BROKER),
        c.CompleteStep(**base, step_id=step_id(1), outcome="done"),
        c.FailStep(**base, step_id=step_id(1), reason="refused"),
        c.CancelStep(**base, step_id=step_id(1), reason="no longer needed"),
        c.WaiveSocialPreparation(**{**base, "actor": SOCIAL_WORKER}, reason="ready"),
        c.ReviewPlan(**base, summary="late review"),
        c.ClosePlan(**base, outcome=PlanOutcome.OTHER),
        open_plan(),
    ]


@pytest.mark.parametrize("command", _every_command(), ids=lambda command: type(command).__name__)
def test_a_closed_plan_never_changes_whatever_the_command(command: BaseModel) -> None:
    history = given(opened(social_preparation_first=False), add_step(JOB_BROKER, Instrument.TRAINING),
                    c.ClosePlan(actor=JOB_BROKER, today=TODAY, outcome=PlanOutcome.TRAINING_COMPLETED))
    assert state_of(history).closed
    with pytest.raises(DomainError, match=r"closed|already open"):
        when(history, command)


def test_the_closed_answer_names_the_date_and_the_outcome() -> None:
    history = given(opened(), c.ClosePlan(actor=JOB_BROKER, today=TODAY, outcome=PlanOutcome.MOVED_AWAY))
    with pytest.raises(DomainError) as refused:
        when(history, c.ReviewPlan(actor=STRANGER, today=TODAY, summary="x"))
    assert refused.value.details == {"closed_on": TODAY, "outcome": "moved_away"}


def test_opening_records_both_parties_and_their_workers_in_the_state() -> None:
    state = state_of(opened())
    assert state.exists
    assert not state.closed
    assert state.pup == PUP
    assert state.ops == OPS
    assert state.opened_on == TODAY
    assert state.steps == {}
