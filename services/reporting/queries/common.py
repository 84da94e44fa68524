"""What the institution views share: their filters, paging, and fetching one page with its total."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from services.reporting.sql import Query, where

FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True, slots=True)
class Filters:
    """Who and where a view is about: an institution, optionally one worker, a region or a place, a period."""

    institution_id: str
    worker: str | None = None
    region_id: uuid.UUID | None = None
    teryt: str | None = None
    gmina: str | None = None
    start: date | None = None
    end: date | None = None

    def place(self, q: Query, alias: str) -> list[str]:
        """Conditions on where the client of `alias` lives or which region serves them."""
        return [*q.place(alias, self.teryt, self.gmina), *q.region(alias, self.region_id)]


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Rows:
    """One page of rows and how many rows match in all (None when asked past the end)."""

    items: list[dict[str, Any]]
    total: int | None


async def page(pool: asyncpg.Pool, q: Query, select: str, conditions: list[str], order: str, paging: Paging
               ) -> Rows:
    """Run `select ... WHERE conditions ORDER BY order` for one page; the total comes with the rows (one query)."""
    sql = (f"{select} WHERE {where(conditions)} ORDER BY {order} "
           f"LIMIT {q.arg(paging.limit)} OFFSET {q.arg(paging.offset)}")
    # The total rides along as a window column of the page's own rows; `select` starts with its outer SELECT (the
    # views' selects have no CTE), so the first SELECT is the one to extend.
    sql = sql.replace("SELECT ", "SELECT count(*) OVER () AS total_rows, ", 1)
    rows = await pool.fetch(sql, *q.args)
    total = rows[0]["total_rows"] if rows else (0 if paging.offset == 0 else None)
    return Rows([_plain(r) for r in rows], total)


def _plain(row: asyncpg.Record) -> dict[str, Any]:
    """A row as a dict, JSON columns decoded."""
    out = {k: v for k, v in row.items() if k != "total_rows"}
    for key, value in out.items():
        if isinstance(value, str) and key.endswith("_json"):
            out[key] = json.loads(value)
    return {k.removesuffix("_json"): v for k, v in out.items()}
