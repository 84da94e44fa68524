"""Events of other contexts as the notifications service receives them, with the actor who caused them."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.ids import new_event_id, new_id
from libs.events.schemas import registry
from libs.events.schemas.clients import (
    BenefitBasis,
    BenefitGranted,
    CaseloadHandedOver,
    CaseWorkers,
    CaseWorkersAssigned,
    SharedClientSharingStopped,
    UnemploymentStatus,
    UnemploymentStatusChanged,
)
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.conflicts import BenefitConflictDetected, Severity
from libs.events.schemas.plans import (
    Instrument,
    IpzsGoal,
    IpzsRenewed,
    IpzsSigned,
    PlanOpened,
    PlanParty,
    PlanStepAdded,
    PlanStepCompleted,
    PlanStepScheduled,
    StepCategory,
)

WARSAW = ZoneInfo("Europe/Warsaw")
_positions = itertools.count(1)

# Institutions and workers no other test uses (topics are shared by every test of a session).
PUP, OPS, CIS = "PUP-5101", "MOPS-510101", "CIS-510101"
JOB_BROKER, SOCIAL_WORKER, CIS_WORKER = "adam.pup@pup-5101", "beata.ops@mops-510101", "cezary.cis@cis-510101"
PUP_SUPERVISOR, OPS_SUPERVISOR = "kierownik@pup-5101", "kierownik@mops-510101"
PUP_ACTOR = Actor(user=JOB_BROKER, institution=PUP, role="job_broker")
OPS_ACTOR = Actor(user=SOCIAL_WORKER, institution=OPS, role="social_worker")
CIS_ACTOR = Actor(user=CIS_WORKER, institution=CIS, role="social_worker")
SYSTEM = Actor.system("tests")


def today() -> date:
    return datetime.now(WARSAW).date()


def days(n: int) -> date:
    return today() + timedelta(days=n)


def event(payload: BaseModel, *, actor: Actor = SYSTEM, stream_id: str | None = None, version: int = 1,
          occurred_at: datetime | None = None, event_id: uuid.UUID | None = None) -> RecordedEvent:
    """A RecordedEvent with its actor; keyed by the payload's client id when it has one."""
    kind = registry.type_of(payload)
    client = getattr(payload, "client_id", None)
    when = occurred_at or datetime.now(UTC)
    return RecordedEvent(
        event_id=event_id or new_event_id(), event_type=kind.name, schema_version=kind.version,
        stream_type=kind.context, stream_id=stream_id or str(client or new_id()), stream_version=version,
        global_position=next(_positions), occurred_at=when, recorded_at=when, payload=payload,
        metadata=Metadata(actor=actor, correlation_id=new_id(), partition_key=str(client) if client else None))


def stream(payloads: list[BaseModel], *, actor: Actor = SYSTEM, stream_id: str | None = None,
           first_version: int = 1) -> list[RecordedEvent]:
    """Consecutive events of one stream."""
    sid = stream_id or str(getattr(payloads[0], "plan_id", None) or getattr(payloads[0], "client_id", new_id()))
    return [event(p, actor=actor, stream_id=sid, version=first_version + i) for i, p in enumerate(payloads)]


def workers_assigned(client_id: uuid.UUID, pup: str = PUP, ops: str = OPS, job_broker: str = JOB_BROKER,
                     social_worker: str = SOCIAL_WORKER) -> CaseWorkersAssigned:
    return CaseWorkersAssigned(client_id=client_id, pup_institution_id=pup, ops_institution_id=ops, reason="address",
                               workers=CaseWorkers(job_broker=job_broker, social_worker=social_worker))


def sharing_stopped(client_id: uuid.UUID) -> SharedClientSharingStopped:
    return SharedClientSharingStopped(client_id=client_id, pup_institution_id=PUP, ops_institution_id=OPS,
                                      reason="consent withdrawn", stopped_on=today())


def deregistered(client_id: uuid.UUID) -> UnemploymentStatusChanged:
    return UnemploymentStatusChanged(client_id=client_id, institution_id=PUP, status=UnemploymentStatus.DEREGISTERED,
                                     reason="refused_offer", effective_on=today())


