"""Use cases of the plans service: open a joint plan for a shared client, change it, read it (now or as of)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import BaseModel

from libs.events.decider import CommandHandler, DomainError, Outcome
from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.errors import StreamNotFound
from libs.events.http import NotFound
from libs.events.ids import new_id
from libs.events.personal_data import KeyUnavailable
from libs.events.store import PostgresEventStore
from libs.events.topics import PLANS
from services.plans.adapters.plan_index import PlanAlreadyOpen, PostgresPlanIndex
from services.plans.adapters.shared_client_directory import SharedClientDirectory, Sharing
from services.plans.application.opening import open_plan_command, usable_sharing
from services.plans.domain.commands import ClosePlan, PlanCommand
from services.plans.domain.plan import decider
from services.plans.domain.plan_state import PlanState

# Polish institutions work by the calendar day in Poland: "today" is the date in Warsaw, not in UTC.
WARSAW = ZoneInfo("Europe/Warsaw")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def metadata_for(actor: Actor, client_id: uuid.UUID) -> Metadata:
    """Metadata of a command's events: keyed by the client so that Kafka keeps one client's events in order."""
    return Metadata.for_command(actor, client_id)


class PlansApplication:
    """Opens and changes joint plans; the pure decider decides, this class loads, appends and keeps the index."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, index: PostgresPlanIndex,
                 directory: SharedClientDirectory, clock: Clock = utc_now) -> None:
        self._pool = pool
        self._store = store
        self._index = index
        self._directory = directory
        self._clock = clock
        self._handler: CommandHandler[BaseModel, PlanState] = CommandHandler(store, decider, PLANS)

    def today(self) -> date:
        """Today's date in Poland: passed to the domain in every command (the domain never reads a clock)."""
        return self._clock().astimezone(WARSAW).date()

    async def open(self, client_id: uuid.UUID, actor: Actor) -> Outcome[PlanState]:
        """Open the joint plan of a shared client; 409 when not shared or when an open plan exists."""
        today = self.today()
        sharing = usable_sharing(await self._directory.sharings_of(client_id), client_id, actor, today)
        existing = await self._index.open_plan_of(client_id)
        if existing is not None:
            raise _already_open(client_id, existing)
        plan_id = new_id()
        command = open_plan_command(sharing, plan_id, actor, today)
        # Why the claim and PlanOpened share one transaction: two workers opening at once both pass the check
        # above; the unique index lets exactly one claim commit, and a lost claim rolls its PlanOpened back.
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                await self._index.claim(conn, client_id, plan_id)
            except PlanAlreadyOpen as taken:
                raise _already_open(client_id, taken.plan_id) from None
            return await self._handler.handle(str(plan_id), command, metadata_for(actor, client_id),
                                              occurred_at=self._clock(), conn=conn)

    async def execute(self, plan_id: uuid.UUID, command: PlanCommand, expected_version: int) -> Outcome[PlanState]:
        """Decide `command` on the plan at `expected_version` (the If-Match the worker sent) and append.

        Why the expected version is the one the worker saw, not the one just loaded: two workers changing the plan
        at once both sent the same version; the store appends only at that version, so the second gets a 409 with
        the current version instead of silently overwriting a decision it never saw.
        """
        client_id = await self._index.client_of(plan_id)
        if client_id is None:
            raise NotFound(f"plan {plan_id} not found")
        metadata = metadata_for(command.actor, client_id)
        if not isinstance(command, ClosePlan):
            return await self._handler.handle(str(plan_id), command, metadata, occurred_at=self._clock(),
                                              expected_version=expected_version)
        # Why one transaction: PlanClosed and freeing the client's open-plan slot commit together, so the client
        # never has two open plans, nor none while PlanClosed failed.
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._handler.handle(str(plan_id), command, metadata, occurred_at=self._clock(),
                                                 expected_version=expected_version, conn=conn)
            await self._index.release(conn, plan_id)
            return outcome

    async def get(self, plan_id: uuid.UUID, as_of: datetime | None = None) -> tuple[PlanState, int]:
        """The plan now, or as it was at `as_of` (folded from the events that had occurred by then)."""
        try:
            events = await self._store.read_stream(str(plan_id), until=as_of)
        except StreamNotFound:
            raise NotFound(f"plan {plan_id} not found") from None
        if not events:
            raise NotFound(f"plan {plan_id} did not exist yet at {as_of}")
        erased = next((e for e in events if e.erased), None)
        if erased is not None:  # the client was erased: the plan's personal fields are gone (410)
            raise KeyUnavailable(str(getattr(erased.payload, "client_id", plan_id)))
        return decider.fold([e.payload for e in events]), events[-1].stream_version

    async def history(self, plan_id: uuid.UUID) -> list[RecordedEvent]:
        """Every event of the plan, oldest first."""
        try:
            return await self._store.read_stream(str(plan_id))
        except StreamNotFound:
            raise NotFound(f"plan {plan_id} not found") from None

    async def plan_of_client(self, client_id: uuid.UUID) -> uuid.UUID:
        """The client's open plan, else the latest closed one."""
        plan_id = await self._index.current_plan_of(client_id)
        if plan_id is None:
            raise NotFound(f"client {client_id} has no joint plan")
        return plan_id

    async def sharings_of(self, client_id: uuid.UUID) -> list[Sharing]:
        """How the clients context shares the client, as this service knows it."""
        return await self._directory.sharings_of(client_id)


def _already_open(client_id: uuid.UUID, plan_id: uuid.UUID) -> DomainError:
    return DomainError(f"client {client_id} already has an open joint plan {plan_id}; one joint plan per shared "
                       "client", field="client_id", existing_plan_id=plan_id)
