"""An independent reading of a plan's event history that asserts the rules hold (written without the decider)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import BaseModel

from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.plans import (
    INSTRUMENT_CATEGORY,
    IpzsEnded,
    IpzsRenewed,
    IpzsSigned,
    PlanClosed,
    PlanOpened,
    PlanStepAdded,
    PlanStepCancelled,
    PlanStepCompleted,
    PlanStepFailed,
    PlanStepScheduled,
    SocialPreparationWaived,
    StepCategory,
)

_LEGAL_TRANSITIONS = {
    PlanStepScheduled: {"added"},
    PlanStepCompleted: {"scheduled"},
    PlanStepFailed: {"scheduled"},
    PlanStepCancelled: {"added", "scheduled"},
}
_RESULT = {PlanStepScheduled: "scheduled", PlanStepCompleted: "completed", PlanStepFailed: "failed",
           PlanStepCancelled: "cancelled"}
_OWNER_KINDS = {
    StepCategory.VOCATIONAL: {InstitutionKind.PUP},
    StepCategory.EDUCATIONAL: {InstitutionKind.PUP, InstitutionKind.OPS},
    StepCategory.SOCIAL: {InstitutionKind.OPS},
    StepCategory.CIS: {InstitutionKind.CIS},
}


@dataclass
class _Seen:
    opened: PlanOpened | None = None
    closed: bool = False
    waived: bool = False
    status: dict[uuid.UUID, str] = field(default_factory=dict)
    added: dict[uuid.UUID, PlanStepAdded] = field(default_factory=dict)
    ipzs: IpzsSigned | None = None
    ipzs_term: Period | None = None
    ipzs_ended: bool = True


def assert_history_is_lawful(history: Sequence[BaseModel]) -> None:
    """Every event is one the rules allow after the events before it."""
    seen = _Seen()
    for index, event in enumerate(history):
        where = f"event {index} ({type(event).__name__})"
        assert not seen.closed, f"{where} comes after PlanClosed"
        if isinstance(event, PlanOpened):
            assert seen.opened is None, f"{where}: the plan was opened twice"
            seen.opened = event
            continue
        assert seen.opened is not None, f"{where} before PlanOpened"
        _check(seen, event, where)


def _check(seen: _Seen, event: BaseModel, where: str) -> None:
    if isinstance(event, PlanStepAdded):
        _check_added(seen, event, where)
    elif isinstance(event, PlanStepScheduled | PlanStepCompleted | PlanStepFailed | PlanStepCancelled):
        before = seen.status.get(event.step_id)
        assert before in _LEGAL_TRANSITIONS[type(event)], f"{where}: illegal transition from {before}"
        if isinstance(event, PlanStepScheduled):
            _check_scheduled(seen, event, where)
        seen.status[event.step_id] = _RESULT[type(event)]
    elif isinstance(event, SocialPreparationWaived):
        seen.waived = True
    elif isinstance(event, IpzsSigned):
        assert seen.ipzs_ended, f"{where}: a second IPZS while one is running"
        _check_one_month(event.term, where)
        seen.ipzs, seen.ipzs_term, seen.ipzs_ended = event, event.term, False
    elif isinstance(event, IpzsRenewed):
        assert not seen.ipzs_ended, f"{where}: renewing an IPZS that is not running"
        assert seen.ipzs_term is not None
        assert seen.ipzs_term.to is not None
        assert event.term.from_ == seen.ipzs_term.to + timedelta(days=1), f"{where}: renewal leaves a gap"
        _check_one_month(event.term, where)
        seen.ipzs_term = event.term
    elif isinstance(event, IpzsEnded):
        assert not seen.ipzs_ended, f"{where}: ending an IPZS that is not running"
        seen.ipzs_ended = True
    elif isinstance(event, PlanClosed):
        seen.closed = True


def _check_added(seen: _Seen, event: PlanStepAdded, where: str) -> None:
    assert seen.opened is not None
    assert event.step_id not in seen.status, f"{where}: step id reused"
    assert event.owner.institution_id, f"{where}: step without an owner institution"
    assert event.owner.worker, f"{where}: step without an owner worker"
    assert event.category is INSTRUMENT_CATEGORY[event.instrument], f"{where}: category does not follow instrument"
    kind = event.owner.institution_kind
    assert kind in _OWNER_KINDS[event.category], f"{where}: a {kind} owns a {event.category} step"
    expected_owner = {InstitutionKind.PUP: seen.opened.pup.institution_id,
                      InstitutionKind.OPS: seen.opened.ops.institution_id,
                      InstitutionKind.CIS: seen.ipzs.cis.institution_id if seen.ipzs else None}[kind]
    assert event.owner.institution_id == expected_owner, f"{where}: owned by an institution outside the plan"
    if kind is InstitutionKind.CIS:
        assert not seen.ipzs_ended, f"{where}: CIS support without an active IPZS"
    assert not event.social_preparation or kind is InstitutionKind.OPS, f"{where}: non-OPS preparation step"
    seen.status[event.step_id] = "added"
    seen.added[event.step_id] = event


def _check_scheduled(seen: _Seen, event: PlanStepScheduled, where: str) -> None:
    assert seen.opened is not None
    step = seen.added[event.step_id]
    if step.category is StepCategory.VOCATIONAL and seen.opened.social_preparation_first and not seen.waived:
        preparation = [seen.status[s] for s, added in seen.added.items() if added.social_preparation]
        assert "completed" in preparation, f"{where}: vocational step scheduled before any preparation completed"
        assert set(preparation) <= {"completed", "cancelled"}, f"{where}: vocational step scheduled while the " \
                                                                f"preparation is still open or failed"
    if step.category is StepCategory.CIS:
        assert not seen.ipzs_ended, f"{where}: CIS step without an active IPZS"
        assert seen.ipzs_term is not None
        assert seen.ipzs_term.contains(event.scheduled.from_), f"{where}: CIS step outside the IPZS term"


def _check_one_month(term: Period, where: str) -> None:
    assert term.to is not None, f"{where}: an open-ended IPZS term"
    assert 27 <= (term.to - term.from_).days <= 30, f"{where}: a term of {term} is not one month"
