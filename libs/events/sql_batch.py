"""Batched SQL for projections: few round trips for many events, without reordering what must stay in order.

By default statements run in the order they were added, consecutive rows of the same statement together (one
`executemany` per run): always correct, and fast when events of one kind come in runs. A projection that knows
which of its statements commute can give each a `stage` instead: stages run in increasing order, and within a
stage each statement runs once with all its rows (in their order). Put a statement in a later stage than the
statements whose rows it needs (an UPDATE of a row after the INSERT that creates it), and in one stage only
statements that commute with each other (different tables, or upserts written to give the same result in any
order). Stages are all or nothing per batch.
"""

from __future__ import annotations

from typing import Any

from libs.events.db import Connection


class SqlBatch:
    """Collects (statement, args) and executes them in as few round trips as their order allows."""

    def __init__(self) -> None:
        self._runs: list[tuple[str, list[tuple[Any, ...]]]] = []
        self._staged: dict[tuple[int, str], list[tuple[Any, ...]]] = {}

    def add(self, statement: str, *args: Any, stage: int | None = None) -> None:
        if stage is None:
            if self._staged:
                raise ValueError("a batch is either in order or in stages, not both")
            if self._runs and self._runs[-1][0] == statement:
                self._runs[-1][1].append(args)
            else:
                self._runs.append((statement, [args]))
            return
        if self._runs:
            raise ValueError("a batch is either in order or in stages, not both")
        self._staged.setdefault((stage, statement), []).append(args)

    async def execute(self, conn: Connection) -> None:
        runs = self._runs or [(statement, rows) for (_, statement), rows in
                              sorted(self._staged.items(), key=lambda item: item[0][0])]
        for statement, rows in runs:
            if len(rows) == 1:
                await conn.execute(statement, *rows[0])
            else:
                await conn.executemany(statement, rows)
        self._runs = []
        self._staged = {}
