"""Value objects used by the events of several bounded contexts."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

PERSONAL: dict[str, Any] = {"x-personal-data": True}
SPECIAL_CATEGORY: dict[str, Any] = {"x-personal-data": True, "x-special-category": True}


class InstitutionKind(StrEnum):
    """The kinds of institution working on the platform."""

    PUP = "PUP"  # powiatowy urząd pracy: county labour office
    OPS = "OPS"  # ośrodek pomocy społecznej (MOPS, GOPS, MOPR): social-assistance centre
    CIS = "CIS"  # centrum integracji społecznej: social-integration centre
    ROPS = "ROPS"  # regionalny ośrodek polityki społecznej: regional centre


InstitutionId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                                     examples=["PUP-1461", "MOPS-146101"])]


class ValueObject(BaseModel):
    """Immutable and strict about unknown fields, like event payloads."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Address(ValueObject):
    """A Polish address; TERYT code of the gmina where known."""

    gmina: str = Field(min_length=1, max_length=100, examples=["Siemianowice Śląskie"])
    teryt: str | None = Field(default=None, pattern=r"^\d{7}$", description="TERYT TERC code of the gmina (7 digits)",
                              examples=["2474011"])
    postal_code: str = Field(pattern=r"^\d{2}-\d{3}$", examples=["41-100"])
    city: str = Field(min_length=1, max_length=100, examples=["Siemianowice Śląskie"])
    street: str | None = Field(default=None, max_length=150, examples=["Jana Pawła II"])
    building: str | None = Field(default=None, max_length=20, examples=["10"])
    apartment: str | None = Field(default=None, max_length=20)


class Contact(ValueObject):
    """How to reach a person."""

    phone: str | None = Field(default=None, max_length=30, pattern=r"^\+?[0-9 ()-]{6,30}$")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


WorkerId = Annotated[str, Field(min_length=1, max_length=200, examples=["anna.nowak@pup-2473"])]


class Period(ValueObject):
    """A period of days, both ends inclusive; `to` absent means open-ended."""

    from_: date = Field(alias="from")
    to: date | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.to is not None and self.to < self.from_:
            raise ValueError("period ends before it starts")
        return self

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        return (self.to is None or other.from_ <= self.to) and (other.to is None or self.from_ <= other.to)

    def contains(self, day: date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


_KIND_PREFIXES = {"PUP": InstitutionKind.PUP, "OPS": InstitutionKind.OPS, "MOPS": InstitutionKind.OPS,
                  "GOPS": InstitutionKind.OPS, "MGOPS": InstitutionKind.OPS, "MOPR": InstitutionKind.OPS,
                  "CIS": InstitutionKind.CIS, "ROPS": InstitutionKind.ROPS}


def institution_kind(institution_id: str) -> InstitutionKind | None:
    """The kind of an institution from its identifier, `<KIND>-<code>` (PUP-2473, MOPS-2473, GOPS-..., CIS-...)."""
    return _KIND_PREFIXES.get(institution_id.split("-", 1)[0].upper())