def benefit_granted(client_id: uuid.UUID, institution: str = OPS) -> BenefitGranted:
    return BenefitGranted(client_id=client_id, benefit_id=new_id(), institution_id=institution,
                          institution_kind=InstitutionKind.OPS, kind="zasiłek okresowy",
                          basis=BenefitBasis.UNEMPLOYMENT, monthly_amount=Decimal("500.00"),
                          period=Period(from_=today(), to=days(90)))


def handed_over(from_worker: str, to_worker: str, institution: str = OPS) -> CaseloadHandedOver:
    return CaseloadHandedOver(region_id=new_id(), institution_id=institution, from_worker=from_worker,
                              to_worker=to_worker, handed_over_on=today())


def conflict(client_id: uuid.UUID, institutions: tuple[str, ...] = (PUP, OPS)) -> BenefitConflictDetected:
    return BenefitConflictDetected(
        conflict_id=new_id(), client_id=client_id, rule_id="R1", rule_version=1, severity=Severity.HIGH,
        period=Period(from_=today(), to=days(30)), explanation_pl="PUP wyrejestrował klienta.",
        explanation_en="The PUP deregistered the client.", legal_basis="art. 11 ustawy o pomocy społecznej",
        evidence_event_ids=(new_id(),), institutions=institutions, detected_at=datetime.now(UTC))


def plan_opened(plan_id: uuid.UUID, client_id: uuid.UUID) -> PlanOpened:
    return PlanOpened(
        plan_id=plan_id, client_id=client_id, agreement_id=new_id(),
        pup=PlanParty(institution_id=PUP, institution_kind=InstitutionKind.PUP, worker=JOB_BROKER),
        ops=PlanParty(institution_id=OPS, institution_kind=InstitutionKind.OPS, worker=SOCIAL_WORKER),
        social_preparation_first=True, opened_on=today())


def step_added(plan_id: uuid.UUID, client_id: uuid.UUID, step_id: uuid.UUID, *, owner_worker: str = SOCIAL_WORKER,
               owner_institution: str = OPS, title: str = "Przygotowanie społeczne") -> PlanStepAdded:
    kind = InstitutionKind.OPS if owner_institution == OPS else InstitutionKind.PUP
    return PlanStepAdded(
        plan_id=plan_id, client_id=client_id, step_id=step_id,
        owner=PlanParty(institution_id=owner_institution, institution_kind=kind, worker=owner_worker),
        instrument=Instrument.SOCIAL_WORK, category=StepCategory.SOCIAL, social_preparation=True, title=title,
        planned=Period(from_=days(1), to=days(30)))


def step_scheduled(plan_id: uuid.UUID, client_id: uuid.UUID, step_id: uuid.UUID, start: date,
                   end: date | None) -> PlanStepScheduled:
    return PlanStepScheduled(plan_id=plan_id, client_id=client_id, step_id=step_id,
                             scheduled=Period(from_=start, to=end))


def step_completed(plan_id: uuid.UUID, client_id: uuid.UUID, step_id: uuid.UUID) -> PlanStepCompleted:
    return PlanStepCompleted(plan_id=plan_id, client_id=client_id, step_id=step_id, completed_on=today(),
                             outcome="done")


def ipzs_signed(plan_id: uuid.UUID, client_id: uuid.UUID, ipzs_id: uuid.UUID, start: date, end: date) -> IpzsSigned:
    return IpzsSigned(plan_id=plan_id, client_id=client_id, ipzs_id=ipzs_id,
                      cis=PlanParty(institution_id=CIS, institution_kind=InstitutionKind.CIS, worker=CIS_WORKER),
                      main_goal=IpzsGoal.OPEN_MARKET_EMPLOYMENT, term=Period(from_=start, to=end))


def ipzs_renewed(plan_id: uuid.UUID, client_id: uuid.UUID, ipzs_id: uuid.UUID, start: date, end: date) -> IpzsRenewed:
    return IpzsRenewed(plan_id=plan_id, client_id=client_id, ipzs_id=ipzs_id, term=Period(from_=start, to=end))
