"""Use cases of the clients service: load the client record, decide, apply the service's policies, append."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import asyncpg
from pydantic import BaseModel

from libs.events.db import Connection
from libs.events.decider import CommandHandler, Outcome
from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.key_store import PostgresKeyStore
from libs.events.personal_data import KeyUnavailable
from libs.events.schemas.clients import AssignmentReason
from libs.events.store import PostgresEventStore
from libs.events.topics import CLIENTS
from services.clients.adapters.identity_index import IdentityTaken, PostgresIdentityIndex
from services.clients.adapters.indexes import WriteIndexes
from services.clients.domain import commands as cmd
from services.clients.domain.client import decider
from services.clients.domain.client_state import ClientState

# Commands after which the sharing and assignment rules are evaluated again for the client.
_POLICY_TRIGGERS = (cmd.RegisterClient, cmd.ChangeAddress, cmd.GiveConsent, cmd.WithdrawConsent, cmd.Reevaluate)


def metadata_for(actor: Actor, key: uuid.UUID, correlation_id: uuid.UUID | None = None) -> Metadata:
    """Metadata of a command's events, keyed by the client."""
    return Metadata.for_command(actor, key, correlation_id=correlation_id)


class ClientsApplication:
    """Registers clients and keeps their records current, sharing and region assignment included."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, identities: PostgresIdentityIndex,
                 indexes: WriteIndexes, today: Callable[[], date] = lambda: datetime.now(UTC).date(),
                 keys: PostgresKeyStore | None = None) -> None:
        self._pool = pool
        self._keys = keys
        self._store = store
        self._identities = identities
        self._indexes = indexes
        self._today = today
        self._handler: CommandHandler[BaseModel, ClientState] = CommandHandler(store, decider, CLIENTS)

    async def register(self, command: cmd.RegisterClient, actor: Actor) -> Outcome[ClientState]:
        """Register a person at an institution: a new record, or a new registration on the person's record."""
        key = command.identity.identity_key()
        for _ in range(2):  # a lost race for a new identity is retried once as a registration of the winner
            existing = await self._identities.find(key)
            if existing is not None:
                return await self.execute(existing, command, actor)
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    await self._identities.claim(conn, key, command.client_id)
                    return await self._execute_in(conn, command.client_id, command, actor, None,
                                                  AssignmentReason.ADDRESS)
            except IdentityTaken:
                continue
        raise RuntimeError("identity index changed twice during one registration")

    async def execute(self, client_id: uuid.UUID, command: BaseModel, actor: Actor,
                      expected_version: int | None = None,
                      reason: AssignmentReason = AssignmentReason.ADDRESS) -> Outcome[ClientState]:
        """Handle a command on a client record in one transaction with the service's indexes."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await self._execute_in(conn, client_id, command, actor, expected_version, reason)

    async def _execute_in(self, conn: Connection, client_id: uuid.UUID, command: BaseModel, actor: Actor,
                          expected_version: int | None, reason: AssignmentReason) -> Outcome[ClientState]:
        if self._keys is not None and await self._keys.is_erased(str(client_id), conn=conn):
            raise KeyUnavailable(str(client_id))  # an erased record takes no more commands (410)
        async def policies(state: ClientState) -> Sequence[BaseModel]:
            if not isinstance(command, _POLICY_TRIGGERS) or not state.exists:
                return []
            return await self._policy_events(conn, state, reason)

        outcome = await self._handler.handle(
            str(client_id), command, metadata_for(actor, client_id), occurred_at=datetime.now(UTC),
            expected_version=expected_version, conn=conn, follow_up=policies)
        state = outcome.state
        if outcome.events and state.address is not None:
            await self._indexes.locate(conn, client_id, state.address, state.registrations)
        return outcome

    async def _policy_events(self, conn: Connection, state: ClientState,
                             reason: AssignmentReason) -> list[BaseModel]:
        """Sharing, then assignment: both from the tables of agreements and regions, in this transaction."""
        institutions = list(state.registrations)
        agreements = await self._indexes.agreements_for(institutions, conn)
        sharing = list(decider.decide(cmd.EvaluateSharing(agreements=agreements, today=self._today()), state))
        state = decider.fold(sharing, state)
        regions = await self._indexes.regions_for(institutions, conn)
        assignment = decider.decide(cmd.AssignRegions(regions=regions, reason=reason), state)
        return sharing + list(assignment)

    async def reevaluate(self, client_id: uuid.UUID, reason: AssignmentReason, actor: Actor) -> Outcome[ClientState]:
        """Apply the sharing and assignment rules again after regions or agreements changed."""
        return await self.execute(client_id, cmd.Reevaluate(), actor, reason=reason)

    async def get(self, client_id: uuid.UUID, as_of: datetime | None = None) -> tuple[ClientState, int]:
        """The client record now, or as it was at `as_of`; StreamNotFound for an unknown client."""
        events = await self._store.read_stream(str(client_id), until=as_of)
        if any(e.erased or e.event_type == "ClientErased" for e in events):
            raise KeyUnavailable(str(client_id))
        return decider.fold([e.payload for e in events]), (events[-1].stream_version if events else 0)

    async def history(self, client_id: uuid.UUID) -> list[RecordedEvent]:
        return await self._store.read_stream(str(client_id))

    async def find(self, identity_key: str) -> uuid.UUID | None:
        return await self._identities.find(identity_key)
