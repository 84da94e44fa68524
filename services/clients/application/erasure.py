"""Erasure of a client (crypto-shredding): `ClientErased` is appended, the client's data key destroyed, and the
write-side indexes that name the person dropped, all in one transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from libs.events.envelope import Actor, NewEvent, RecordedEvent
from libs.events.errors import StreamNotFound
from libs.events.key_store import PostgresKeyStore
from libs.events.keyring import KeyRing
from libs.events.personal_data import KeyUnavailable
from libs.events.schemas.clients import ClientErased, ErasureBasis
from libs.events.store import PostgresEventStore, StreamAppend
from libs.events.topics import CLIENTS
from services.clients.application.clients import metadata_for
from services.clients.domain.client import decider

# Write-side tables of this service that hold a client's identity or address in plaintext.
_NAMING_TABLES = ("client_identities", "client_locations", "import_rows")


class ErasureApplication:
    """Erases clients; afterwards their personal fields read as `None` everywhere and their key is gone."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, keys: PostgresKeyStore,
                 ring: KeyRing) -> None:
        self._pool = pool
        self._store = store
        self._keys = keys
        self._ring = ring

    async def erase(self, client_id: uuid.UUID, basis: ErasureBasis, actor: Actor) -> RecordedEvent:
        """Erase a client; KeyUnavailable (410) when it was erased already, StreamNotFound for an unknown one."""
        subject = str(client_id)
        now = datetime.now(UTC)
        async with self._pool.acquire() as conn, conn.transaction():
            version = await self._store.stream_version(subject, conn=conn)
            if version == 0:
                raise StreamNotFound(subject)
            if await self._keys.is_erased(subject, conn=conn):
                raise KeyUnavailable(subject)
            state = decider.fold([e.payload for e in await self._store.read_stream(subject, conn=conn)])
            event = ClientErased(
                client_id=client_id, legal_basis=basis, erased_on=now.date(),
                birth_year=state.identity.birth_date.year if state.identity else None,
                teryt=state.address.teryt if state.address else None,
                gmina=state.address.gmina if state.address else None)
            [recorded] = await self._store.append(StreamAppend(
                decider.stream_type, subject, version, [NewEvent(event, now)], metadata_for(actor, client_id),
                topic=CLIENTS), conn=conn)
            await self._keys.destroy(subject, conn=conn)
            for table in _NAMING_TABLES:
                await conn.execute(f"DELETE FROM {table} WHERE client_id = $1", client_id)
        self._ring.forget(subject)
        await self._keys.vacuum()
        return recorded

