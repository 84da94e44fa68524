"""Read models run as one projection: one consumer, one decode and one transaction per batch for all of them.

Why: every projection consumes its topics on its own, so two read models of pzw.plans.v1 fetch, parse and track
every message of that topic twice. Replaying a million events, that doubled reading cost about a third of the
rebuild time (bench/replay.py); grouped, each message is read once. Grouping also makes the parts consistent with
each other (one transaction), which lets a part copy facts across the others' tables (projections/scope_facts.py).
Each read model stays a Projection of its own (its tables, `apply`, `reset`, tests); the group hands each part the
events it handles, in their order, parts in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.projection import Projection


class ProjectionGroup(Projection):
    """Several projections applied in one transaction, each to the events it handles."""

    def __init__(self, name: str, parts: Sequence[Projection]) -> None:
        # Instance attributes shadow the ClassVars: a group is configured, not subclassed.
        self.name = name  # type: ignore[misc]
        self.parts = tuple(parts)
        self.topics = tuple(dict.fromkeys(t for p in parts for t in p.topics))  # type: ignore[misc]
        self.handles = frozenset().union(*(p.handles for p in parts))  # type: ignore[misc]
        self.migrations = [m for p in parts for m in p.migrations]  # type: ignore[misc]

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        for part in self.parts:
            mine = [e for e in events if e.event_type in part.handles]
            if mine:
                await part.apply(conn, mine)

    async def reset(self, conn: Connection) -> None:
        for part in self.parts:
            await part.reset(conn)
