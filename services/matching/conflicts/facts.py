"""What the conflict rules know about one client, folded from events of every context (pure).

Each fact is keyed by the id of the event or entity it comes from, so applying an event twice, or events out of
order, gives the same facts: the stream processor can be at-least-once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from libs.events.envelope import RecordedEvent
from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from libs.events.schemas.common import InstitutionKind, Period


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatusFact(Fact):
    event_id: uuid.UUID
    institution_id: str
    status: c.UnemploymentStatus
    reason: c.DeregistrationReason | None
    effective_on: date


class BenefitFact(Fact):
    event_id: uuid.UUID | None = None  # BenefitGranted
    institution_id: str = ""
    institution_kind: InstitutionKind | None = None
    kind: str = ""
    basis: c.BenefitBasis | None = None
    monthly_amount: Decimal = Decimal(0)
    period: Period | None = None
    ended_on: date | None = None
    suspended_from: date | None = None


class IncomeFact(Fact):
    event_id: uuid.UUID
    institution_id: str
    source: c.IncomeSource
    monthly_amount: Decimal
    period: Period
    declared_by_client: bool


class StepFact(Fact):
    event_id: uuid.UUID | None = None  # PlanStepAdded
    plan_id: uuid.UUID | None = None
    owner_institution_id: str = ""
    owner_kind: InstitutionKind | None = None
    instrument: p.Instrument | None = None
    funded_by: str | None = None
    planned: Period | None = None
    scheduled: Period | None = None
    status: str = "added"  # added | scheduled | completed | failed | cancelled


class FailureFact(Fact):
    """A refusal or a no-show: of a plan step or of a referral (a referral's step is the same failure)."""

    event_id: uuid.UUID
    on: date
    kind: str  # refused | no_show
    key: str  # what failed: "step:<id>", or "referral:<id>" for a referral without a plan step


class PlanFact(Fact):
    plan_id: uuid.UUID
    event_id: uuid.UUID
    opened_on: date
    closed: bool = False


class IpzsFact(Fact):
    event_id: uuid.UUID
    cis_institution_id: str
    terms: list[Period] = Field(default_factory=list)
    ended_on: date | None = None


class ClientFacts(Fact):
    """Everything the rules read about a client; `last_activity` feeds the stale-plan rule."""

    client_id: uuid.UUID
    kinds: dict[str, InstitutionKind] = Field(default_factory=dict)
    shared: bool = False
    statuses: dict[str, StatusFact] = Field(default_factory=dict)
    benefits: dict[str, BenefitFact] = Field(default_factory=dict)
    incomes: dict[str, IncomeFact] = Field(default_factory=dict)
    steps: dict[str, StepFact] = Field(default_factory=dict)
    failures: dict[str, FailureFact] = Field(default_factory=dict)
    plans: dict[str, PlanFact] = Field(default_factory=dict)
    ipzs: dict[str, IpzsFact] = Field(default_factory=dict)
    referral_steps: dict[str, str] = Field(default_factory=dict)
    last_activity: datetime | None = None
    last_activity_event: uuid.UUID | None = None


def _touch(facts: ClientFacts, event: RecordedEvent) -> None:
    if facts.last_activity is None or event.occurred_at > facts.last_activity:
        facts.last_activity = event.occurred_at
        facts.last_activity_event = event.event_id


def apply(facts: ClientFacts, event: RecordedEvent) -> ClientFacts:
    """The facts after one event (a copy; events of no interest leave the facts as they are)."""
    e = event.payload
    f = facts.model_copy(deep=True)
    if isinstance(e, c.ClientRegistered):
        f.kinds[e.institution_id] = e.institution_kind
    elif isinstance(e, c.SharedClientIdentified):
        f.shared = True
    elif isinstance(e, c.SharedClientSharingStopped):
        f.shared = False
    elif isinstance(e, c.UnemploymentStatusChanged):
        f.statuses[str(event.event_id)] = StatusFact(event_id=event.event_id, institution_id=e.institution_id,
                                                     status=e.status, reason=e.reason, effective_on=e.effective_on)
    elif isinstance(e, c.BenefitGranted):
        old = f.benefits.get(str(e.benefit_id), BenefitFact())
        f.benefits[str(e.benefit_id)] = old.model_copy(update={
            "event_id": event.event_id, "institution_id": e.institution_id, "institution_kind": e.institution_kind,
            "kind": e.kind, "basis": e.basis, "monthly_amount": e.monthly_amount, "period": e.period})
    elif isinstance(e, c.BenefitEnded):
        old = f.benefits.get(str(e.benefit_id), BenefitFact())
        f.benefits[str(e.benefit_id)] = old.model_copy(update={"ended_on": e.ended_on})
    elif isinstance(e, c.BenefitSuspended):
        old = f.benefits.get(str(e.benefit_id), BenefitFact())
        f.benefits[str(e.benefit_id)] = old.model_copy(update={"suspended_from": e.suspended_from})
    elif isinstance(e, c.IncomeDeclared):
        f.incomes[str(event.event_id)] = IncomeFact(
            event_id=event.event_id, institution_id=e.institution_id, source=e.source,
            monthly_amount=e.monthly_amount, period=e.period, declared_by_client=e.declared_by_client)
    elif isinstance(e, p.PlanOpened):
        f.plans[str(e.plan_id)] = PlanFact(plan_id=e.plan_id, event_id=event.event_id, opened_on=e.opened_on,
                                           closed=str(e.plan_id) in f.plans and f.plans[str(e.plan_id)].closed)
        _touch(f, event)
    elif isinstance(e, p.PlanClosed):
        plan = f.plans.get(str(e.plan_id)) or PlanFact(plan_id=e.plan_id, event_id=event.event_id,
                                                       opened_on=e.closed_on)
        f.plans[str(e.plan_id)] = plan.model_copy(update={"closed": True})
    elif isinstance(e, p.PlanStepAdded | p.PlanStepScheduled | p.PlanStepCompleted | p.PlanStepFailed
                    | p.PlanStepCancelled):
        _step(f, event)
        _touch(f, event)
    elif isinstance(e, p.IpzsSigned | p.IpzsRenewed | p.IpzsEnded):
        _ipzs(f, event)
    elif isinstance(e, m.ReferralIssued) and e.step_id is not None:
        f.referral_steps[str(e.referral_id)] = str(e.step_id)
    elif isinstance(e, m.ReferralOutcomeRecorded) and e.outcome in (m.ReferralOutcome.REFUSED,
                                                                     m.ReferralOutcome.NO_SHOW):
        step = f.referral_steps.get(str(e.referral_id))
        f.failures[str(event.event_id)] = FailureFact(
            event_id=event.event_id, on=e.recorded_on, kind=e.outcome.value,
            key=f"step:{step}" if step else f"referral:{e.referral_id}")
    return f


def _step(f: ClientFacts, event: RecordedEvent) -> None:
    e = event.payload
    key = str(e.step_id)  # type: ignore[attr-defined]
    step = f.steps.get(key, StepFact())
    if isinstance(e, p.PlanStepAdded):
        step = step.model_copy(update={
            "event_id": event.event_id, "plan_id": e.plan_id, "owner_institution_id": e.owner.institution_id,
            "owner_kind": e.owner.institution_kind, "instrument": e.instrument, "funded_by": e.funded_by,
            "planned": e.planned})
    elif isinstance(e, p.PlanStepScheduled):
        step = step.model_copy(update={"scheduled": e.scheduled,
                                       "status": step.status if step.status != "added" else "scheduled"})
    elif isinstance(e, p.PlanStepCompleted):
        step = step.model_copy(update={"status": "completed"})
    elif isinstance(e, p.PlanStepCancelled):
        step = step.model_copy(update={"status": "cancelled"})
    elif isinstance(e, p.PlanStepFailed):
        step = step.model_copy(update={"status": "failed"})
        if e.reason in (p.StepFailure.REFUSED, p.StepFailure.NO_SHOW):
            f.failures[str(event.event_id)] = FailureFact(event_id=event.event_id, on=e.failed_on,
                                                          kind=e.reason.value, key=f"step:{e.step_id}")
    f.steps[key] = step


def _ipzs(f: ClientFacts, event: RecordedEvent) -> None:
    e = event.payload
    key = str(e.ipzs_id)  # type: ignore[attr-defined]
    if isinstance(e, p.IpzsSigned):
        old = f.ipzs.get(key)
        terms = [e.term, *(old.terms if old else [])]
        f.ipzs[key] = IpzsFact(event_id=event.event_id, cis_institution_id=e.cis.institution_id,
                               terms=sorted(set_of(terms), key=lambda t: t.from_),
                               ended_on=old.ended_on if old else None)
    elif isinstance(e, p.IpzsRenewed):
        old = f.ipzs.get(key) or IpzsFact(event_id=event.event_id, cis_institution_id="")
        f.ipzs[key] = old.model_copy(update={"terms": sorted(set_of([*old.terms, e.term]), key=lambda t: t.from_)})
    elif isinstance(e, p.IpzsEnded):
        old = f.ipzs.get(key) or IpzsFact(event_id=event.event_id, cis_institution_id="")
        f.ipzs[key] = old.model_copy(update={"ended_on": e.ended_on})


def set_of(periods: list[Period]) -> list[Period]:
    """Distinct periods (a redelivered renewal adds nothing)."""
    seen: dict[tuple[date, date | None], Period] = {}
    for period in periods:
        seen[(period.from_, period.to)] = period
    return list(seen.values())
