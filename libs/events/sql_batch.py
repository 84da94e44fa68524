"""Batched SQL for projections: one executemany per distinct statement instead of a round trip per event."""

from __future__ import annotations

from typing import Any

from libs.events.db import Connection


class SqlBatch:
    """Collects (statement, args) and runs each distinct statement once with all its rows.

    Statements run in the order each was first added, and rows of one statement keep their order. Rows of
    different statements are therefore reordered relative to each other: use this only when the statements of a
    projection commute for one key, or when the first-added statement is the one the others depend on (insert the
    client before its registrations). Projections whose statements do not commute apply event by event.
    """

    def __init__(self) -> None:
        self._rows: dict[str, list[tuple[Any, ...]]] = {}

    def add(self, statement: str, *args: Any) -> None:
        self._rows.setdefault(statement, []).append(args)

    async def execute(self, conn: Connection) -> None:
        for statement, rows in self._rows.items():
            if len(rows) == 1:
                await conn.execute(statement, *rows[0])
            else:
                await conn.executemany(statement, rows)
        self._rows.clear()
