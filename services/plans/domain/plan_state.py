"""The state of a joint plan, folded from its events (pure, immutable)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from libs.events.schemas.common import Period
from libs.events.schemas.plans import (
    Instrument,
    IpdConcluded,
    IpzsEnded,
    IpzsGoal,
    IpzsRenewed,
    PlanClosed,
    PlanParty,
    PlanReviewed,
    SocialContractConcluded,
    SocialPreparationWaived,
    StepCategory,
    StepFailure,
)


class StepStatus(StrEnum):
    """Where a step is in its life: added -> scheduled -> completed | failed; added | scheduled -> cancelled."""

    ADDED = "added"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN_STEP = frozenset({StepStatus.ADDED, StepStatus.SCHEDULED})


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the reintegration path, owned by one institution and one of its workers."""

    step_id: uuid.UUID
    owner: PlanParty
    instrument: Instrument
    category: StepCategory
    social_preparation: bool
    title: str
    planned: Period
    funded_by: str | None = None
    status: StepStatus = StepStatus.ADDED
    scheduled: Period | None = None
    completed_on: date | None = None
    outcome: str | None = None
    failed_on: date | None = None
    failure: StepFailure | None = None
    note: str | None = None
    cancel_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Ipzs:
    """An individual social-employment programme signed with a CIS, with its current term."""

    ipzs_id: uuid.UUID
    cis: PlanParty
    main_goal: IpzsGoal
    first_term: Period
    term: Period
    renewals: tuple[IpzsRenewed, ...] = ()
    ended: IpzsEnded | None = None

    def in_force_on(self, day: date) -> bool:
        """Not ended and the current term has not run out by `day` (it may start later)."""
        return self.ended is None and self.term.to is not None and day <= self.term.to

    def active_on(self, day: date) -> bool:
        """Not ended and `day` falls within the current term."""
        return self.ended is None and self.term.contains(day)


@dataclass(frozen=True, slots=True)
class PlanState:
    """Everything the joint plan of one shared client holds."""

    plan_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    agreement_id: uuid.UUID | None = None
    pup: PlanParty | None = None
    ops: PlanParty | None = None
    social_preparation_first: bool = True
    opened_on: date | None = None
    social_contract: SocialContractConcluded | None = None
    ipd: IpdConcluded | None = None
    ipzs_history: tuple[Ipzs, ...] = ()
    steps: Mapping[uuid.UUID, Step] = field(default_factory=dict)
    waiver: SocialPreparationWaived | None = None
    reviews: tuple[PlanReviewed, ...] = ()
    closure: PlanClosed | None = None

    @property
    def exists(self) -> bool:
        return self.plan_id is not None

    @property
    def closed(self) -> bool:
        return self.closure is not None

    def event_keys(self) -> dict[str, uuid.UUID]:
        """The plan and client ids every event of an opened plan carries."""
        if self.plan_id is None or self.client_id is None:
            raise ValueError("the plan has not been opened")
        return {"plan_id": self.plan_id, "client_id": self.client_id}

    @property
    def ipzs(self) -> Ipzs | None:
        """The latest IPZS (current or ended), if any was signed."""
        return self.ipzs_history[-1] if self.ipzs_history else None

    def social_preparation_done(self) -> bool:
        """The PZW order rule: may vocational steps be scheduled now?

        True when the plan does not put social preparation first, when the social worker waived it, or when every
        OPS step marked social preparation is completed or cancelled and at least one was completed.
        """
        if not self.social_preparation_first or self.waiver is not None:
            return True
        preparation = [s for s in self.steps.values() if s.social_preparation]
        return (any(s.status is StepStatus.COMPLETED for s in preparation)
                and all(s.status in (StepStatus.COMPLETED, StepStatus.CANCELLED) for s in preparation))
