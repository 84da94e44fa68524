"""The clients service's write-side indexes: client locations, regions and agreements in force."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import asyncpg

from libs.events.db import Connection
from libs.events.schemas.common import Address
from services.clients.domain.policies import AgreementTerms, RegionTerms


class WriteIndexes:
    """Queries and updates of the index tables; updates run inside the caller's transaction."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def regions_for(self, institutions: Iterable[str], conn: Connection | None = None) -> tuple[RegionTerms, ...]:
        """Regions of every pair in which one of `institutions` takes part."""
        names = list(institutions)
        rows = await (conn or self._pool).fetch(
            "SELECT terms::text FROM regions WHERE pup_institution_id = ANY($1) OR ops_institution_id = ANY($1)",
            names)
        return tuple(RegionTerms.model_validate_json(r["terms"]) for r in rows)

    async def agreements_for(self, institutions: Iterable[str],
                             conn: Connection | None = None) -> tuple[AgreementTerms, ...]:
        names = list(institutions)
        rows = await (conn or self._pool).fetch(
            "SELECT terms::text FROM agreements WHERE pup_institution_id = ANY($1) AND ops_institution_id = ANY($1)",
            names)
        return tuple(AgreementTerms.model_validate_json(r["terms"]) for r in rows)

    async def agreements_for_id(self, agreement_id: uuid.UUID) -> tuple[AgreementTerms, ...]:
        rows = await self._pool.fetch("SELECT terms::text FROM agreements WHERE agreement_id = $1", agreement_id)
        return tuple(AgreementTerms.model_validate_json(r["terms"]) for r in rows)

    async def all_agreements(self) -> tuple[AgreementTerms, ...]:
        rows = await self._pool.fetch("SELECT terms::text FROM agreements ORDER BY agreement_id")
        return tuple(AgreementTerms.model_validate_json(r["terms"]) for r in rows)

    async def clients_at_any(self, institutions: Iterable[str]) -> list[uuid.UUID]:
        """Clients registered at any of the institutions."""
        rows = await self._pool.fetch(
            "SELECT client_id FROM client_locations WHERE institutions && $1::text[] ORDER BY client_id",
            list(institutions))
        return [r["client_id"] for r in rows]

    async def clients_at_all(self, institutions: Iterable[str]) -> list[uuid.UUID]:
        """Clients registered at every one of the institutions."""
        rows = await self._pool.fetch(
            "SELECT client_id FROM client_locations WHERE institutions @> $1::text[] ORDER BY client_id",
            list(institutions))
        return [r["client_id"] for r in rows]

    @staticmethod
    async def locate(conn: Connection, client_id: uuid.UUID, address: Address, institutions: Iterable[str]) -> None:
        await conn.execute(
            """INSERT INTO client_locations (client_id, address, institutions) VALUES ($1, $2::jsonb, $3)
               ON CONFLICT (client_id)
               DO UPDATE SET address = EXCLUDED.address, institutions = EXCLUDED.institutions""",
            client_id, address.model_dump_json(), sorted(institutions))

    @staticmethod
    async def put_region(conn: Connection, name: str, terms: RegionTerms | None, region_id: uuid.UUID) -> None:
        if terms is None:
            await conn.execute("DELETE FROM regions WHERE region_id = $1", region_id)
            return
        await conn.execute(
            """INSERT INTO regions (region_id, name, pup_institution_id, ops_institution_id, terms)
               VALUES ($1, $2, $3, $4, $5::jsonb)
               ON CONFLICT (region_id) DO UPDATE SET name = EXCLUDED.name, terms = EXCLUDED.terms""",
            region_id, name, terms.pup_institution_id, terms.ops_institution_id, terms.model_dump_json())

    @staticmethod
    async def put_agreement(conn: Connection, terms: AgreementTerms) -> None:
        await conn.execute(
            """INSERT INTO agreements (agreement_id, pup_institution_id, ops_institution_id, terms)
               VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (agreement_id) DO UPDATE SET terms = EXCLUDED.terms""",
            terms.agreement_id, terms.pup_institution_id, terms.ops_institution_id, terms.model_dump_json())

    async def regions_list(self, institution_id: str | None) -> list[tuple[str, RegionTerms]]:
        rows = await self._pool.fetch(
            """SELECT name, terms::text FROM regions
               WHERE $1::text IS NULL OR pup_institution_id = $1 OR ops_institution_id = $1 ORDER BY name""",
            institution_id)
        return [(r["name"], RegionTerms.model_validate_json(r["terms"])) for r in rows]

    async def regions_of_worker(self, institution_id: str, worker: str) -> list[uuid.UUID]:
        rows = await self._pool.fetch(
            """SELECT region_id FROM regions WHERE (pup_institution_id = $1 OR ops_institution_id = $1)
               AND (terms->'workers') @> ANY(ARRAY[jsonb_build_object('job_broker', $2::text),
                    jsonb_build_object('career_counsellor', $2::text), jsonb_build_object('social_worker', $2::text)])
               ORDER BY region_id""", institution_id, worker)
        return [r["region_id"] for r in rows]


