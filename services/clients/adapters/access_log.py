"""The personal-data access log: every read of a client's record, durably, for the data protection officer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from libs.events.migrations import Migration

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
""")]


@dataclass(frozen=True, slots=True)
class PersonalDataRead:
    """Who read which client's data, which fields (and which were withheld), through which endpoint, and why."""

    client_id: uuid.UUID
    user: str
    institution: str
    role: str
    endpoint: str
    fields: tuple[str, ...]
    purpose: str
    withheld: tuple[str, ...] = ()
    via_client: str | None = None
    read_at: datetime | None = None


class AccessLog:
    """The reads, in the clients service's PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(self, read: PersonalDataRead) -> None:
        await self._pool.execute(
            """INSERT INTO personal_data_reads (client_id, user_id, institution_id, role, via_client, endpoint,
                                                fields, withheld, purpose)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            read.client_id, read.user, read.institution, read.role, read.via_client, read.endpoint,
            list(read.fields), list(read.withheld), read.purpose)

    async def of_client(self, client_id: uuid.UUID, limit: int,
                        before: int | None = None) -> list[tuple[int, PersonalDataRead]]:
        """The client's reads, newest first, with their ids (for paging with `before`)."""
        rows = await self._pool.fetch(
            """SELECT * FROM personal_data_reads WHERE client_id = $1 AND ($2::bigint IS NULL OR read_id < $2)
               ORDER BY read_id DESC LIMIT $3""", client_id, before, limit)
        return [(r["read_id"], PersonalDataRead(
            client_id=r["client_id"], user=r["user_id"], institution=r["institution_id"], role=r["role"],
            endpoint=r["endpoint"], fields=tuple(r["fields"]), purpose=r["purpose"], withheld=tuple(r["withheld"]),
            via_client=r["via_client"], read_at=r["read_at"])) for r in rows]
