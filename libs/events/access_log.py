"""The personal-data access log: every read of a client's data, durably, for the data protection officer.

Each service records its reads in its own table `personal_data_reads` (in its own database). A service other than
the clients service also appends each read, in the same transaction, as a `PersonalDataRead` event to its outbox
(topic pzw.access.v1); the clients service gathers them with `AccessLogProjection` into its table, where the data
protection officer reads all of them (`GET /clients/{id}/access-log`, docs/decisions/0012).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, ClassVar

import asyncpg
from fastapi import Depends, Header, Request
from pydantic import BaseModel

from libs.events.auth import Principal, PrincipalDep
from libs.events.auth.special_category import reads_special_categories
from libs.events.db import Connection
from libs.events.envelope import Actor, Metadata, NewEvent, RecordedEvent
from libs.events.http import EventView
from libs.events.ids import new_event_id, new_id
from libs.events.migrations import Migration, migrate
from libs.events.projection import Projection
from libs.events.schemas import access as ev
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend
from libs.events.topics import ACCESS

MIGRATIONS = [Migration("access_log_001", """
CREATE TABLE IF NOT EXISTS personal_data_reads (
    read_id        bigserial PRIMARY KEY,
    read_at        timestamptz NOT NULL DEFAULT now(),
    client_id      uuid NOT NULL,
    user_id        text NOT NULL,
    institution_id text NOT NULL,
    role           text NOT NULL,
    via_client     text,
    endpoint       text NOT NULL,
    fields         text[] NOT NULL,
    withheld       text[] NOT NULL,
    purpose        text NOT NULL
);
CREATE INDEX IF NOT EXISTS personal_data_reads_by_client ON personal_data_reads (client_id, read_id DESC);
"""), Migration("access_log_002", """
ALTER TABLE personal_data_reads ADD COLUMN IF NOT EXISTS service text;
ALTER TABLE personal_data_reads ADD COLUMN IF NOT EXISTS event_id uuid;
CREATE UNIQUE INDEX IF NOT EXISTS personal_data_reads_event ON personal_data_reads (event_id);
""")]
"""The table, the same in every service's database (reads recorded before 0012 have no service: their own)."""

STREAM_TYPE = "personal_data_reads"
"""Stream type of the read events: one stream per recorded batch (one request's reads)."""

Purpose = Annotated[str | None, Header(alias="X-Purpose", max_length=200,
                                       description="why the data is read (recorded in the access log)")]

_INSERT = """
    INSERT INTO personal_data_reads (event_id, service, read_at, client_id, user_id, institution_id, role,
                                     via_client, endpoint, fields, withheld, purpose)
    SELECT r.event_id, r.service, r.read_at, r.client_id, r.user_id, r.institution_id, r.role, r.via_client,
           r.endpoint, string_to_array(r.fields, chr(31)), string_to_array(r.withheld, chr(31)), r.purpose
    FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         AS r(event_id, service, read_at, client_id, user_id, institution_id, role, via_client, endpoint, fields,
              withheld, purpose)
    ON CONFLICT (event_id) DO NOTHING"""
# Arrays of arrays must be rectangular in PostgreSQL: field lists travel joined by the unit separator (chr 31).
_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class PersonalDataRead:
    """Who read which client's data, which fields (and which were withheld), through which service and endpoint,
    and why."""

    client_id: uuid.UUID
    user: str
    institution: str
    role: str
    endpoint: str
    fields: tuple[str, ...]
    purpose: str
    withheld: tuple[str, ...] = ()
    via_client: str | None = None
    service: str = ""
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    event_id: uuid.UUID = field(default_factory=new_event_id)

    def as_event(self) -> ev.PersonalDataRead:
        return ev.PersonalDataRead(
            client_id=self.client_id, service=self.service, user=self.user, institution=self.institution,
            role=self.role, via_client=self.via_client, endpoint=self.endpoint, fields=list(self.fields),
            withheld=list(self.withheld), purpose=self.purpose)

    @classmethod
    def of_event(cls, event: RecordedEvent) -> PersonalDataRead:
        p = event.payload
        assert isinstance(p, ev.PersonalDataRead)
        return cls(client_id=p.client_id, user=p.user, institution=p.institution, role=p.role, endpoint=p.endpoint,
                   fields=tuple(p.fields), purpose=p.purpose, withheld=tuple(p.withheld), via_client=p.via_client,
                   service=p.service, read_at=event.occurred_at, event_id=event.event_id)


async def insert_reads(conn: Connection | asyncpg.Pool, reads: Sequence[PersonalDataRead]) -> None:
    """Store reads in one statement; a read already stored (same event id) is skipped."""
    if not reads:
        return
    await conn.execute(
        _INSERT, [r.event_id for r in reads], [r.service for r in reads], [r.read_at for r in reads],
        [r.client_id for r in reads], [r.user for r in reads], [r.institution for r in reads],
        [r.role for r in reads], [r.via_client for r in reads], [r.endpoint for r in reads],
        [_SEPARATOR.join(r.fields) for r in reads], [_SEPARATOR.join(r.withheld) for r in reads],
        [r.purpose for r in reads])


