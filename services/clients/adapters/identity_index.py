"""PostgreSQL index from a person's identity (PESEL or document) to their client record."""

from __future__ import annotations

import uuid

import asyncpg

from libs.events.db import Connection
from libs.events.migrations import Migration, packaged

MIGRATIONS: list[Migration] = packaged("services.clients.adapters.sql", "clients_001", "clients_002", "clients_003")


class IdentityTaken(Exception):
    """Another registration claimed this identity first."""


class PostgresIdentityIndex:
    """Finds the client record of a person; claims are unique, so two racing registrations cannot both win."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def find(self, identity_key: str) -> uuid.UUID | None:
        value = await self._pool.fetchval(
            "SELECT client_id FROM client_identities WHERE identity_key = $1", identity_key)
        return value if isinstance(value, uuid.UUID) else None

    async def claim(self, conn: Connection, identity_key: str, client_id: uuid.UUID) -> None:
        """Record the identity for a new client inside the caller's transaction (with the ClientRegistered)."""
        try:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO client_identities (identity_key, client_id) VALUES ($1, $2)", identity_key, client_id)
        except asyncpg.UniqueViolationError:
            raise IdentityTaken(identity_key) from None
