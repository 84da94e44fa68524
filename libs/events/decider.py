"""Deciders and the one application loop around them: load the stream, decide, append."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from libs.events.db import Connection
from libs.events.envelope import Metadata, NewEvent, RecordedEvent
from libs.events.errors import ConcurrencyError, StreamNotFound
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend

C = TypeVar("C")
S = TypeVar("S")
FollowUp = Callable[[S], Awaitable[Sequence[BaseModel]]]


class DomainError(Exception):
    """A command that the rules of the domain refuse in the current state (answered with 409)."""

    def __init__(self, message: str, *, field: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.field = field
        self.details = details


class Forbidden(Exception):
    """The actor may not do this (answered with 403)."""


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    """Pure domain logic of one stream type: `decide(command, state) -> events`, `evolve(state, event) -> state`."""

    stream_type: str
    initial: Callable[[], S]
    decide: Callable[[C, S], Sequence[BaseModel]]
    evolve: Callable[[S, BaseModel], S]

    def fold(self, events: Sequence[BaseModel], state: S | None = None) -> S:
        """The state after `events`, starting from `state` (or the initial state)."""
        current = self.initial() if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current


@dataclass(frozen=True, slots=True)
class Outcome(Generic[S]):
    """What handling a command produced: the new events, the resulting state and stream version."""

    events: list[RecordedEvent]
    state: S
    version: int


class CommandHandler(Generic[C, S]):
    """Runs a decider against the event store with optimistic concurrency."""

    def __init__(self, store: PostgresEventStore, decider: Decider[C, S], topic: str) -> None:
        self._store = store
        self._decider = decider
        self._topic = topic

    async def load(self, stream_id: str, *, until: datetime | None = None,
                   conn: Connection | None = None) -> tuple[S, int]:
        """The state and version of a stream (the initial state and 0 when it does not exist)."""
        try:
            events = await self._store.read_stream(stream_id, until=until, conn=conn)
        except StreamNotFound:
            return self._decider.initial(), 0
        return self._decider.fold([e.payload for e in events]), (events[-1].stream_version if events else 0)

    async def handle(
        self, stream_id: str, command: C, metadata: Metadata, *, occurred_at: datetime,
        expected_version: int | None = None, conn: Connection | None = None, follow_up: FollowUp[S] | None = None,
    ) -> Outcome[S]:
        """Decide on the current state and append the events.

        `expected_version` is what the client last saw (If-Match); without it the version just loaded is used, so a
        concurrent writer between load and append still gets a ConcurrencyError rather than a lost update.
        `follow_up` gets the state after the decision and returns further events (the service's own policies),
        appended in the same statement so that a decision and its consequences are never stored apart.
        """
        state, version = await self.load(stream_id, conn=conn)
        if expected_version is not None and expected_version != version:
            raise ConcurrencyError(stream_id, expected_version, version)
        payloads = list(self._decider.decide(command, state))
        if follow_up is not None:
            payloads += await follow_up(self._decider.fold(payloads, state))
        if not payloads:
            return Outcome([], state, version)
        new_events = [NewEvent(payload=p, occurred_at=occurred_at) for p in payloads]
        recorded = await self._store.append(
            StreamAppend(self._decider.stream_type, stream_id, version if version else NO_STREAM, new_events,
                         metadata, self._topic),
            conn=conn,
        )
        return Outcome(recorded, self._decider.fold(payloads, state), version + len(recorded))

