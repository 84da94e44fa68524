"""Read model of clients and their registrations, per institution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas.clients import ClientAddressChanged, ClientRegistered
from libs.events.topics import CLIENTS
from services.reporting.projections.upserts import RowChanges, table

CLIENT = table("rm_client", "client_id uuid",
               "first_name text, last_name text, birth_year integer, gmina text, teryt text, postal_code text, "
               "updated_at timestamptz")
REGISTRATION = table("rm_client_registration", "client_id uuid, institution_id text",
                     "institution_kind text, registered_on date")


class ClientDirectory(Projection):
    """Who is a client, where they live, and at which institutions they are registered."""

    name: ClassVar[str] = "client_directory"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS,)
    handles: ClassVar[frozenset[str]] = frozenset({"ClientRegistered", "ClientAddressChanged"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql",
                                                         "client_directory_001", "client_directory_002")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        # Why inserts that keep the first values: the person's identity and address come from the first
        # registration (as in the client record); later registrations at other institutions only add themselves,
        # and an address changes only by ClientAddressChanged, applied after the inserts of the batch.
        changes = RowChanges()
        for event in events:
            payload = event.payload
            if isinstance(payload, ClientRegistered):
                person, address = payload.identity, payload.address
                changes.insert(CLIENT, (payload.client_id,), first_name=person.first_name,
                               last_name=person.last_name, birth_year=person.birth_date.year, gmina=address.gmina,
                               teryt=address.teryt, postal_code=address.postal_code, updated_at=event.occurred_at)
                changes.insert(REGISTRATION, (payload.client_id, payload.institution_id),
                               institution_kind=payload.institution_kind.value, registered_on=payload.registered_on)
            elif isinstance(payload, ClientAddressChanged):
                address = payload.address
                changes.update(CLIENT, (payload.client_id,), gmina=address.gmina, teryt=address.teryt,
                            postal_code=address.postal_code, updated_at=event.occurred_at)
        await changes.write(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_client_registration, rm_client")
