"""PostgreSQL tables of imports: batches and their rejected rows, and the last applied row per person."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from libs.events.db import Connection
from libs.events.envelope import Actor
from services.clients.adapters.identity_index import IdentityTaken
from services.clients.importing.report import BatchStatus, Counts, ImportReport, RejectedRow
from services.clients.importing.validation import Rejection

__all__ = ["AppliedRow", "IdentityTaken", "ImportRepository", "Lookup", "PreviousImport", "RowKey", "RowRaced"]


class RowRaced(Exception):
    """Another import wrote the person's import row first (the row is planned again)."""


@dataclass(frozen=True, slots=True)
class PreviousImport:
    """What the last import of this person by this institution from this source applied."""

    client_id: uuid.UUID
    row_hash: str
    sections: dict[str, str]
    benefit_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the database knows of a row's person: their record (if any) and the previous import (if any)."""

    client_id: uuid.UUID | None
    previous: PreviousImport | None


@dataclass(frozen=True, slots=True)
class AppliedRow:
    """What import_rows keeps of an applied row (no personal data but the identity key)."""

    identity_key: str
    previous_hash: str | None
    row_hash: str
    client_id: uuid.UUID
    sections: dict[str, str]
    benefit_ids: tuple[uuid.UUID, ...]
    row_number: int
    external_id: str | None


@dataclass(frozen=True, slots=True)
class RowKey:
    institution_id: str
    source: str
    identity_key: str


