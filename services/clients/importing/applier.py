"""Applying import rows to client records: each row's commands, its ClientDataImported event and its import_rows
entry commit together (rows are written in small groups, one transaction per group)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
from pydantic import BaseModel

from libs.events.db import Connection
from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.errors import ConcurrencyError
from libs.events.ids import new_id
from libs.events.schemas import clients as ev
from libs.events.schemas.clients import AssignmentReason
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend
from libs.events.topics import CLIENTS
from libs.events.tracing import current_traceparent
from services.clients.adapters.identity_index import PostgresIdentityIndex
from services.clients.adapters.indexes import WriteIndexes
from services.clients.application.clients import _POLICY_TRIGGERS, ClientsApplication
from services.clients.domain.client import decider
from services.clients.domain.client_state import ClientState
from services.clients.domain.policies import AgreementTerms, RegionTerms
from services.clients.importing.planning import ImportContext, RowPlan, plan_row
from services.clients.importing.records import ClientRow, section_hashes
from services.clients.importing.report import Outcome
from services.clients.importing.repository import (
    AppliedRow,
    IdentityTaken,
    ImportRepository,
    Lookup,
    PreviousImport,
    RowKey,
    RowRaced,
)
from services.clients.importing.validation import FieldError

_GROUP: ContextVar[dict[tuple[str, tuple[str, ...]], Any] | None] = ContextVar("import_group", default=None)
T = TypeVar("T")
ATTEMPTS = 5  # a row planned on a state another writer changed meanwhile is planned again from the new state
# Another writer got in between (the row is planned again). A deadlock is one too: two imports of one person's
# institutions lock the same streams; groups lock them in client-id order, which avoids most of them.
_CONFLICTS = (ConcurrencyError, IdentityTaken, RowRaced, asyncpg.DeadlockDetectedError)


@dataclass(frozen=True, slots=True)
class BatchRef:
    batch_id: uuid.UUID
    ctx: ImportContext
    actor: Actor


@dataclass(frozen=True, slots=True)
class Job:
    """A valid row to apply; `lookup` is what the chunk-wide query found (None: read it when applying)."""

    row_number: int
    row: ClientRow
    digest: str
    lookup: Lookup | None = None


@dataclass(frozen=True, slots=True)
class RowResult:
    outcome: Outcome
    events: int = 0
    shared: bool = False
    error: FieldError | None = None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A row decided on the state read before the transaction: what to write."""

    job: Job
    key: RowKey
    previous: PreviousImport | None
    client_id: uuid.UUID
    new_identity: bool
    version: int
    state: ClientState
    plan: RowPlan
    payloads: list[BaseModel]
    final: ClientState
    sections: dict[str, str]


class GroupIndexes(WriteIndexes):
    """WriteIndexes whose region and agreement reads are shared by the rows of one group transaction.

    Every new client of a batch registers at the same institution, so each row would read the same regions and
    agreements again; within a group (one transaction, a few milliseconds) they are read once. Outside a group it
    reads through, exactly like WriteIndexes.
    """

    async def regions_for(self, institutions: Iterable[str], conn: Connection | None = None) -> tuple[RegionTerms, ...]:
        return await self._shared("regions", institutions, conn, super().regions_for)

    async def agreements_for(self, institutions: Iterable[str],
                             conn: Connection | None = None) -> tuple[AgreementTerms, ...]:
        return await self._shared("agreements", institutions, conn, super().agreements_for)

    @staticmethod
    async def _shared(what: str, institutions: Iterable[str], conn: Connection | None,
                      read: Callable[[tuple[str, ...], Connection | None], Awaitable[T]]) -> T:
        names = tuple(sorted(institutions))
        cache = _GROUP.get()
        if cache is None:
            return await read(names, conn)
        if (what, names) not in cache:
            cache[(what, names)] = await read(names, conn)
        value: T = cache[(what, names)]
        return value


