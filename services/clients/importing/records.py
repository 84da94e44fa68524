"""One client row of an import, validated and normalised: the same for every source and format."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson
from pydantic import Field, ValidationInfo, field_validator

from libs.events.schemas.clients import (
    BenefitBasis,
    DeregistrationReason,
    Education,
    Household,
    ImportSource,
    IncomeSource,
    UnemploymentStatus,
    WorkPeriod,
)
from libs.events.schemas.common import Address, InstitutionKind, Period, ValueObject
from services.clients.domain.commands import ValidIdentity

CENT = Decimal("0.01")


class SourceSystem(StrEnum):
    """The systems an import comes from, as they appear in the URL (/imports/syriusz, /imports/pomost)."""

    SYRIUSZ = "syriusz"
    POMOST = "pomost"

    @property
    def event_source(self) -> ImportSource:
        return ImportSource(self.value.upper())

    @property
    def institution_kind(self) -> InstitutionKind:
        """Who may import from this system: a labour office from Syriusz, a social-assistance centre from POMOST."""
        return InstitutionKind.PUP if self is SourceSystem.SYRIUSZ else InstitutionKind.OPS


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)  # 418.5 and 418.50 are the same amount, and must hash the same


class UnemploymentFacts(ValueObject):
    """Syriusz: the person's status as unemployed at the labour office."""

    status: UnemploymentStatus
    reason: DeregistrationReason | None = Field(default=None, validate_default=True)
    effective_on: date
    with_benefit_right: bool = False

    @field_validator("reason")
    @classmethod
    def _reason_with_deregistration(cls, reason: DeregistrationReason | None,
                                    info: ValidationInfo) -> DeregistrationReason | None:
        status = info.data.get("status")
        if status == UnemploymentStatus.DEREGISTERED and reason is None:
            raise ValueError("a deregistration needs a reason")
        if status == UnemploymentStatus.REGISTERED and reason is not None:
            raise ValueError("a registered person has no deregistration reason")
        return reason


class ImportedBenefit(ValueObject):
    """A benefit the source system pays the person for a period."""

    kind: str = Field(min_length=1, max_length=100)
    basis: BenefitBasis
    monthly_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period: Period

    _amount = field_validator("monthly_amount")(_cents)


class ImportedIncome(ValueObject):
    """Income for a period; `declared_by_client` unset takes the source's default (see docs/import-formats.md)."""

    source: IncomeSource
    monthly_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period: Period
    declared_by_client: bool | None = None

    _amount = field_validator("monthly_amount")(_cents)


class ClientRow(ValueObject):
    """A person as one row of an import describes them; a section left out (None) is not touched."""

    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    identity: ValidIdentity
    address: Address
    registered_on: date | None = None
    education: Education | None = None
    work_history: tuple[WorkPeriod, ...] | None = Field(default=None, max_length=100)
    unemployment: UnemploymentFacts | None = None
    household: Household | None = None
    benefits: tuple[ImportedBenefit, ...] | None = Field(default=None, max_length=50)
    incomes: tuple[ImportedIncome, ...] | None = Field(default=None, max_length=100)

    @property
    def identity_key(self) -> str:
        return self.identity.identity_key()


# Sections that can change after registration; each is compared with the previous import on its own.
SECTIONS = ("address", "education", "work_history", "household", "unemployment", "benefits", "incomes")


def _digest(value: Any) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


def row_hash(row: ClientRow) -> str:
    """SHA-256 of the normalised row (canonical JSON, sorted keys): equal rows hash equal whatever the format."""
    return _digest(row.model_dump(mode="json"))


def section_hashes(row: ClientRow) -> dict[str, str]:
    """A short hash per changeable section, so that a changed row changes only the sections that changed."""
    dumped = row.model_dump(mode="json", include=set(SECTIONS))
    return {name: _digest(dumped[name])[:16] for name in SECTIONS}
