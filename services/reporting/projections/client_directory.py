"""Read model of clients and their registrations, per institution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas.clients import ClientAddressChanged, ClientRegistered
from libs.events.sql_batch import SqlBatch
from libs.events.topics import CLIENTS

_UPSERT_CLIENT = """
    INSERT INTO rm_client (client_id, first_name, last_name, birth_year, gmina, teryt, postal_code, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (client_id) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
        updated_at = EXCLUDED.updated_at"""
_ADD_REGISTRATION = """
    INSERT INTO rm_client_registration (client_id, institution_id, institution_kind, registered_on)
    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"""
_MOVE = "UPDATE rm_client SET gmina = $2, teryt = $3, postal_code = $4, updated_at = $5 WHERE client_id = $1"


class ClientDirectory(Projection):
    """Who is a client, where they live, and at which institutions they are registered."""

    name: ClassVar[str] = "client_directory"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS,)
    handles: ClassVar[frozenset[str]] = frozenset({"ClientRegistered", "ClientAddressChanged"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql",
                                                         "client_directory_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        batch = SqlBatch()
        for event in events:
            payload = event.payload
            if isinstance(payload, ClientRegistered):
                person, address = payload.identity, payload.address
                batch.add(_UPSERT_CLIENT, payload.client_id, person.first_name, person.last_name,
                          person.birth_date.year, address.gmina, address.teryt, address.postal_code,
                          event.occurred_at)
                batch.add(_ADD_REGISTRATION, payload.client_id, payload.institution_id,
                          payload.institution_kind.value, payload.registered_on)
            elif isinstance(payload, ClientAddressChanged):
                batch.add(_MOVE, payload.client_id, payload.address.gmina, payload.address.teryt,
                          payload.address.postal_code, event.occurred_at)
        await batch.execute(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_client_registration, rm_client")
