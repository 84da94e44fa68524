"""Property-based tests: random command sequences from random actors never break a rule, and any history the
decider produced replays to the same state however it is folded."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas import registry
from libs.events.schemas.plans import PlanStepScheduled, StepCategory
from services.plans.domain.plan import decider
from services.plans.domain.plan_state import PlanState, StepStatus
from tests.unit.plans.plan_builders import TODAY, opened
from tests.unit.plans.plan_invariants import assert_history_is_lawful
from tests.unit.plans.plan_strategies import plan_commands

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def histories(draw: st.DrawFn, max_commands: int = 80) -> list[BaseModel]:
    """The events a random sequence of commands produced: refused commands leave no trace."""
    history: list[BaseModel] = [] if draw(st.integers(0, 9)) == 0 else opened(
        social_preparation_first=draw(st.booleans()))
    state = decider.fold(history)
    today = TODAY
    for _ in range(draw(st.integers(10, max_commands))):
        today += timedelta(days=draw(st.integers(0, 6)))
        command = draw(plan_commands(state, today))
        try:
            new_events = list(decider.decide(command, state))
        except (DomainError, Forbidden) as refused:
            event(f"refused: {type(refused).__name__}")
            continue
        assert list(decider.decide(command, state)) == new_events, "deciding twice gave other events"
        event(f"accepted: {type(command).__name__}")
        history += new_events
        state = decider.fold(new_events, state)
    assert decider.fold(history) == state, "folding from scratch differs from folding step by step"
    return history


def _round_trip(events: list[BaseModel]) -> list[BaseModel]:
    """The events as the store gives them back: serialised to JSON and decoded by the registry."""
    decoded = []
    for payload in events:
        kind = registry.type_of(payload)
        decoded.append(registry.from_json(kind.name, kind.version, registry.to_json(payload)))
    return decoded


@PROPERTIES
@given(histories(), st.data())
def test_replaying_any_history_gives_the_same_state(history: list[BaseModel], data: st.DataObject) -> None:
    state = decider.fold(history)
    assert decider.fold(history) == state
    split = data.draw(st.integers(0, len(history)))
    assert decider.fold(history[split:], decider.fold(history[:split])) == state
    assert decider.fold(_round_trip(history)) == state


@PROPERTIES
@given(histories())
def test_no_command_sequence_breaks_a_rule(history: list[BaseModel]) -> None:
    assert_history_is_lawful(history)
    state: PlanState = decider.fold(history)
    assert all(s.owner.institution_id and s.owner.worker for s in state.steps.values())
    if state.closed:
        assert type(history[-1]).__name__ == "PlanClosed"


def _scheduled_vocational_after_completed_preparation(history: list[BaseModel]) -> bool:
    state = decider.fold(history)
    preparation_done = any(s.social_preparation and s.status is StepStatus.COMPLETED for s in state.steps.values())
    return state.social_preparation_first and state.waiver is None and preparation_done and any(
        isinstance(e, PlanStepScheduled) and state.steps[e.step_id].category is StepCategory.VOCATIONAL
        for e in history)


def test_the_generator_reaches_the_order_rule_s_happy_path() -> None:
    """Guards the properties above against a generator that never gets past the order rule (derandomized)."""
    reached: list[bool] = []

    @settings(max_examples=300, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(histories())
    def explore(history: list[BaseModel]) -> None:
        reached.append(_scheduled_vocational_after_completed_preparation(history))

    explore()
    assert sum(reached) >= 3, f"only {sum(reached)} of {len(reached)} histories reached it"
