"""What the platform knows about one person, and how each event changes it (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from libs.events.schemas import clients as ev
from libs.events.schemas.common import Address, Contact, InstitutionKind, Period

Pair = tuple[str, str]  # (PUP institution id, OPS institution id)


@dataclass(frozen=True, slots=True)
class Registration:
    institution_kind: InstitutionKind
    registered_on: date


@dataclass(frozen=True, slots=True)
class Profile:
    education: ev.Education | None = None
    work_history: tuple[ev.WorkPeriod, ...] = ()
    household: ev.Household | None = None
    health: ev.Health | None = None
    addiction: ev.Addiction | None = None


@dataclass(frozen=True, slots=True)
class Unemployment:
    status: ev.UnemploymentStatus
    reason: ev.DeregistrationReason | None
    effective_on: date
    with_benefit_right: bool


@dataclass(frozen=True, slots=True)
class Benefit:
    benefit_id: uuid.UUID
    institution_id: str
    kind: str
    basis: ev.BenefitBasis
    monthly_amount: Decimal
    period: Period
    status: str = "active"  # active | suspended | ended


@dataclass(frozen=True, slots=True)
class Consent:
    institutions: frozenset[str]
    purpose: str
    given_on: date
    withdrawn_on: date | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


@dataclass(frozen=True, slots=True)
class Sharing:
    agreement_id: uuid.UUID
    basis: ev.SharingBasis
    consent_id: uuid.UUID | None
    identified_on: date


@dataclass(frozen=True, slots=True)
class Assignment:
    region_id: uuid.UUID | None
    workers: ev.CaseWorkers | None


@dataclass(frozen=True, slots=True)
class ClientState:
    """The client record; mappings are replaced, never mutated, so old states stay valid."""

    client_id: uuid.UUID | None = None
    identity: ev.PersonIdentity | None = None
    address: Address | None = None
    contact: Contact = field(default_factory=Contact)
    registrations: Mapping[str, Registration] = field(default_factory=dict)
    profile: Profile = field(default_factory=Profile)
    unemployment: Mapping[str, Unemployment] = field(default_factory=dict)
    benefits: Mapping[uuid.UUID, Benefit] = field(default_factory=dict)
    incomes: tuple[ev.IncomeDeclared, ...] = ()
    consents: Mapping[uuid.UUID, Consent] = field(default_factory=dict)
    sharing: Mapping[Pair, Sharing] = field(default_factory=dict)
    assignments: Mapping[Pair, Assignment] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.client_id is not None

    def institutions_of(self, kind: InstitutionKind) -> set[str]:
        return {i for i, r in self.registrations.items() if r.institution_kind == kind}


def evolve(state: ClientState, event: BaseModel) -> ClientState:
    """The state after one event (unknown events leave it unchanged: newer producers may add types)."""
    handler = _EVOLVERS.get(type(event))
    return handler(state, event) if handler else state


def _registered(s: ClientState, e: ev.ClientRegistered) -> ClientState:
    registrations = {**s.registrations, e.institution_id: Registration(e.institution_kind, e.registered_on)}
    return replace(s, client_id=e.client_id, identity=s.identity or e.identity, address=s.address or e.address,
                   contact=e.contact, registrations=registrations)


def _moved(s: ClientState, e: ev.ClientAddressChanged) -> ClientState:
    return replace(s, address=e.address)


def _profile(s: ClientState, e: ev.ClientProfileUpdated) -> ClientState:
    p = s.profile
    return replace(s, profile=Profile(
        education=e.education if e.education is not None else p.education,
        work_history=e.work_history if e.work_history is not None else p.work_history,
        household=e.household if e.household is not None else p.household,
        health=e.health if e.health is not None else p.health,
        addiction=e.addiction if e.addiction is not None else p.addiction,
    ))


def _status(s: ClientState, e: ev.UnemploymentStatusChanged) -> ClientState:
    status = Unemployment(e.status, e.reason, e.effective_on, e.with_benefit_right)
    return replace(s, unemployment={**s.unemployment, e.institution_id: status})


def _granted(s: ClientState, e: ev.BenefitGranted) -> ClientState:
    benefit = Benefit(e.benefit_id, e.institution_id, e.kind, e.basis, e.monthly_amount, e.period)
    return replace(s, benefits={**s.benefits, e.benefit_id: benefit})


def _benefit_status(status: str):  # type: ignore[no-untyped-def]
    def apply(s: ClientState, e: ev.BenefitSuspended | ev.BenefitEnded) -> ClientState:
        benefit = replace(s.benefits[e.benefit_id], status=status)
        return replace(s, benefits={**s.benefits, e.benefit_id: benefit})

    return apply


def _income(s: ClientState, e: ev.IncomeDeclared) -> ClientState:
    return replace(s, incomes=(*s.incomes, e))


def _consent(s: ClientState, e: ev.ConsentGiven) -> ClientState:
    consent = Consent(frozenset(e.institutions), e.purpose, e.given_on)
    return replace(s, consents={**s.consents, e.consent_id: consent})


def _withdrawn(s: ClientState, e: ev.ConsentWithdrawn) -> ClientState:
    consent = replace(s.consents[e.consent_id], withdrawn_on=e.withdrawn_on)
    return replace(s, consents={**s.consents, e.consent_id: consent})


def _shared(s: ClientState, e: ev.SharedClientIdentified) -> ClientState:
    sharing = Sharing(e.agreement_id, e.basis, e.consent_id, e.identified_on)
    return replace(s, sharing={**s.sharing, (e.pup_institution_id, e.ops_institution_id): sharing})


def _unshared(s: ClientState, e: ev.SharedClientSharingStopped) -> ClientState:
    pair = (e.pup_institution_id, e.ops_institution_id)
    return replace(s, sharing={k: v for k, v in s.sharing.items() if k != pair})


def _assigned(s: ClientState, e: ev.ClientAssignedToRegion) -> ClientState:
    pair = (e.pup_institution_id, e.ops_institution_id)
    workers = s.assignments[pair].workers if pair in s.assignments and e.region_id is not None else None
    return replace(s, assignments={**s.assignments, pair: Assignment(e.region_id, workers)})


def _workers(s: ClientState, e: ev.CaseWorkersAssigned) -> ClientState:
    pair = (e.pup_institution_id, e.ops_institution_id)
    current = s.assignments.get(pair, Assignment(None, None))
    return replace(s, assignments={**s.assignments, pair: replace(current, workers=e.workers)})


_EVOLVERS = {
    ev.ClientRegistered: _registered,
    ev.ClientAddressChanged: _moved,
    ev.ClientProfileUpdated: _profile,
    ev.UnemploymentStatusChanged: _status,
    ev.BenefitGranted: _granted,
    ev.BenefitSuspended: _benefit_status("suspended"),
    ev.BenefitEnded: _benefit_status("ended"),
    ev.IncomeDeclared: _income,
    ev.ConsentGiven: _consent,
    ev.ConsentWithdrawn: _withdrawn,
    ev.SharedClientIdentified: _shared,
    ev.SharedClientSharingStopped: _unshared,
    ev.ClientAssignedToRegion: _assigned,
    ev.CaseWorkersAssigned: _workers,
}
