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
    async def detected(conn: Connection, e: BenefitConflictDetected) -> None:
        await conn.execute(
            """INSERT INTO conflicts (conflict_id, client_id, rule_id, rule_version, severity, status, institutions,
                                      detected_at, detected)
               VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8::jsonb) ON CONFLICT (conflict_id) DO NOTHING""",
            e.conflict_id, e.client_id, e.rule_id, e.rule_version, e.severity.value, list(e.institutions),
            e.detected_at, e.model_dump_json())

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
