"""Use cases of conflicts: record a detection exactly once, resolve it, list the inbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from pydantic import BaseModel

from libs.events.decider import CommandHandler, Outcome
from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.ids import new_id
from libs.events.schemas.conflicts import BenefitConflictDetected, BenefitConflictResolved
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend
from libs.events.topics import CONFLICTS
from libs.events.tracing import current_traceparent
from services.matching.adapters.conflicts_table import ConflictsTable
from services.matching.domain.conflict import STREAM_TYPE, ConflictState, Resolve, decider

DETECTOR = Actor.system("matching.conflicts")


@dataclass(frozen=True, slots=True)
class Detection:
    """A conflict found by the detector, with the event that caused it."""

    detected: BenefitConflictDetected
    causation_id: uuid.UUID | None = None
    correlation_id: uuid.UUID | None = None


class ConflictsApplication:
    """Conflict streams (one per conflict id) in the matching service's store, published to pzw.conflicts.v1."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, table: ConflictsTable) -> None:
        self._pool = pool
        self._store = store
        self._table = table
        self._handler: CommandHandler[BaseModel, ConflictState] = CommandHandler(store, decider, CONFLICTS)

    async def record(self, detected: BenefitConflictDetected, *, causation_id: uuid.UUID | None = None,
                     correlation_id: uuid.UUID | None = None) -> bool:
        """Store one detection unless this conflict exists already; True when it is new."""
        return bool(await self.record_many([Detection(detected, causation_id, correlation_id)]))

    async def record_many(self, detections: Sequence[Detection]) -> list[uuid.UUID]:
        """Store a batch of detections in one transaction (one commit for many); return the ids that were new.

        Why this is exactly once: a conflict's id is derived from its rule, client and evidence. The inbox row
        is claimed first (primary key, ON CONFLICT DO NOTHING), and only a new claim appends the conflict's
        stream, so a redelivered or reordered input, or a second detector after a rebalance, adds nothing.
        """
        unique = {d.detected.conflict_id: d for d in detections}
        async with self._pool.acquire() as conn, conn.transaction():
            new = set(await self._table.claim(conn, [d.detected for d in unique.values()]))
            for conflict_id in new:
                d = unique[conflict_id]
                metadata = Metadata(actor=DETECTOR, correlation_id=d.correlation_id or new_id(),
                                    causation_id=d.causation_id, partition_key=str(d.detected.client_id),
                                    traceparent=current_traceparent())
                await self._store.append(StreamAppend(
                    STREAM_TYPE, str(conflict_id), NO_STREAM, [NewEvent(d.detected, d.detected.detected_at)],
                    metadata, CONFLICTS), conn=conn)
        return [c for c in unique if c in new]

    async def resolve(self, conflict_id: uuid.UUID, command: Resolve, actor: Actor,
                      expected_version: int | None) -> Outcome[ConflictState]:
        state, _ = await self._handler.load(str(conflict_id))
        client = state.detected.client_id if state.detected else conflict_id
        metadata = Metadata(actor=actor, correlation_id=new_id(), partition_key=str(client),
                            traceparent=current_traceparent())
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._handler.handle(str(conflict_id), command, metadata, occurred_at=datetime.now(UTC),
                                                 expected_version=expected_version, conn=conn)
            for event in outcome.events:
                if isinstance(event.payload, BenefitConflictResolved):
                    await self._table.resolved(conn, event.payload)
        return outcome

    async def get(self, conflict_id: uuid.UUID) -> tuple[ConflictState, int]:
        return await self._handler.load(str(conflict_id))

    @property
    def table(self) -> ConflictsTable:
        return self._table
