"""Building histories of events for the reporting read models: streams with their versions, a client's keys,
institutions of one test only (topics are shared by every test of a session)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from libs.events.envelope import RecordedEvent
from libs.events.ids import new_id
from libs.events.schemas import clients as cl
from libs.events.schemas import conflicts as cf
from libs.events.schemas import matching as mt
from libs.events.schemas import plans as pl
from libs.events.schemas.common import Address, InstitutionKind, Period
from tests.support.recorded import recorded

ADDRESS = Address(gmina="Siemianowice Śląskie", teryt="2474011", postal_code="41-100", city="Siemianowice Śląskie")
KATOWICE = Address(gmina="Katowice", teryt="2469011", postal_code="40-001", city="Katowice")


def at(day: date, hour: int = 10) -> datetime:
    """A moment on `day` (UTC, mid-morning in Poland)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Office:
    """The institutions of one test: a PUP, an OPS and a CIS whose ids no other test uses."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    @property
    def pup(self) -> str:
        return f"PUP-5201-{self.suffix}"

    @property
    def ops(self) -> str:
        return f"MOPS-520101-{self.suffix}"

    @property
    def cis(self) -> str:
        return f"CIS-520101-{self.suffix}"

    def party(self, kind: InstitutionKind, worker: str) -> pl.PlanParty:
        institution = {InstitutionKind.PUP: self.pup, InstitutionKind.OPS: self.ops, InstitutionKind.CIS: self.cis}
        return pl.PlanParty(institution_id=institution[kind], institution_kind=kind, worker=worker)


class History:
    """Events in the order they happened, each stream numbered from 1."""

    def __init__(self, office: Office) -> None:
        self.office = office
        self.events: list[RecordedEvent] = []
        self._versions: dict[str, int] = {}

    def add(self, payload: BaseModel, stream: uuid.UUID, when: datetime) -> RecordedEvent:
        key = str(stream)
        self._versions[key] = self._versions.get(key, 0) + 1
        event = recorded(payload, stream_id=key, version=self._versions[key], occurred_at=when)
        self.events.append(event)
        return event

    # --- clients context ---------------------------------------------------------------------------------------

    def register(self, client: uuid.UUID, institution: str, kind: InstitutionKind, on: date,
                 last_name: str = "Kowalski", address: Address = ADDRESS) -> None:
        identity = cl.PersonIdentity(first_name="Jan", last_name=last_name, birth_date=date(1980, 3, 14))
        self.add(cl.ClientRegistered(client_id=client, institution_id=institution, institution_kind=kind,
                                     identity=identity, address=address, registered_on=on), client, at(on))

    def share(self, client: uuid.UUID, on: date, job_broker: str = "anna.broker", social_worker: str = "ewa.social",
              region: uuid.UUID | None = None) -> None:
        o, when = self.office, at(on)
        pair = {"client_id": client, "pup_institution_id": o.pup, "ops_institution_id": o.ops}
        self.add(cl.ClientAssignedToRegion(**pair, region_id=region, reason=cl.AssignmentReason.ADDRESS), client,
                 when)
        self.add(cl.CaseWorkersAssigned(**pair, workers=cl.CaseWorkers(job_broker=job_broker,
                                                                       social_worker=social_worker),
                                        reason=cl.AssignmentReason.ADDRESS), client, when)
        self.add(cl.SharedClientIdentified(**pair, agreement_id=uuid.UUID(int=1), basis=cl.SharingBasis.LEGAL_BASIS,
                                           identified_on=on), client, when)

    def stop_sharing(self, client: uuid.UUID, on: date) -> None:
        o = self.office
        self.add(cl.SharedClientSharingStopped(client_id=client, pup_institution_id=o.pup,
                                               ops_institution_id=o.ops, reason="consent withdrawn", stopped_on=on),
                 client, at(on))

    def benefit(self, client: uuid.UUID, on: date, basis: cl.BenefitBasis = cl.BenefitBasis.UNEMPLOYMENT) -> uuid.UUID:
        benefit = new_id()
        self.add(cl.BenefitGranted(client_id=client, benefit_id=benefit, institution_id=self.office.ops,
                                   institution_kind=InstitutionKind.OPS, kind="zasiłek okresowy", basis=basis,
                                   monthly_amount=Decimal("600.00"), period=Period(from_=on, to=on + timedelta(180))),
                 client, at(on))
        return benefit

    def unemployment(self, client: uuid.UUID, on: date, status: str, reason: str | None = None) -> None:
        self.add(cl.UnemploymentStatusChanged(
            client_id=client, institution_id=self.office.pup, status=cl.UnemploymentStatus(status),
            reason=cl.DeregistrationReason(reason) if reason else None, effective_on=on), client, at(on))

    # --- plans context -----------------------------------------------------------------------------------------

    def open_plan(self, client: uuid.UUID, on: date, job_broker: str = "anna.broker",
                  social_worker: str = "ewa.social") -> uuid.UUID:
        plan = new_id()
        o = self.office
        self.add(pl.PlanOpened(plan_id=plan, client_id=client, agreement_id=uuid.UUID(int=1),
                               pup=o.party(InstitutionKind.PUP, job_broker),
                               ops=o.party(InstitutionKind.OPS, social_worker), social_preparation_first=False,
                               opened_on=on), plan, at(on))
        return plan

    def step(self, plan: uuid.UUID, client: uuid.UUID, instrument: pl.Instrument, planned: Period, on: date,
             owner: InstitutionKind = InstitutionKind.PUP, worker: str = "anna.broker",
             funded_by: str | None = None) -> tuple[uuid.UUID, RecordedEvent]:
        step = new_id()
        added = self.add(pl.PlanStepAdded(
            plan_id=plan, client_id=client, step_id=step, owner=self.office.party(owner, worker),
            instrument=instrument, category=pl.INSTRUMENT_CATEGORY[instrument], social_preparation=False,
            title=f"{instrument.value}", planned=planned, funded_by=funded_by), plan, at(on))
        return step, added

    def step_event(self, plan: uuid.UUID, client: uuid.UUID, step: uuid.UUID, what: str, on: date,
                   when: datetime | None = None, **fields: Any) -> None:
        keys = {"plan_id": plan, "client_id": client, "step_id": step}
        payload: BaseModel = {
            "schedule": lambda: pl.PlanStepScheduled(**keys, scheduled=fields["scheduled"]),
            "complete": lambda: pl.PlanStepCompleted(**keys, completed_on=on, outcome="done"),
            "fail": lambda: pl.PlanStepFailed(**keys, failed_on=on, reason=pl.StepFailure(fields["reason"])),
            "cancel": lambda: pl.PlanStepCancelled(**keys, reason="duplicate of a partner's step"),
        }[what]()
        self.add(payload, plan, when or at(on))

    def close_plan(self, plan: uuid.UUID, client: uuid.UUID, on: date, outcome: pl.PlanOutcome) -> None:
        self.add(pl.PlanClosed(plan_id=plan, client_id=client, closed_on=on, outcome=outcome, closed_by="anna.broker",
                               institution_id=self.office.pup), plan, at(on))

    def ipzs(self, plan: uuid.UUID, client: uuid.UUID, start: date, end: date, worker: str = "olga.cis"
             ) -> uuid.UUID:
        ipzs = new_id()
        self.add(pl.IpzsSigned(plan_id=plan, client_id=client, ipzs_id=ipzs,
                               cis=self.office.party(InstitutionKind.CIS, worker),
                               main_goal=pl.IpzsGoal.OPEN_MARKET_EMPLOYMENT, term=Period(from_=start, to=end)),
                 plan, at(start))
        return ipzs

    def end_ipzs(self, plan: uuid.UUID, client: uuid.UUID, ipzs: uuid.UUID, on: date, reason: pl.IpzsEnding) -> None:
        self.add(pl.IpzsEnded(plan_id=plan, client_id=client, ipzs_id=ipzs, ended_on=on, reason=reason), plan, at(on))

    def month(self, plan: uuid.UUID, client: uuid.UUID, ipzs: uuid.UUID, month: date, scheduled: int, present: int,
              excused: int, bonus: Decimal | None = None) -> None:
        keys = {"plan_id": plan, "client_id": client, "ipzs_id": ipzs, "cis_institution_id": self.office.cis,
                "month": month}
        self.add(pl.CisAttendanceRecorded(**keys, days_scheduled=scheduled, days_present=present,
                                          days_excused=excused, recorded_by="olga.cis"),
                 plan, at(month + timedelta(32)))
        if bonus is not None:
            self.add(pl.IntegrationBonusDecided(**keys, granted=True, amount=bonus, decided_by="kierownik.cis"),
                     plan, at(month + timedelta(33)))

    # --- matching context --------------------------------------------------------------------------------------

    def offer(self, on: date, instrument: pl.Instrument = pl.Instrument.INTERNSHIP) -> uuid.UUID:
        offer = new_id()
        self.add(mt.OfferPublished(offer_id=offer, kind=mt.OfferKind.INTERNSHIP, instrument=instrument,
                                   title="Staż: magazynier", location=mt.OfferLocation(gmina="Siemianowice Śląskie"),
                                   capacity=3, period=Period(from_=on, to=on + timedelta(90)),
                                   funded_by=self.office.pup), offer, at(on))
        return offer

    def referral(self, client: uuid.UUID, offer: uuid.UUID, on: date, issued_by: str = "anna.broker",
                 outcome: str | None = None) -> uuid.UUID:
        referral = new_id()
        self.add(mt.ReferralIssued(referral_id=referral, client_id=client, offer_id=offer,
                                   institution_id=self.office.pup, issued_by=issued_by, issued_on=on), referral, at(on))
        if outcome:
            self.add(mt.ReferralOutcomeRecorded(referral_id=referral, client_id=client, offer_id=offer,
                                                outcome=mt.ReferralOutcome(outcome), recorded_on=on + timedelta(3)),
                     referral, at(on + timedelta(3)))
        return referral

    # --- conflicts context -------------------------------------------------------------------------------------

    def conflict(self, client: uuid.UUID, rule: str, detected: datetime, evidence: list[uuid.UUID],
                 resolution: str | None = None) -> uuid.UUID:
        conflict = new_id()
        o = self.office
        self.add(cf.BenefitConflictDetected(
            conflict_id=conflict, client_id=client, rule_id=rule, rule_version=1, severity=cf.Severity.HIGH,
            period=Period(from_=detected.date()), explanation_pl="opis", explanation_en="explanation",
            legal_basis="art. 44", evidence_event_ids=tuple(evidence or [new_id()]), institutions=(o.pup, o.ops),
            detected_at=detected), conflict, detected)
        if resolution:
            self.add(cf.BenefitConflictResolved(conflict_id=conflict, client_id=client,
                                                resolution=cf.Resolution(resolution), reason="checked",
                                                resolved_by="ewa.social", institution_id=o.ops),
                     conflict, detected + timedelta(days=2))
        return conflict
