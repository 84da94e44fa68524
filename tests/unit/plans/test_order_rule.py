"""The PZW order rule: the social worker acts first; vocational steps are scheduled after the social preparation
is done (at least one preparation step completed, none left open or failed) or waived by the social worker."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from libs.events.decider import DomainError
from libs.events.schemas.plans import Instrument, PlanStepScheduled, StepFailure
from services.plans.domain.commands import AddStep, CancelStep, FailStep, WaiveSocialPreparation
from tests.unit.plans.plan_builders import (
    JOB_BROKER,
    SOCIAL_WORKER,
    TODAY,
    add_step,
    complete,
    given,
    opened,
    schedule,
    step_id,
    when,
)

VOCATIONAL, PREPARATION, OTHER_PREPARATION = 1, 2, 3


def preparation(n: int = PREPARATION) -> AddStep:
    return add_step(SOCIAL_WORKER, Instrument.SOCIAL_WORK, n, social_preparation=True)


def vocational() -> AddStep:
    return add_step(JOB_BROKER, Instrument.INTERNSHIP, VOCATIONAL)


def assert_vocational_scheduling_refused(history: list[BaseModel]) -> None:
    with pytest.raises(DomainError, match="PZW order rule") as refused:
        when(history, schedule(JOB_BROKER, VOCATIONAL))
    assert refused.value.details["rule"] == "social_preparation_first"


def assert_vocational_scheduling_allowed(history: list[BaseModel]) -> None:
    [event] = when(history, schedule(JOB_BROKER, VOCATIONAL))
    assert isinstance(event, PlanStepScheduled)


def test_a_vocational_step_may_be_proposed_before_the_preparation_but_not_scheduled() -> None:
    history = given(opened(), vocational())
    assert_vocational_scheduling_refused(history)  # no preparation step at all yet
    history = given(history, preparation(), schedule(SOCIAL_WORKER, PREPARATION))
    assert_vocational_scheduling_refused(history)


def test_scheduling_is_allowed_once_the_preparation_is_completed() -> None:
    history = given(opened(), vocational(), preparation(), schedule(SOCIAL_WORKER, PREPARATION),
                    complete(SOCIAL_WORKER, PREPARATION))
    assert_vocational_scheduling_allowed(history)


def test_every_preparation_step_must_be_completed_or_cancelled() -> None:
    history = given(opened(), vocational(), preparation(), preparation(OTHER_PREPARATION),
                    schedule(SOCIAL_WORKER, PREPARATION), complete(SOCIAL_WORKER, PREPARATION))
    assert_vocational_scheduling_refused(history)
    history = given(history, CancelStep(actor=SOCIAL_WORKER, today=TODAY, step_id=step_id(OTHER_PREPARATION),
                                        reason="not needed"))
    assert_vocational_scheduling_allowed(history)


def test_cancelled_preparation_alone_is_not_preparation() -> None:
    history = given(opened(), vocational(), preparation(),
                    CancelStep(actor=SOCIAL_WORKER, today=TODAY, step_id=step_id(PREPARATION), reason="moved"))
    assert_vocational_scheduling_refused(history)


def test_a_failed_preparation_step_blocks_until_the_social_worker_decides() -> None:
    history = given(opened(), vocational(), preparation(), schedule(SOCIAL_WORKER, PREPARATION),
                    FailStep(actor=SOCIAL_WORKER, today=TODAY, step_id=step_id(PREPARATION),
                             reason=StepFailure.NO_SHOW))
    assert_vocational_scheduling_refused(history)
    waived = given(history, WaiveSocialPreparation(actor=SOCIAL_WORKER, today=TODAY, reason="ready anyway"))
    assert_vocational_scheduling_allowed(waived)


def test_the_waiver_lets_vocational_steps_go_ahead_without_any_preparation() -> None:
    history = given(opened(), vocational(),
                    WaiveSocialPreparation(actor=SOCIAL_WORKER, today=TODAY, reason="works already informally"))
    assert_vocational_scheduling_allowed(history)


def test_new_preparation_added_later_holds_later_vocational_steps_back_again() -> None:
    history = given(opened(), vocational(), preparation(), schedule(SOCIAL_WORKER, PREPARATION),
                    complete(SOCIAL_WORKER, PREPARATION), preparation(OTHER_PREPARATION))
    assert_vocational_scheduling_refused(history)


def test_plans_without_the_order_rule_and_non_vocational_steps_do_not_wait() -> None:
    assert_vocational_scheduling_allowed(given(opened(social_preparation_first=False), vocational()))
    history = given(opened(), add_step(JOB_BROKER, Instrument.CAREER_COUNSELLING, 5))
    [event] = when(history, schedule(JOB_BROKER, 5))
    assert isinstance(event, PlanStepScheduled)
