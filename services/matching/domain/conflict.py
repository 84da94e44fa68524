"""A conflict's life: detected once, resolved once (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from libs.events.decider import Decider, DomainError, Forbidden
from libs.events.schemas.conflicts import BenefitConflictDetected, BenefitConflictResolved, Resolution

STREAM_TYPE = "conflict"


class Resolve(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    resolution: Resolution
    reason: str = Field(min_length=1, max_length=2000)
    resolved_by: str
    institution_id: str


@dataclass(frozen=True, slots=True)
class ConflictState:
    detected: BenefitConflictDetected | None = None
    resolved: BenefitConflictResolved | None = None


def decide(command: BaseModel, state: ConflictState) -> Sequence[BaseModel]:
    if isinstance(command, Resolve):
        if state.detected is None:
            raise DomainError("conflict does not exist")
        if state.resolved is not None:
            raise DomainError(f"conflict was already {state.resolved.resolution.value}")
        if command.institution_id not in state.detected.institutions:
            raise Forbidden(f"{command.institution_id} is not one of the institutions of this conflict")
        return [BenefitConflictResolved(conflict_id=state.detected.conflict_id, client_id=state.detected.client_id,
                                        **command.model_dump())]
    raise TypeError(f"unknown command {type(command).__name__}")


def evolve(state: ConflictState, event: BaseModel) -> ConflictState:
    if isinstance(event, BenefitConflictDetected):
        return ConflictState(detected=event, resolved=state.resolved)
    if isinstance(event, BenefitConflictResolved):
        return ConflictState(detected=state.detected, resolved=event)
    return state


decider: Decider[BaseModel, ConflictState] = Decider(STREAM_TYPE, ConflictState, decide, evolve)
