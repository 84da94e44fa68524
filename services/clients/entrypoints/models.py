"""Request and response bodies of the clients service's HTTP API."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from libs.events.schemas import clients as ev
from libs.events.schemas.common import Address, Contact, InstitutionId, InstitutionKind, Period
from services.clients.domain.client_state import ClientState
from services.clients.domain.commands import ValidIdentity


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClientCreate(Body):
    """A registration: who, where they live, at which institution, from when."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "institution_id": "PUP-2473", "institution_kind": "PUP",
        "identity": {"pesel": "44051401359", "first_name": "Jan", "last_name": "Kowalski",
                     "birth_date": "1944-05-14"},
        "address": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
                    "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "10"},
        "contact": {"phone": "+48 600 100 200"}, "registered_on": "2026-11-02"}]})

    institution_id: InstitutionId
    institution_kind: InstitutionKind
    identity: ValidIdentity
    address: Address
    contact: Contact = Field(default_factory=Contact)
    registered_on: date


class ProfileUpdate(Body):
    """Sections to replace; sections left out stay as they are."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "education": {"level": "vocational", "profession": "ślusarz", "driving_licence": ["B"]},
        "household": {"members": 3, "dependants": 1, "single_parent": True}}]})

    education: ev.Education | None = None
    work_history: tuple[ev.WorkPeriod, ...] | None = None
    household: ev.Household | None = None
    health: ev.Health | None = None
    addiction: ev.Addiction | None = None


class StatusChange(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "deregistered", "reason": "refused_offer", "effective_on": "2026-11-20"}]})

    status: ev.UnemploymentStatus
    reason: ev.DeregistrationReason | None = None
    effective_on: date
    with_benefit_right: bool = False


class BenefitGrant(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "zasiłek okresowy", "basis": "unemployment", "monthly_amount": "418.00",
        "period": {"from": "2026-11-01", "to": "2027-04-30"}}]})

    benefit_id: uuid.UUID | None = None
    kind: str = Field(min_length=1, max_length=100)
    basis: ev.BenefitBasis
    monthly_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period: Period


class BenefitChange(Body):
    on: date
    reason: str = Field(min_length=1, max_length=500)


class IncomeDeclaration(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "source": "employment", "monthly_amount": "1200.00", "period": {"from": "2026-10-01", "to": "2026-10-31"},
        "declared_by_client": True}]})

    source: ev.IncomeSource
    monthly_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period: Period
    declared_by_client: bool


class ConsentCreate(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "institutions": ["PUP-2473", "MOPS-2473"], "purpose": "Program Zindywidualizowanego Wsparcia",
        "given_on": "2026-11-02"}]})

    consent_id: uuid.UUID | None = None
    institutions: tuple[InstitutionId, ...] = Field(min_length=2, max_length=10)
    purpose: str = Field(min_length=1, max_length=500)
    given_on: date


class ConsentWithdrawal(Body):
    withdrawn_on: date


class RegistrationView(BaseModel):
    institution_id: str
    institution_kind: InstitutionKind
    registered_on: date


class UnemploymentView(BaseModel):
    institution_id: str
    status: ev.UnemploymentStatus
    reason: ev.DeregistrationReason | None
    effective_on: date


class BenefitView(BaseModel):
    benefit_id: uuid.UUID
    institution_id: str
    kind: str
    basis: ev.BenefitBasis
    monthly_amount: Decimal
    period: Period
    status: str


class ConsentView(BaseModel):
    consent_id: uuid.UUID
    institutions: list[str]
    purpose: str
    given_on: date
    withdrawn_on: date | None


class SharingView(BaseModel):
    pup_institution_id: str
    ops_institution_id: str
    agreement_id: uuid.UUID
    basis: ev.SharingBasis
    consent_id: uuid.UUID | None
    identified_on: date


class AssignmentView(BaseModel):
    pup_institution_id: str
    ops_institution_id: str
    region_id: uuid.UUID | None
    workers: ev.CaseWorkers | None


class ProfileView(BaseModel):
    education: ev.Education | None
    work_history: tuple[ev.WorkPeriod, ...]
    household: ev.Household | None
    health: ev.Health | None
    addiction: ev.Addiction | None


class ClientPublic(BaseModel):
    """A client record as the API shows it (built from its events)."""

    client_id: uuid.UUID
    version: int
    identity: ev.PersonIdentity
    address: Address
    contact: Contact
    registrations: list[RegistrationView]
    profile: ProfileView
    unemployment: list[UnemploymentView]
    benefits: list[BenefitView]
    incomes: list[ev.IncomeDeclared]
    consents: list[ConsentView]
    sharing: list[SharingView]
    assignments: list[AssignmentView]
    withheld: list[str] = Field(default_factory=list, description="special-category sections present in the "
                                "record but not shown to the caller's role (e.g. profile.health)")

    @classmethod
    def of(cls, s: ClientState, version: int, withhold: frozenset[str] = frozenset()) -> ClientPublic:
        """The record as the API shows it; the profile sections named in `withhold` are left out."""
        view = cls._of(s, version)
        hidden = sorted(k for k in withhold if getattr(view.profile, k, None) is not None)
        if not hidden:
            return view
        profile = view.profile.model_copy(update=dict.fromkeys(hidden))
        return view.model_copy(update={"profile": profile, "withheld": [f"profile.{k}" for k in hidden]})

    @classmethod
    def _of(cls, s: ClientState, version: int) -> ClientPublic:
        assert s.client_id is not None
        assert s.identity is not None
        assert s.address is not None
        return cls(
            client_id=s.client_id, version=version, identity=s.identity, address=s.address, contact=s.contact,
            registrations=[RegistrationView(institution_id=i, institution_kind=r.institution_kind,
                                            registered_on=r.registered_on) for i, r in s.registrations.items()],
            profile=ProfileView(education=s.profile.education, work_history=s.profile.work_history,
                                household=s.profile.household, health=s.profile.health,
                                addiction=s.profile.addiction),
            unemployment=[UnemploymentView(institution_id=i, status=u.status, reason=u.reason,
                                           effective_on=u.effective_on) for i, u in s.unemployment.items()],
            benefits=[BenefitView(benefit_id=b.benefit_id, institution_id=b.institution_id, kind=b.kind,
                                  basis=b.basis, monthly_amount=b.monthly_amount, period=b.period, status=b.status)
                      for b in s.benefits.values()],
            incomes=list(s.incomes),
            consents=[ConsentView(consent_id=k, institutions=sorted(c.institutions), purpose=c.purpose,
                                  given_on=c.given_on, withdrawn_on=c.withdrawn_on) for k, c in s.consents.items()],
            sharing=[SharingView(pup_institution_id=p, ops_institution_id=o, agreement_id=v.agreement_id,
                                 basis=v.basis, consent_id=v.consent_id, identified_on=v.identified_on)
                     for (p, o), v in s.sharing.items()],
            assignments=[AssignmentView(pup_institution_id=p, ops_institution_id=o, region_id=a.region_id,
                                        workers=a.workers) for (p, o), a in s.assignments.items()],
        )

