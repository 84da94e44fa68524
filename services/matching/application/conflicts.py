"""Use cases of conflicts: record a detection exactly once, resolve it, list the inbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from pydantic import BaseModel

from libs.events.decider import CommandHandler, Outcome
from libs.events.envelope import Actor, Metadata
from libs.events.ids import new_id
from libs.events.schemas.conflicts import BenefitConflictDetected, BenefitConflictResolved
from libs.events.store import PostgresEventStore
from libs.events.topics import CONFLICTS
from libs.events.tracing import current_traceparent
from services.matching.adapters.conflicts_table import ConflictsTable
from services.matching.domain.conflict import ConflictState, Detect, Resolve, decider

DETECTOR = Actor.system("matching.conflicts")


class ConflictsApplication:
    """Conflict streams (one per conflict id) in the matching service's store, published to pzw.conflicts.v1."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, table: ConflictsTable) -> None:
        self._pool = pool
        self._table = table
        self._handler: CommandHandler[BaseModel, ConflictState] = CommandHandler(store, decider, CONFLICTS)

    async def record(self, detected: BenefitConflictDetected, *, causation_id: uuid.UUID | None = None,
                     correlation_id: uuid.UUID | None = None) -> bool:
        """Store a detection unless this conflict exists already; True when it is new.

        Why this is exactly once: the stream id is the conflict id, derived from rule, client and evidence, and
        the append expects a new stream, so a redelivered or reordered input can only lose that race.
        """
        metadata = Metadata(actor=DETECTOR, correlation_id=correlation_id or new_id(), causation_id=causation_id,
                            partition_key=str(detected.client_id), traceparent=current_traceparent())
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._handler.handle(str(detected.conflict_id), Detect(detected=detected), metadata,
                                                 occurred_at=detected.detected_at, conn=conn)
            if outcome.events:
                await self._table.detected(conn, detected)
        return bool(outcome.events)

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
