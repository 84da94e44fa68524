"""Plan steps: category from the instrument, owner from the actor, each institution changes only its own steps,
and legal status transitions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionKind
from libs.events.schemas.plans import (
    INSTRUMENT_CATEGORY,
    Instrument,
    PlanStepAdded,
    PlanStepCancelled,
    PlanStepFailed,
    StepCategory,
    StepFailure,
)
from services.plans.domain.commands import CancelStep, FailStep, StepCommand
from services.plans.domain.plan_state import StepStatus
from tests.unit.plans.plan_builders import (
    CIS_WORKER,
    JOB_BROKER,
    OPS_ASSISTANT,
    SOCIAL_WORKER,
    STRANGER,
    TODAY,
    add_step,
    complete,
    given,
    opened,
    schedule,
    sign_ipzs,
    state_of,
    step_id,
    when,
)

OWNER_OF: dict[StepCategory, list[Actor]] = {
    StepCategory.VOCATIONAL: [JOB_BROKER],
    StepCategory.EDUCATIONAL: [JOB_BROKER, SOCIAL_WORKER],
    StepCategory.SOCIAL: [SOCIAL_WORKER, OPS_ASSISTANT],
    StepCategory.CIS: [CIS_WORKER],
}
EVERYONE = [JOB_BROKER, SOCIAL_WORKER, CIS_WORKER, STRANGER]


def fail(actor: Actor, n: int = 1, reason: StepFailure = StepFailure.REFUSED) -> FailStep:
    return FailStep(actor=actor, today=TODAY, step_id=step_id(n), reason=reason, note="did not want to")


def cancel(actor: Actor, n: int = 1) -> CancelStep:
    return CancelStep(actor=actor, today=TODAY, step_id=step_id(n), reason="not needed any more")


@pytest.mark.parametrize("instrument", list(Instrument))
def test_a_step_takes_its_category_from_the_instrument_and_its_owner_from_the_actor(instrument: Instrument) -> None:
    category = INSTRUMENT_CATEGORY[instrument]
    history = given(opened(), sign_ipzs())
    for actor in EVERYONE:
        command = add_step(actor, instrument)
        if actor in OWNER_OF[category]:
            [event] = when(history, command)
            assert isinstance(event, PlanStepAdded)
            assert event.category is category
            assert (event.owner.institution_id, event.owner.worker) == (actor.institution, actor.user)
        else:
            with pytest.raises(Forbidden, match=f"may not own a {category.value} step"):
                when(history, command)


def test_the_responsible_worker_may_be_named_and_funding_recorded() -> None:
    [event] = when(opened(), add_step(JOB_BROKER, Instrument.TRAINING, worker="piotr.kos@pup-2473",
                                      funded_by="PUP-2473"))
    assert isinstance(event, PlanStepAdded)
    assert event.owner.worker == "piotr.kos@pup-2473"
    assert event.owner.institution_kind is InstitutionKind.PUP
    assert event.funded_by == "PUP-2473"


def test_only_ops_steps_are_marked_social_preparation() -> None:
    with pytest.raises(DomainError, match="only OPS steps") as refused:
        when(opened(), add_step(JOB_BROKER, Instrument.CAREER_COUNSELLING, social_preparation=True))
    assert refused.value.field == "social_preparation"
    [event] = when(opened(), add_step(SOCIAL_WORKER, Instrument.SOCIAL_WORK, social_preparation=True))
    assert isinstance(event, PlanStepAdded)
    assert event.social_preparation


def test_a_step_id_is_used_once() -> None:
    history = given(opened(), add_step(SOCIAL_WORKER, Instrument.THERAPY))
    with pytest.raises(DomainError, match="already exists"):
        when(history, add_step(SOCIAL_WORKER, Instrument.HOUSING))


def test_an_unknown_step_is_refused() -> None:
    with pytest.raises(DomainError, match="not part of this plan"):
        when(opened(), schedule(JOB_BROKER, 9))


@pytest.mark.parametrize("change", [schedule, complete, fail, cancel], ids=lambda f: f.__name__)
def test_the_pup_may_not_touch_an_ops_step(change: Callable[[Actor], StepCommand]) -> None:
    history = given(opened(), add_step(SOCIAL_WORKER, Instrument.HOUSING), schedule(SOCIAL_WORKER))
    with pytest.raises(Forbidden, match="it belongs to MOPS-2473"):
        when(history, change(JOB_BROKER))


def test_any_worker_of_the_owning_institution_may_change_its_step() -> None:
    history = given(opened(), add_step(SOCIAL_WORKER, Instrument.HOUSING), schedule(OPS_ASSISTANT))
    assert state_of(history).steps[step_id(1)].status is StepStatus.SCHEDULED


def test_a_step_goes_added_scheduled_completed() -> None:
    history = given(opened(), add_step(SOCIAL_WORKER, Instrument.THERAPY))
    with pytest.raises(DomainError, match="only a step that is scheduled can be completed"):
        when(history, complete(SOCIAL_WORKER))
    with pytest.raises(DomainError, match="only a step that is scheduled can be failed"):
        when(history, fail(SOCIAL_WORKER))
    history = given(history, schedule(SOCIAL_WORKER))
    with pytest.raises(DomainError, match="only a step that is added can be scheduled"):
        when(history, schedule(SOCIAL_WORKER))
    history = given(history, complete(SOCIAL_WORKER, outcome="attended all sessions"))
    step = state_of(history).steps[step_id(1)]
    assert (step.status, step.completed_on, step.outcome) == (StepStatus.COMPLETED, TODAY, "attended all sessions")
    for change in (schedule, complete, fail, cancel):
        with pytest.raises(DomainError, match="is completed"):
            when(history, change(SOCIAL_WORKER))


def test_a_refusal_fails_a_scheduled_step_with_its_reason() -> None:
    history = given(opened(social_preparation_first=False), add_step(JOB_BROKER, Instrument.JOB_OFFER),
                    schedule(JOB_BROKER))
    [failed] = when(history, fail(JOB_BROKER))
    assert isinstance(failed, PlanStepFailed)
    assert (failed.reason, failed.failed_on, failed.note) == (StepFailure.REFUSED, TODAY, "did not want to")
    history = [*history, failed]
    assert state_of(history).steps[step_id(1)].failure is StepFailure.REFUSED
    with pytest.raises(DomainError, match="is failed"):
        when(history, cancel(JOB_BROKER))


def test_added_or_scheduled_steps_may_be_cancelled_once() -> None:
    history = given(opened(), add_step(SOCIAL_WORKER, Instrument.THERAPY, 1), add_step(SOCIAL_WORKER,
                    Instrument.HOUSING, 2), schedule(SOCIAL_WORKER, 2))
    for n in (1, 2):
        [cancelled] = when(history, cancel(SOCIAL_WORKER, n))
        assert isinstance(cancelled, PlanStepCancelled)
        history = [*history, cancelled]
        with pytest.raises(DomainError, match="is cancelled"):
            when(history, cancel(SOCIAL_WORKER, n))
    assert {s.status for s in state_of(history).steps.values()} == {StepStatus.CANCELLED}
