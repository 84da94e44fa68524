"""Commands of the clients context: what a worker (or a policy of the service) asks of a client record."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_number

from libs.events.schemas.clients import (
    Addiction,
    AssignmentReason,
    BenefitBasis,
    DeregistrationReason,
    Education,
    Health,
    Household,
    IncomeSource,
    PersonIdentity,
    UnemploymentStatus,
    WorkPeriod,
)
from libs.events.schemas.common import Address, Contact, InstitutionId, InstitutionKind, Period
from services.clients.domain.policies import AgreementTerms, RegionTerms


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValidIdentity(PersonIdentity):
    """A person's identity whose PESEL checksum and encoded birth date have been verified."""

    @model_validator(mode="after")
    def _pesel_or_document(self) -> ValidIdentity:
        if self.pesel is None and self.document is None:
            raise ValueError("either pesel or document is required")
        if self.pesel is not None:
            try:
                pesel_number.validate(self.pesel)
                encoded = pesel_number.get_birth_date(self.pesel)
            except StdnumError as exc:
                raise ValueError(f"pesel is not valid: {exc}") from None
            if encoded != self.birth_date:
                raise ValueError(f"pesel encodes birth date {encoded}, not {self.birth_date}")
        return self

    def identity_key(self) -> str:
        """The key under which the platform finds this person again (one client record per person)."""
        if self.pesel is not None:
            return f"PESEL:{self.pesel}"
        assert self.document is not None
        return f"DOC:{self.document.type.value}:{self.document.number}"


class RegisterClient(Command):
    """Register a person as a client of an institution."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    identity: ValidIdentity
    address: Address
    contact: Contact = Field(default_factory=Contact)
    registered_on: date


class ChangeAddress(Command):
    """Record that the client lives somewhere else now."""

    institution_id: InstitutionId
    address: Address


class UpdateProfile(Command):
    """Replace the given sections of the profile (the previous values stay in the history)."""

    institution_id: InstitutionId
    institution_kind: InstitutionKind
    education: Education | None = None
    work_history: tuple[WorkPeriod, ...] | None = None
    household: Household | None = None
    health: Health | None = None
    addiction: Addiction | None = None


class ChangeUnemploymentStatus(Command):
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    status: UnemploymentStatus
    reason: DeregistrationReason | None = None
    effective_on: date
    with_benefit_right: bool = False


class GrantBenefit(Command):
    benefit_id: uuid.UUID
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    kind: str
    basis: BenefitBasis
    monthly_amount: Decimal
    period: Period


class SuspendBenefit(Command):
    benefit_id: uuid.UUID
    institution_id: InstitutionId
    suspended_from: date
    reason: str


class EndBenefit(Command):
    benefit_id: uuid.UUID
    institution_id: InstitutionId
    ended_on: date
    reason: str


class DeclareIncome(Command):
    institution_id: InstitutionId
    source: IncomeSource
    monthly_amount: Decimal
    period: Period
    declared_by_client: bool


class GiveConsent(Command):
    consent_id: uuid.UUID
    institution_id: InstitutionId
    institutions: tuple[InstitutionId, ...]
    purpose: str
    given_on: date


class WithdrawConsent(Command):
    consent_id: uuid.UUID
    institution_id: InstitutionId
    withdrawn_on: date


class Reevaluate(Command):
    """Nothing changes in the record itself; sharing and region assignment are evaluated again."""


class EvaluateSharing(Command):
    """Policy: share the client between each cooperating PUP-OPS pair that has a basis, stop where it is gone."""

    agreements: tuple[AgreementTerms, ...]
    today: date


class AssignRegions(Command):
    """Policy: put the client in the region matching their address for each PUP-OPS pair they are a client of."""

    regions: tuple[RegionTerms, ...]
    reason: AssignmentReason
