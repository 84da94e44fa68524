"""The event envelope: what every stored and published event carries around its payload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.events.ids import new_event_id


class Actor(BaseModel):
    """Who caused an event: a user acting for an institution in a role, or a system component."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user: str = Field(min_length=1, max_length=200, examples=["jan.kowalski"])
    institution: str = Field(min_length=1, max_length=200, examples=["PUP-1461"])
    role: str = Field(min_length=1, max_length=100, examples=["job_broker"])

    @classmethod
    def system(cls, component: str) -> Actor:
        """The actor for events a service emits on its own (timers, stream processors)."""
        return cls(user=f"system:{component}", institution="platform", role="system")


@dataclass(frozen=True, slots=True)
class Metadata:
    """Context of an event that is not part of its business meaning."""

    actor: Actor
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    partition_key: str | None = None
    traceparent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor.model_dump(),
            "correlation_id": str(self.correlation_id),
            "causation_id": str(self.causation_id) if self.causation_id else None,
            "partition_key": self.partition_key,
            "traceparent": self.traceparent,
        }

    @classmethod
    def for_command(cls, actor: Actor, partition_key: object, *, correlation_id: uuid.UUID | None = None,
                    causation_id: uuid.UUID | None = None) -> Metadata:
        """Metadata of the events one command produces: keyed (the client, so that Kafka keeps one client's
        events in order), correlated, and carrying the trace of the request that caused them."""
        from libs.events.tracing import current_traceparent

        return cls(actor=actor, correlation_id=correlation_id or new_event_id(), causation_id=causation_id,
                   partition_key=str(partition_key), traceparent=current_traceparent())

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Metadata:
        causation = raw.get("causation_id")
        return cls(
            actor=Actor.model_validate(raw["actor"]),
            correlation_id=uuid.UUID(raw["correlation_id"]),
            causation_id=uuid.UUID(causation) if causation else None,
            partition_key=raw.get("partition_key"),
            traceparent=raw.get("traceparent"),
        )


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a decider produced, before the store gave it a place in a stream."""

    payload: BaseModel
    occurred_at: datetime
    event_id: uuid.UUID = field(default_factory=new_event_id)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: payload upcast to the latest schema version, plus its place in the store."""

    event_id: uuid.UUID
    event_type: str
    schema_version: int
    stream_type: str
    stream_id: str
    stream_version: int
    global_position: int
    occurred_at: datetime
    recorded_at: datetime
    payload: BaseModel
    metadata: Metadata
    erased: tuple[str, ...] = ()  # personal fields whose key was destroyed: `None` in the payload

    @property
    def partition_key(self) -> str:
        """Kafka message key: the client the event concerns, else its stream (keeps one client's events in order)."""
        return self.metadata.partition_key or self.stream_id

