"""Use cases of the clients service: load the client record, decide, append."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from libs.events.decider import CommandHandler, Outcome
from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.ids import new_id
from libs.events.store import PostgresEventStore
from libs.events.topics import CLIENTS
from libs.events.tracing import current_traceparent
from services.clients.adapters.identity_index import IdentityTaken, PostgresIdentityIndex
from services.clients.domain.client import ClientState, decider
from services.clients.domain.commands import ChangeAddress, RegisterClient


def metadata_for(actor: Actor, client_id: uuid.UUID, correlation_id: uuid.UUID | None = None) -> Metadata:
    """Metadata of a command's events: keyed by the client so that Kafka keeps their order."""
    return Metadata(actor=actor, correlation_id=correlation_id or new_id(), partition_key=str(client_id),
                    traceparent=current_traceparent())


class ClientsApplication:
    """Registers clients and keeps their records current."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, identities: PostgresIdentityIndex) -> None:
        self._pool = pool
        self._store = store
        self._identities = identities
        self._handler: CommandHandler[object, ClientState] = CommandHandler(store, decider, CLIENTS)

    async def register(self, command: RegisterClient, actor: Actor) -> Outcome[ClientState]:
        """Register a person at an institution: a new record, or a new registration on the person's record."""
        key = command.identity.identity_key()
        for _ in range(2):  # a lost race for a new identity is retried once as a registration of the winner
            existing = await self._identities.find(key)
            if existing is not None:
                return await self._handler.handle(
                    str(existing), command, metadata_for(actor, existing), occurred_at=_now())
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    await self._identities.claim(conn, key, command.client_id)
                    return await self._handler.handle(
                        str(command.client_id), command, metadata_for(actor, command.client_id),
                        occurred_at=_now(), conn=conn)
            except IdentityTaken:
                continue
        raise RuntimeError("identity index changed twice during one registration")

    async def change_address(
        self, client_id: uuid.UUID, command: ChangeAddress, expected_version: int, actor: Actor
    ) -> Outcome[ClientState]:
        return await self._handler.handle(
            str(client_id), command, metadata_for(actor, client_id), occurred_at=_now(),
            expected_version=expected_version)

    async def get(self, client_id: uuid.UUID, as_of: datetime | None = None) -> tuple[ClientState, int]:
        """The client record now, or as it was at `as_of`; StreamNotFound for an unknown client."""
        events = await self._store.read_stream(str(client_id), until=as_of)
        return decider.fold([e.payload for e in events]), (events[-1].stream_version if events else 0)

    async def history(self, client_id: uuid.UUID) -> list[RecordedEvent]:
        return await self._store.read_stream(str(client_id))


def _now() -> datetime:
    return datetime.now(UTC)
