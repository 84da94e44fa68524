"""Users' preferences in PostgreSQL (plain state: an e-mail address does not belong on a Kafka topic forever)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import orjson

from libs.events.db import Connection
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.preferences import DEFAULT, Preferences
from services.notifications.domain.rules import DirectChannel


class PreferencesTable:
    """Read and replace one user's preferences."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool_of = pool  # a provider: the table is wired before the service's pool exists

    @property
    def _pool(self) -> asyncpg.Pool:
        return self._pool_of()

    async def of(self, user: str, conn: Connection | None = None) -> Preferences:
        """The user's preferences, or the defaults when they never set any."""
        row = await (conn or self._pool).fetchrow(
            "SELECT email, digest, channels::text AS channels FROM preferences WHERE user_id = $1", user)
        if row is None:
            return DEFAULT
        channels = {NotificationKind(k): tuple(DirectChannel(c) for c in v)
                    for k, v in orjson.loads(row["channels"]).items() if k in NotificationKind.__members__.values()}
        return Preferences(email=row["email"], digest=row["digest"], channels=channels)

    async def updated_at(self, user: str) -> datetime | None:
        value = await self._pool.fetchval("SELECT updated_at FROM preferences WHERE user_id = $1", user)
        return value if isinstance(value, datetime) else None

    async def replace(self, user: str, institution_id: str, preferences: Preferences, at: datetime) -> None:
        channels = {k.value: [c.value for c in v] for k, v in preferences.channels.items()}
        await self._pool.execute(
            """INSERT INTO preferences (user_id, institution_id, email, digest, channels, updated_at)
               VALUES ($1, $2, $3, $4, $5::jsonb, $6)
               ON CONFLICT (user_id) DO UPDATE SET institution_id = EXCLUDED.institution_id,
                   email = EXCLUDED.email, digest = EXCLUDED.digest, channels = EXCLUDED.channels,
                   updated_at = EXCLUDED.updated_at""",
            user, institution_id, preferences.email, preferences.digest, orjson.dumps(channels).decode(), at)
