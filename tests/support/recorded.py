"""Building RecordedEvents in memory, for pure tests of consumers and rules."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel

from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.ids import new_event_id, new_id
from libs.events.schemas import registry

_position = itertools.count(1)
ACTOR = Actor(user="tester", institution="PUP-TEST", role="job_broker")


def recorded(payload: BaseModel, *, stream_id: str | None = None, version: int = 1,
             occurred_at: datetime | None = None, event_id: uuid.UUID | None = None) -> RecordedEvent:
    """A RecordedEvent as a consumer would receive it; keyed by the payload's client id when it has one."""
    kind = registry.type_of(payload)
    client = getattr(payload, "client_id", None)
    when = occurred_at or datetime.now(UTC)
    return RecordedEvent(
        event_id=event_id or new_event_id(), event_type=kind.name, schema_version=kind.version,
        stream_type=kind.context, stream_id=stream_id or str(client or new_id()), stream_version=version,
        global_position=next(_position), occurred_at=when, recorded_at=when, payload=payload,
        metadata=Metadata(actor=ACTOR, correlation_id=new_id(), partition_key=str(client) if client else None))
