"""Events of the conflicts context (topic pzw.conflicts.v1): benefit conflicts detected across institutions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.common import InstitutionId, Period, WorkerId
from libs.events.schemas.registry import registry

CONTEXT = "conflicts"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    HIGH = "high"


@registry.event("BenefitConflictDetected", 1, context=CONTEXT)
class BenefitConflictDetected(EventPayload):
    """A rule found a conflict for a client (double funding, a benefit whose basis is gone, ...), citing the
    events that prove it. The conflict id is derived from rule, client and evidence: the same evidence never
    raises it twice."""

    conflict_id: uuid.UUID
    client_id: uuid.UUID
    rule_id: str = Field(pattern=r"^R\d+$", examples=["R1"])
    rule_version: int = Field(ge=1)
    severity: Severity
    period: Period
    explanation_pl: str = Field(min_length=1, max_length=2000)
    explanation_en: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=1000)
    evidence_event_ids: tuple[uuid.UUID, ...] = Field(min_length=1)
    institutions: tuple[InstitutionId, ...] = Field(description="institutions whose workers must look at it")
    detected_at: datetime


class Resolution(StrEnum):
    CONFIRMED = "confirmed"  # the conflict is real and was acted on
    DISMISSED = "dismissed"  # not a conflict; the same evidence will not raise it again


@registry.event("BenefitConflictResolved", 1, context=CONTEXT)
class BenefitConflictResolved(EventPayload):
    """A worker resolved a conflict: confirmed and acted on, or dismissed with a reason."""

    conflict_id: uuid.UUID
    client_id: uuid.UUID
    resolution: Resolution
    reason: str = Field(min_length=1, max_length=2000)
    resolved_by: WorkerId
    institution_id: InstitutionId
