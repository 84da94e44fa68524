"""SqlBatch on a real PostgreSQL: in order by default, in stages when a projection declares them."""

from __future__ import annotations

import asyncpg
import pytest

from libs.events.sql_batch import SqlBatch

pytestmark = pytest.mark.infra

INSERT = "INSERT INTO t (id, v) VALUES ($1, $2)"
UPDATE = "UPDATE t SET v = $2 WHERE id = $1"


async def rows(pool: asyncpg.Pool) -> dict[int, str]:
    return {r["id"]: r["v"] for r in await pool.fetch("SELECT id, v FROM t")}


async def test_statements_keep_their_order_by_default(pool: asyncpg.Pool) -> None:
    await pool.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    batch = SqlBatch()
    # A's update comes first, then B is created and updated: grouping by statement would update B before it exists.
    batch.add(INSERT, 1, "a0")
    batch.add(UPDATE, 1, "a1")
    batch.add(INSERT, 2, "b0")
    batch.add(UPDATE, 2, "b1")
    batch.add(UPDATE, 2, "b2")
    async with pool.acquire() as conn:
        await batch.execute(conn)
    assert await rows(pool) == {1: "a1", 2: "b2"}


async def test_stages_run_in_order_and_group_each_statement(pool: asyncpg.Pool) -> None:
    await pool.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    batch = SqlBatch()
    batch.add(UPDATE, 1, "a1", stage=1)  # added first, but its stage runs after the inserts
    batch.add(INSERT, 1, "a0", stage=0)
    batch.add(INSERT, 2, "b0", stage=0)
    batch.add(UPDATE, 2, "b1", stage=1)
    batch.add(UPDATE, 2, "b2", stage=1)
    async with pool.acquire() as conn:
        await batch.execute(conn)
    assert await rows(pool) == {1: "a1", 2: "b2"}
    mixed = SqlBatch()
    mixed.add(INSERT, 3, "c")
    with pytest.raises(ValueError, match="not both"):
        mixed.add(UPDATE, 3, "d", stage=1)