class ImportRepository:
    """Queries run on the pool; `claim_identities` and `save_rows` in the caller's transaction (with the events)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def lookup(self, institution_id: str, source: str, keys: Sequence[str]) -> dict[str, Lookup]:
        """For each identity key: its client record and its previous import, in one query for a chunk of rows.

        It reads the identity index's table itself (the same service's database) so that a row costs no query of
        its own before its transaction; a claim made meanwhile still fails in the transaction (IdentityTaken).
        """
        rows = await self._pool.fetch(
            """SELECT k.key, i.client_id AS known, r.client_id, r.row_hash, r.sections::text AS sections,
                      r.benefit_ids
               FROM unnest($3::text[]) AS k(key)
               LEFT JOIN client_identities i ON i.identity_key = k.key
               LEFT JOIN import_rows r ON r.institution_id = $1 AND r.source = $2 AND r.identity_key = k.key""",
            institution_id, source, list(keys))
        return {r["key"]: Lookup(r["known"], None if r["row_hash"] is None else PreviousImport(
            r["client_id"], r["row_hash"], orjson.loads(r["sections"]), tuple(r["benefit_ids"]))) for r in rows}

    @staticmethod
    async def claim_identities(conn: Connection, claims: Sequence[tuple[str, uuid.UUID]]) -> None:
        """PostgresIdentityIndex.claim for a group of new people in one statement (its savepoint would cost three
        round trips a person). ON CONFLICT waits for a concurrent claim of the same key, then yields: IdentityTaken."""
        if not claims:
            return
        keys = [k for k, _ in claims]
        claimed = await conn.fetch(
            """INSERT INTO client_identities (identity_key, client_id) SELECT * FROM unnest($1::text[], $2::uuid[])
               ON CONFLICT DO NOTHING RETURNING identity_key""", keys, [c for _, c in claims])
        if len(claimed) != len(claims):
            taken = set(keys) - {r["identity_key"] for r in claimed}
            raise IdentityTaken(sorted(taken)[0])

    @staticmethod
    async def save_rows(conn: Connection, institution_id: str, source: str, batch_id: uuid.UUID,
                        rows: Sequence[AppliedRow]) -> None:
        """Record applied rows (of different people); RowRaced when a stored row is no longer the one a plan was
        made from (another import of the same person committed in between)."""
        columns = [[r.identity_key for r in rows], [r.row_hash for r in rows], [r.client_id for r in rows],
                   [orjson.dumps(r.sections).decode() for r in rows],
                   [",".join(str(b) for b in r.benefit_ids) for r in rows], [r.row_number for r in rows],
                   [r.external_id for r in rows], [r.previous_hash for r in rows]]
        saved = await conn.fetch(
            """WITH u AS (SELECT * FROM unnest($4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::int[],
                                              $10::text[], $11::text[])
                          AS u(key, hash, client, sections, benefits, number, external, previous)),
               inserted AS (
                   INSERT INTO import_rows (institution_id, source, identity_key, row_hash, client_id, sections,
                                            benefit_ids, batch_id, row_number, external_id)
                   SELECT $1, $2, key, hash, client, sections::jsonb, string_to_array(benefits, ',')::uuid[], $3,
                          number, external FROM u WHERE previous IS NULL
                   ON CONFLICT DO NOTHING RETURNING identity_key),
               updated AS (
                   UPDATE import_rows r SET row_hash = u.hash, client_id = u.client, sections = u.sections::jsonb,
                          benefit_ids = string_to_array(u.benefits, ',')::uuid[], batch_id = $3,
                          row_number = u.number, external_id = u.external, updated_at = now()
                   FROM u WHERE u.previous IS NOT NULL AND r.institution_id = $1 AND r.source = $2
                                AND r.identity_key = u.key AND r.row_hash = u.previous
                   RETURNING r.identity_key)
               SELECT identity_key FROM inserted UNION ALL SELECT identity_key FROM updated""",
            institution_id, source, batch_id, *columns)
        if len(saved) != len(rows):
            raced = {r.identity_key for r in rows} - {r["identity_key"] for r in saved}
            raise RowRaced(sorted(raced)[0])

    async def create_batch(self, batch_id: uuid.UUID, institution_id: str, source: str, fmt: str, actor: Actor,
                           exported_at: datetime | None) -> None:
        await self._pool.execute(
            """INSERT INTO import_batches (batch_id, institution_id, source, format, status, actor, exported_at)
               VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)""",
            batch_id, institution_id, source, fmt, BatchStatus.RUNNING.value, actor.model_dump_json(), exported_at)

    async def progress(self, batch_id: uuid.UUID, counts: Counts, bytes_received: int,
                       rejections: Sequence[Rejection] = ()) -> None:
        """Store the counts so far and the rejections since the last call (one transaction)."""
        async with self._pool.acquire() as conn, conn.transaction():
            if rejections:
                await conn.executemany(
                    """INSERT INTO import_rejections (batch_id, row_number, external_id, errors)
                       VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING""",
                    [(batch_id, r.row_number, r.external_id,
                      orjson.dumps([{"field": e.field, "message": e.message} for e in r.errors]).decode())
                     for r in rejections])
            await conn.execute(
                """UPDATE import_batches SET rows_processed = $2, created = $3, shared = $4, updated = $5,
                       unchanged = $6, rejected = $7, events = $8, bytes_received = $9, peak_rows_in_memory = $10,
                       peak_buffer_chars = $11, updated_at = now()
                   WHERE batch_id = $1""",
                batch_id, counts.rows_processed, counts.created, counts.shared, counts.updated, counts.unchanged,
                counts.rejected, counts.events, bytes_received, counts.peak_rows_in_memory, counts.peak_buffer_chars)

    async def finish(self, batch_id: uuid.UUID, status: BatchStatus, error: str | None = None) -> None:
        await self._pool.execute(
            """UPDATE import_batches SET status = $2, error = $3, finished_at = now(), updated_at = now()
               WHERE batch_id = $1""", batch_id, status.value, error)

    async def interrupt_stale(self, idle_seconds: float) -> int:
        """Mark batches that stopped making progress (their process died) as interrupted."""
        status = await self._pool.execute(
            """UPDATE import_batches SET status = $1, error = 'the service stopped during the import',
                   finished_at = now() WHERE status = $2 AND updated_at < now() - make_interval(secs => $3)""",
            BatchStatus.INTERRUPTED.value, BatchStatus.RUNNING.value, idle_seconds)
        return int(status.rsplit(" ", 1)[-1])

    async def report(self, batch_id: uuid.UUID, offset: int = 0, limit: int = 1000) -> ImportReport | None:
        """The batch's report with a page of its rejected rows (in row order)."""
        batch = await self._pool.fetchrow("SELECT * FROM import_batches WHERE batch_id = $1", batch_id)
        if batch is None:
            return None
        rejected = await self._pool.fetch(
            """SELECT row_number, external_id, errors::text AS errors FROM import_rejections WHERE batch_id = $1
               ORDER BY row_number OFFSET $2 LIMIT $3""", batch_id, offset, limit)
        rows = [_rejected(r) for r in rejected]
        stored = dict(batch)
        fields: dict[str, Any] = {k: stored[k] for k in ImportReport.model_fields if k in stored}
        omitted = max(0, batch["rejected"] - offset - len(rows))
        return ImportReport(**fields, rejected_rows=rows, rejected_rows_omitted=omitted)

    async def institution_of(self, batch_id: uuid.UUID) -> str | None:
        value = await self._pool.fetchval("SELECT institution_id FROM import_batches WHERE batch_id = $1", batch_id)
        return str(value) if value is not None else None


def _rejected(row: asyncpg.Record) -> RejectedRow:
    errors = orjson.loads(row["errors"])
    return RejectedRow(row_number=row["row_number"], external_id=row["external_id"], field=errors[0]["field"],
                       reason="; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
