"""Repeatable schema migrations: each named script runs once per database, under a lock, in a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import asyncpg

_LOCK_KEY = 0x505A57  # one advisory lock for all migrations of a database: concurrent starts wait, never race


@dataclass(frozen=True, slots=True)
class Migration:
    """A named SQL script; `name` is recorded once applied and the script never runs again."""

    name: str
    sql: str


def packaged(package: str, *names: str) -> list[Migration]:
    """Load migrations stored as `.sql` files inside a Python package, in the given order."""
    root = resources.files(package)
    return [Migration(name, root.joinpath(f"{name}.sql").read_text(encoding="utf-8")) for name in names]


async def migrate(pool: asyncpg.Pool, component: str, migrations: Sequence[Migration]) -> list[str]:
    """Apply the migrations of `component` that this database has not seen; return the names applied."""
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL, name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, name))"""
        )
        done = {r["name"] for r in await conn.fetch(
            "SELECT name FROM schema_migrations WHERE component = $1", component)}
        for migration in migrations:
            if migration.name in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (component, name) VALUES ($1, $2)", component, migration.name)
            applied.append(migration.name)
    return applied