class ImportingClients(ClientsApplication):
    """The clients use cases plus applying import rows atomically.

    A subclass rather than a caller of register()/execute(): those commit each command on its own, while a row's
    commands, its ClientDataImported event and its import_rows entry must commit together, or a re-import could not
    tell what was applied. Registration follows register(): a person known to the identity index gets a new
    ClientRegistered on their record; a new person claims the identity in the same transaction.
    """

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, identities: PostgresIdentityIndex,
                 indexes: WriteIndexes, repository: ImportRepository) -> None:
        super().__init__(pool, store, identities, indexes)
        self._imports = repository

    async def apply_rows(self, batch: BatchRef, jobs: Sequence[Job]) -> list[RowResult]:
        """Apply rows of different people in one transaction; on a conflict, each row again on its own."""
        results: dict[int, RowResult] = {}
        prepared: list[_Prepared] = []
        for job in jobs:
            outcome = await self._prepare(batch, job)
            if isinstance(outcome, RowResult):
                results[job.row_number] = outcome
            else:
                prepared.append(outcome)
        if prepared:
            try:
                # One commit (one WAL flush) for the group instead of one per row: most of an import's cost.
                async with self._pool.acquire() as conn, conn.transaction():
                    results.update(await self._write(conn, batch, prepared))
            except _CONFLICTS:  # another writer got in between: the whole group rolled back
                for p in prepared:
                    results[p.job.row_number] = await self.apply_row(batch, Job(p.job.row_number, p.job.row,
                                                                                p.job.digest))
        return [results[job.row_number] for job in jobs]

    async def apply_row(self, batch: BatchRef, job: Job) -> RowResult:
        """Apply one row in its own transaction, planning it again from fresh reads after a conflict."""
        for _ in range(ATTEMPTS):
            outcome = await self._prepare(batch, job)
            if isinstance(outcome, RowResult):
                return outcome
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    return (await self._write(conn, batch, [outcome]))[job.row_number]
            except _CONFLICTS:
                job = Job(job.row_number, job.row, job.digest)
        return RowResult(Outcome.REJECTED, error=FieldError("row", "the client record kept changing during the "
                                                                   f"import ({ATTEMPTS} attempts); import it again"))

    async def _prepare(self, batch: BatchRef, job: Job) -> _Prepared | RowResult:
        """Read, plan and decide (no transaction open): a rejection or an unchanged row ends here."""
        key = RowKey(batch.ctx.institution_id, batch.ctx.source.event_source.value, job.row.identity_key)
        lookup = job.lookup
        if lookup is None:
            lookup = (await self._imports.lookup(key.institution_id, key.source, [key.identity_key]))[
                key.identity_key]
        previous = lookup.previous
        if previous is not None and previous.row_hash == job.digest:
            return RowResult(Outcome.UNCHANGED)
        # Reads happen before the transaction opens: a worker never holds a connection while waiting for a second
        # one (the pool would deadlock under a burst). What changed since is caught in the transaction: the
        # identity claim, the stream's expected version and import_rows' stored hash; the row is then planned again.
        client_id = lookup.client_id
        new_identity = client_id is None
        if client_id is None:
            client_id, state, version = new_id(), ClientState(), 0
        else:
            state, version = await self._handler.load(str(client_id))
        sections = section_hashes(job.row)
        plan = plan_row(job.row, batch.ctx, state, client_id, previous, sections)
        try:
            payloads, final = _decide(plan.commands, state)
        except (DomainError, Forbidden) as exc:
            return RowResult(Outcome.REJECTED, error=FieldError(getattr(exc, "field", None) or "row", str(exc)))
        return _Prepared(job, key, previous, client_id, new_identity, version, state, plan, payloads, final, sections)

    async def _write(self, conn: Connection, batch: BatchRef,
                     prepared: Sequence[_Prepared]) -> dict[int, RowResult]:
        """Claims, the sharing and region policies, the events, the location index and import_rows, in `conn`;
        the result of each row by its row number."""
        # One lock order for every transaction: identity keys, then streams by client id (no lock cycles).
        await self._imports.claim_identities(conn, sorted((p.key.identity_key, p.client_id) for p in prepared
                                                          if p.new_identity))
        prepared = sorted(prepared, key=lambda p: p.client_id)
        results = {}
        token = _GROUP.set({})  # regions and agreements are read once per institution set in this transaction
        try:
            for p in prepared:
                results[p.job.row_number] = await self._write_events(conn, batch, p)
        finally:
            _GROUP.reset(token)
        await self._imports.save_rows(conn, batch.ctx.institution_id, batch.ctx.source.event_source.value,
                                      batch.batch_id, [AppliedRow(
                                          p.key.identity_key, p.previous.row_hash if p.previous else None,
                                          p.job.digest, p.client_id, p.sections, p.plan.benefit_ids, p.job.row_number,
                                          p.job.row.external_id) for p in prepared])
        return results

    async def _write_events(self, conn: Connection, batch: BatchRef, p: _Prepared) -> RowResult:
        payloads, final = list(p.payloads), p.final
        if any(isinstance(c, _POLICY_TRIGGERS) for c in p.plan.commands):
            # Once for the row, after all its commands: the same rules the clients API applies after each trigger.
            policy = await self._policy_events(conn, final, AssignmentReason.ADDRESS)
            payloads += policy
            final = decider.fold(policy, final)
        if not payloads:
            return RowResult(Outcome.UNCHANGED)
        await self._append(conn, batch, p, payloads)
        if final.address is not None:
            await self._indexes.locate(conn, p.client_id, final.address, final.registrations)
        outcome = Outcome.CREATED if p.plan.registers else Outcome.UPDATED
        return RowResult(outcome, events=len(payloads) + 1, shared=p.plan.registers and bool(p.state.registrations))

    async def _append(self, conn: Connection, batch: BatchRef, p: _Prepared, payloads: list[BaseModel]) -> None:
        """ClientDataImported first, then the events it caused, in one statement."""
        imported = ev.ClientDataImported(
            client_id=p.client_id, institution_id=batch.ctx.institution_id, source=batch.ctx.source.event_source,
            batch_id=batch.batch_id, row_number=p.job.row_number, row_hash=p.job.digest,
            external_id=p.job.row.external_id)
        # The batch id is the correlation id of every event of the batch: one query finds all a file changed.
        metadata = Metadata(actor=batch.actor, correlation_id=batch.batch_id, partition_key=str(p.client_id),
                            traceparent=current_traceparent())
        now = datetime.now(UTC)
        await self._store.append(StreamAppend(decider.stream_type, str(p.client_id), p.version or NO_STREAM,
                                              [NewEvent(e, now) for e in [imported, *payloads]], metadata, CLIENTS),
                                 conn=conn)


def _decide(commands: tuple[BaseModel, ...], state: ClientState) -> tuple[list[BaseModel], ClientState]:
    """Decide the commands one after the other on the evolving state (pure: no I/O, nothing stored yet)."""
    payloads: list[BaseModel] = []
    for command in commands:
        events = list(decider.decide(command, state))
        state = decider.fold(events, state)
        payloads += events
    return payloads, state
