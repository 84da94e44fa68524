"""The conflicts inbox table of the matching service (updated with the conflict's events)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from libs.events.db import Connection
from libs.events.migrations import Migration, packaged
from libs.events.schemas.conflicts import BenefitConflictDetected, BenefitConflictResolved

MIGRATIONS: list[Migration] = packaged("services.matching.adapters.sql", "matching_001", "matching_002")


class ConflictsTable:
    """Writes follow the events inside the caller's transaction; reads serve the inbox."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @staticmethod
    async def claim(conn: Connection, detections: list[BenefitConflictDetected]) -> list[uuid.UUID]:
        """Insert the conflicts not known yet, in one statement; return the ids that were new."""
        if not detections:
            return []
        rows = await conn.fetch(
            """INSERT INTO conflicts (conflict_id, client_id, rule_id, rule_version, severity, status, institutions,
                                      detected_at, detected)
               SELECT u.id, u.client, u.rule, u.version, u.severity, 'open',
                      ARRAY(SELECT jsonb_array_elements_text(u.detected::jsonb -> 'institutions')),
                      u.at, u.detected::jsonb
               FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::timestamptz[], $7::text[])
                    AS u(id, client, rule, version, severity, at, detected)
               ON CONFLICT (conflict_id) DO NOTHING RETURNING conflict_id""",
            [e.conflict_id for e in detections], [e.client_id for e in detections], [e.rule_id for e in detections],
            [e.rule_version for e in detections], [e.severity.value for e in detections],
            [e.detected_at for e in detections], [e.model_dump_json() for e in detections])
        return [r["conflict_id"] for r in rows]

    @staticmethod
    async def resolved(conn: Connection, e: BenefitConflictResolved) -> None:
        await conn.execute(
            "UPDATE conflicts SET status = $2, resolved_at = $3, resolution = $4::jsonb WHERE conflict_id = $1",
            e.conflict_id, e.resolution.value, datetime.now(UTC), e.model_dump_json())

    async def list(self, *, client_id: uuid.UUID | None, institution_id: str | None, status: str | None,
                   limit: int) -> list[dict[str, Any]]:
        rows = await self._pool.fetch(
            """SELECT detected::text, resolution::text, status FROM conflicts
               WHERE ($1::uuid IS NULL OR client_id = $1) AND ($2::text IS NULL OR $2 = ANY(institutions))
                 AND ($3::text IS NULL OR status = $3)
               ORDER BY detected_at DESC, conflict_id LIMIT $4""", client_id, institution_id, status, limit)
        return [{**orjson.loads(r["detected"]), "status": r["status"],
                 "resolution": orjson.loads(r["resolution"]) if r["resolution"] else None} for r in rows]

    async def ids(self) -> set[uuid.UUID]:
        """Every conflict raised so far."""
        return {r["conflict_id"] for r in await self._pool.fetch("SELECT conflict_id FROM conflicts")}

    async def counts(self) -> dict[str, int]:
        rows = await self._pool.fetch("SELECT status, count(*) AS n FROM conflicts GROUP BY status")
        return {r["status"]: r["n"] for r in rows}
