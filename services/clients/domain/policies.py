"""Pure rules the clients service applies on its own: which region an address falls in, which pairs share."""

from __future__ import annotations

import re
import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from libs.events.schemas.clients import CaseWorkers, LegalBasis, RegionArea
from libs.events.schemas.common import Address, Period


class Terms(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AgreementTerms(Terms):
    """What the sharing rule needs to know of a cooperation agreement."""

    agreement_id: uuid.UUID
    pup_institution_id: str
    ops_institution_id: str
    valid: Period
    ended_on: date | None = None
    legal_basis: LegalBasis
    social_preparation_first: bool = True
    requires_consent: bool = False

    def in_force(self, day: date) -> bool:
        return self.valid.contains(day) and (self.ended_on is None or day < self.ended_on)


class RegionTerms(Terms):
    """What the assignment rule needs to know of a region."""

    region_id: uuid.UUID
    pup_institution_id: str
    ops_institution_id: str
    area: RegionArea
    workers: CaseWorkers
    priority: int = 100


_NUMBER = re.compile(r"^\s*(\d+)")


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().replace("ul.", "").split())


def match_specificity(area: RegionArea, address: Address) -> int | None:
    """How precisely an area covers an address: 0 street range, 1 postal code, 2 gmina; None when it does not."""
    number_match = _NUMBER.match(address.building or "")
    number = int(number_match.group(1)) if number_match else None
    for street in area.streets:
        if _norm(street.city) != _norm(address.city) or _norm(street.street) != _norm(address.street):
            continue
        if street.from_number is None and street.to_number is None:
            return 0
        if number is not None and (street.from_number or 1) <= number <= (street.to_number or 10**6):
            return 0
    if address.postal_code in area.postal_codes:
        return 1
    gminas = {_norm(g) for g in area.gminas}
    if (address.teryt and address.teryt in area.gminas) or _norm(address.gmina) in gminas:
        return 2
    return None


def region_for(address: Address, regions: tuple[RegionTerms, ...]) -> RegionTerms | None:
    """The region that serves an address: the most specific match, then the lowest priority number, then id."""
    ranked = [(spec, r.priority, str(r.region_id), r) for r in regions
              if (spec := match_specificity(r.area, address)) is not None]
    return min(ranked, key=lambda t: t[:3])[3] if ranked else None
