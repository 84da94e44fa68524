"""Events of the notifications context (topic pzw.notifications.v1): what was sent to whom, and read."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.common import PERSONAL, InstitutionId, WorkerId
from libs.events.schemas.registry import registry

CONTEXT = "notifications"


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    DIGEST = "digest"


class NotificationKind(StrEnum):
    PARTNER_CHANGED_PLAN = "partner_changed_plan"
    PARTNER_CHANGED_STATUS = "partner_changed_status"
    CONFLICT_DETECTED = "conflict_detected"
    STEP_DUE = "step_due"
    STEP_OVERDUE = "step_overdue"
    CASELOAD_HANDED_OVER = "caseload_handed_over"
    IPZS_EXPIRING = "ipzs_expiring"


@registry.event("NotificationSent", 1, context=CONTEXT)
class NotificationSent(EventPayload):
    """A notification reached a worker on a channel. Its id is derived from the cause and the recipient, so a
    redelivered cause never notifies twice."""

    notification_id: uuid.UUID
    recipient: WorkerId
    institution_id: InstitutionId
    kind: NotificationKind
    channel: Channel
    client_id: uuid.UUID | None = None
    title: str = Field(min_length=1, max_length=300, json_schema_extra=PERSONAL)
    body: str = Field(min_length=1, max_length=4000, json_schema_extra=PERSONAL)
    cause_event_id: uuid.UUID | None = Field(default=None, description="the event that caused it (none for timers)")
    sent_at: datetime


@registry.event("NotificationRead", 1, context=CONTEXT)
class NotificationRead(EventPayload):
    notification_id: uuid.UUID
    recipient: WorkerId
    read_at: datetime
