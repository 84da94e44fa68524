"""A tiny event vocabulary for testing the shared kernel without any service's domain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.ids import new_id
from libs.events.registry import EventPayload, EventRegistry

registry = EventRegistry()


@registry.event("CounterOpened", 1, context="test")
class CounterOpened(EventPayload):
    name: str


@registry.event("CounterIncremented", 1, context="test")
class CounterIncrementedV1(EventPayload):
    by: int


@registry.event("CounterIncremented", 2, context="test")
class CounterIncremented(EventPayload):
    by: int
    reason: str


@registry.upcaster("CounterIncremented", 1)
def _add_reason(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "reason": "unknown"}


ACTOR = Actor(user="tester", institution="PUP-TEST", role="job_broker")


def metadata(partition_key: str | None = None) -> Metadata:
    return Metadata(actor=ACTOR, correlation_id=new_id(), partition_key=partition_key)


def new(payload: EventPayload) -> NewEvent:
    return NewEvent(payload=payload, occurred_at=datetime.now(UTC))
