"""PostgreSQL index from a client to their joint plan: at most one open plan per client."""

from __future__ import annotations

import uuid

import asyncpg

from libs.events.db import Connection
from libs.events.migrations import Migration, packaged

MIGRATIONS: list[Migration] = packaged("services.plans.adapters.sql", "plans_001")


class PlanAlreadyOpen(Exception):
    """Another plan of this client is open (it won the claim)."""

    def __init__(self, client_id: uuid.UUID, plan_id: uuid.UUID) -> None:
        super().__init__(f"client {client_id} already has the open joint plan {plan_id}")
        self.client_id = client_id
        self.plan_id = plan_id


class PostgresPlanIndex:
    """Which plan belongs to which client; claims are unique per client while the plan is open."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def open_plan_of(self, client_id: uuid.UUID, conn: Connection | None = None) -> uuid.UUID | None:
        """The client's open plan, if any."""
        value = await (conn or self._pool).fetchval(
            "SELECT plan_id FROM plan_by_client WHERE client_id = $1 AND closed_at IS NULL", client_id)
        return value if isinstance(value, uuid.UUID) else None

    async def current_plan_of(self, client_id: uuid.UUID) -> uuid.UUID | None:
        """The client's open plan, else the plan opened most recently."""
        value = await self._pool.fetchval(
            """SELECT plan_id FROM plan_by_client WHERE client_id = $1
               ORDER BY closed_at IS NULL DESC, opened_at DESC LIMIT 1""", client_id)
        return value if isinstance(value, uuid.UUID) else None

    async def client_of(self, plan_id: uuid.UUID) -> uuid.UUID | None:
        """The client a plan belongs to (None: no such plan)."""
        value = await self._pool.fetchval("SELECT client_id FROM plan_by_client WHERE plan_id = $1", plan_id)
        return value if isinstance(value, uuid.UUID) else None

    async def claim(self, conn: Connection, client_id: uuid.UUID, plan_id: uuid.UUID) -> None:
        """Record a new open plan inside the caller's transaction (with its PlanOpened); PlanAlreadyOpen if taken."""
        try:
            async with conn.transaction():  # a savepoint: the caller's transaction survives a lost claim
                await conn.execute(
                    "INSERT INTO plan_by_client (plan_id, client_id) VALUES ($1, $2)", plan_id, client_id)
        except asyncpg.UniqueViolationError:
            # The unique index made this insert wait for the winner's commit, so its row is visible now.
            winner = await self.open_plan_of(client_id, conn)
            if winner is None:
                raise
            raise PlanAlreadyOpen(client_id, winner) from None

    async def release(self, conn: Connection, plan_id: uuid.UUID) -> None:
        """Mark the plan closed inside the caller's transaction (with its PlanClosed): the client may get a new one."""
        await conn.execute("UPDATE plan_by_client SET closed_at = now() WHERE plan_id = $1", plan_id)