class AccessLog:
    """A service's reads in its own PostgreSQL; with a `store`, also published as events for the clients service."""

    def __init__(self, pool: asyncpg.Pool, service: str, store: PostgresEventStore | None = None) -> None:
        self._pool = pool
        self.service = service
        self._store = store

    async def migrate(self) -> None:
        await migrate(self._pool, f"{self.service}.access_log", MIGRATIONS)

    async def record(self, reads: Sequence[PersonalDataRead], actor: Actor | None = None) -> None:
        """Store the reads of one request (one statement) and, when publishing, their events (one more) in the
        same transaction."""
        if not reads:
            return
        async with self._pool.acquire() as conn, conn.transaction():
            await insert_reads(conn, reads)
            if self._store is not None:
                first = reads[0]
                who = actor or Actor(user=first.user, institution=first.institution, role=first.role)
                batch = new_id()
                await self._store.append(StreamAppend(
                    STREAM_TYPE, f"{STREAM_TYPE}-{batch}", NO_STREAM,
                    [NewEvent(r.as_event(), r.read_at, r.event_id) for r in reads],
                    Metadata.for_command(who, batch), topic=ACCESS), conn=conn)

    async def of_client(self, client_id: uuid.UUID, limit: int,
                        before: int | None = None) -> list[tuple[int, PersonalDataRead]]:
        """The client's reads, newest first, with their ids (for paging with `before`)."""
        rows = await self._pool.fetch(
            """SELECT * FROM personal_data_reads WHERE client_id = $1 AND ($2::bigint IS NULL OR read_id < $2)
               ORDER BY read_id DESC LIMIT $3""", client_id, before, limit)
        return [(r["read_id"], PersonalDataRead(
            client_id=r["client_id"], user=r["user_id"], institution=r["institution_id"], role=r["role"],
            endpoint=r["endpoint"], fields=tuple(r["fields"]), purpose=r["purpose"], withheld=tuple(r["withheld"]),
            via_client=r["via_client"], service=r["service"] or self.service, read_at=r["read_at"],
            event_id=r["event_id"] or uuid.UUID(int=0))) for r in rows]


class AccessLogProjection(Projection):
    """The clients service's copy of the other services' reads (idempotent by event id)."""

    name: ClassVar[str] = "access_log"
    topics: ClassVar[tuple[str, ...]] = (ACCESS,)
    handles: ClassVar[frozenset[str]] = frozenset({"PersonalDataRead"})

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        await insert_reads(conn, [PersonalDataRead.of_event(e) for e in events])

    async def reset(self, conn: Connection) -> None:
        """Nothing is emptied: the service's own reads are in the same table, and replay skips what is there."""


@dataclass(frozen=True, slots=True)
class Reader:
    """The caller of a read: who, in which role, whether they see special-category data, and why they read."""

    principal: Principal
    role: str
    purpose: str | None
    log: AccessLog
    route: str = ""
    """The route read, e.g. `GET /plans/{plan_id}`."""

    @property
    def sees_special_categories(self) -> bool:
        return reads_special_categories(self.principal)

    async def record(self, client_ids: uuid.UUID | Iterable[uuid.UUID], endpoint: str, fields: Iterable[str],
                     default_purpose: str, withheld: Iterable[str] = ()) -> None:
        """Record that the caller read `fields` of each client (one entry per distinct client, one statement)."""
        ids = [client_ids] if isinstance(client_ids, uuid.UUID) else list(dict.fromkeys(client_ids))
        shown, hidden = tuple(fields), tuple(withheld)
        await self.log.record([PersonalDataRead(
            client_id=c, user=self.principal.user, institution=self.principal.institution, role=self.role,
            endpoint=endpoint, fields=shown, withheld=hidden, purpose=self.purpose or default_purpose,
            via_client=self.principal.client_id, service=self.log.service) for c in ids],
            Actor(user=self.principal.user, institution=self.principal.institution, role=self.role))


def returned_fields(view: BaseModel, exclude: set[str] | None = None) -> list[str]:
    """The parts of a view that carry data (not empty), for the `fields` of a read."""
    return sorted(k for k, v in view.model_dump(exclude=exclude).items() if v)


def event_fields(views: Iterable[EventView]) -> tuple[list[str], list[str]]:
    """The `Event.field` parts a history returned, and those withheld from the reader."""
    listed = list(views)
    return (sorted({f"{v.type}.{k}" for v in listed for k in v.data}),
            sorted({f"{v.type}.{k}" for v in listed for k in v.withheld}))


def reader(request: Request, principal: PrincipalDep, purpose: Purpose = None) -> Reader:
    """The dependency: the verified caller, the role the access rule admitted, and `X-Purpose`."""
    role = getattr(request.state, "acting_role", None) or (principal.roles[0] if principal.roles else "none")
    log: AccessLog = request.app.state.access_log
    route = getattr(request.scope.get("route"), "path", request.url.path)
    return Reader(principal, role, purpose, log, f"{request.method} {route}")


ReaderDep = Annotated[Reader, Depends(reader)]
