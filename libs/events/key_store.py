"""The owner's side of the data keys: wrapped by the master key (AES key wrap, RFC 3394) and kept in PostgreSQL.

Erasing a client destroys its wrapped key (the row stays as a tombstone, so no key is ever made for it again)
and vacuums the table, so the old row version does not linger in the heap.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Collection
from dataclasses import dataclass

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

from libs.events.db import Connection
from libs.events.migrations import Migration, migrate, packaged

MIGRATIONS: list[Migration] = packaged("libs.events.sql", "client_keys_001")

DEVELOPMENT_MASTER_KEY = base64.b64encode(b"pzw-development-master-key-32b!!").decode()


class MasterKeyError(RuntimeError):
    """The master key is missing or malformed."""


@dataclass(frozen=True, slots=True)
class MasterKey:
    """The key-encryption key (32 bytes); its id (a hash prefix) is stored with each wrapped key for rotation."""

    secret: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:16]

    @classmethod
    def from_config(cls, configured: str | None, environment: str) -> MasterKey:
        """The master key from `PZW_MASTER_KEY` (base64 of 32 bytes); a fixed one only in development."""
        if not configured:
            if environment == "development":
                configured = DEVELOPMENT_MASTER_KEY
            else:
                raise MasterKeyError(
                    "PZW_MASTER_KEY is not set: give the base64 of 32 random bytes (for example from a Kubernetes "
                    "secret); only PZW_ENV=development falls back to a built-in development key")
        try:
            secret = base64.b64decode(configured, validate=True)
        except binascii.Error as exc:
            raise MasterKeyError(f"PZW_MASTER_KEY is not base64: {exc}") from exc
        if len(secret) != 32:
            raise MasterKeyError(f"PZW_MASTER_KEY must decode to 32 bytes, not {len(secret)}")
        return cls(secret)

    def wrap(self, key: bytes) -> bytes:
        return aes_key_wrap(self.secret, key)

    def unwrap(self, wrapped: bytes) -> bytes:
        return aes_key_unwrap(self.secret, wrapped)


class PostgresKeyStore:
    """Data keys of clients in the owner's database (table `client_keys`); implements KeySource."""

    def __init__(self, pool: asyncpg.Pool, master: MasterKey) -> None:
        self._pool = pool
        self._master = master

    async def migrate(self) -> None:
        await migrate(self._pool, "client_keys", MIGRATIONS)

    async def close(self) -> None:
        await self._pool.close()

    async def fetch(self, subjects: Collection[str], *, create: bool) -> dict[str, bytes | None]:
        wanted = sorted(set(subjects))
        if not create:
            rows = await self._pool.fetch(
                "SELECT client_id, wrapped_key FROM client_keys WHERE client_id = ANY($1::text[])", wanted)
        else:
            # One round trip: new keys are inserted, and the keys that existed (or another writer inserted first:
            # the conflict) are read; the statement does not see its own inserts, so none is read twice.
            rows = await self._pool.fetch(
                """WITH made AS (
                       INSERT INTO client_keys (client_id, wrapped_key, master_key_id)
                       SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[]) ON CONFLICT (client_id) DO NOTHING
                       RETURNING client_id, wrapped_key)
                   SELECT client_id, wrapped_key FROM made
                   UNION ALL
                   SELECT client_id, wrapped_key FROM client_keys WHERE client_id = ANY($1::text[])""",
                wanted, [self._master.wrap(AESGCM.generate_key(256)) for _ in wanted],
                [self._master.key_id] * len(wanted))
            if len({r["client_id"] for r in rows}) < len(wanted):  # a racing insert not yet visible: read again
                rows = await self._pool.fetch(
                    "SELECT client_id, wrapped_key FROM client_keys WHERE client_id = ANY($1::text[])", wanted)
        return {r["client_id"]: self._master.unwrap(r["wrapped_key"]) if r["wrapped_key"] is not None else None
                for r in rows}

    async def destroy(self, subject: str, *, conn: Connection | None = None) -> None:
        """Destroy a client's key for good (crypto-shredding); later reads of its personal fields give `None`."""
        await (conn or self._pool).execute(
            """INSERT INTO client_keys (client_id, wrapped_key, master_key_id, erased_at)
               VALUES ($1, NULL, NULL, now())
               ON CONFLICT (client_id) DO UPDATE SET wrapped_key = NULL, master_key_id = NULL, erased_at = now()""",
            subject)

    async def is_erased(self, subject: str, *, conn: Connection | None = None) -> bool:
        return bool(await (conn or self._pool).fetchval(
            "SELECT erased_at IS NOT NULL FROM client_keys WHERE client_id = $1", subject))

    async def vacuum(self) -> None:
        """Remove dead row versions that still hold destroyed wrapped keys (outside any transaction)."""
        await self._pool.execute("VACUUM client_keys")

    async def rewrap(self, old: MasterKey) -> int:
        """Re-wrap every key wrapped by `old` with the current master key (rotation); returns how many."""
        rows = await self._pool.fetch(
            "SELECT client_id, wrapped_key FROM client_keys WHERE master_key_id = $1 AND wrapped_key IS NOT NULL",
            old.key_id)
        for row in rows:
            await self._pool.execute(
                "UPDATE client_keys SET wrapped_key = $2, master_key_id = $3 WHERE client_id = $1 AND "
                "master_key_id = $4", row["client_id"], self._master.wrap(old.unwrap(row["wrapped_key"])),
                self._master.key_id, old.key_id)
        return len(rows)
