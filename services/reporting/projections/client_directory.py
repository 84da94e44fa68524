"""Read model of clients and their registrations, per institution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas.clients import ClientAddressChanged, ClientErased, ClientRegistered, PersonIdentity
from libs.events.schemas.common import Address
from libs.events.topics import CLIENTS
from services.reporting.projections.upserts import RowChanges, table

CLIENT = table("rm_client", "client_id uuid",
               "first_name text, last_name text, birth_year integer, gmina text, teryt text, postal_code text, "
               "updated_at timestamptz, erased boolean")
REGISTRATION = table("rm_client_registration", "client_id uuid, institution_id text",
                     "institution_kind text, registered_on date")


class ClientDirectory(Projection):
    """Who is a client, where they live, and at which institutions they are registered."""

    name: ClassVar[str] = "client_directory"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS,)
    handles: ClassVar[frozenset[str]] = frozenset({"ClientRegistered", "ClientAddressChanged", "ClientErased"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql",
                                                         "client_directory_001", "client_directory_002",
                                                         "client_directory_003")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        # Why inserts that keep the first values: the person's identity and address come from the first
        # registration (as in the client record); later registrations at other institutions only add themselves,
        # and an address changes only by ClientAddressChanged, applied after the inserts of the batch.
        # An erased client's events arrive with identity and address None (their key is destroyed); its
        # ClientErased carries the de-identified facts the indicators need, so a replay keeps counting it.
        changes = RowChanges()
        for event in events:
            payload = event.payload
            if isinstance(payload, ClientRegistered):
                person: PersonIdentity | None = payload.identity
                address: Address | None = payload.address
                changes.insert(CLIENT, (payload.client_id,), first_name=person.first_name if person else None,
                               last_name=person.last_name if person else None,
                               birth_year=person.birth_date.year if person else None,
                               gmina=address.gmina if address else None, teryt=address.teryt if address else None,
                               postal_code=address.postal_code if address else None,
                               updated_at=event.occurred_at, erased=False)
                changes.insert(REGISTRATION, (payload.client_id, payload.institution_id),
                               institution_kind=payload.institution_kind.value, registered_on=payload.registered_on)
            elif isinstance(payload, ClientErased):
                changes.update(CLIENT, (payload.client_id,), first_name=None, last_name=None, postal_code=None,
                               birth_year=payload.birth_year, gmina=payload.gmina, teryt=payload.teryt,
                               updated_at=event.occurred_at, erased=True)
            elif isinstance(payload, ClientAddressChanged) and payload.address is not None:
                address = payload.address  # None when erased: the ClientErased facts stand
                changes.update(CLIENT, (payload.client_id,), gmina=address.gmina, teryt=address.teryt,
                            postal_code=address.postal_code, updated_at=event.occurred_at)
        await changes.write(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_client_registration, rm_client")
