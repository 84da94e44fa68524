"""pzw.clients.v1: the paired workers of each client, and the notifications of status changes and hand-overs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import registry
from libs.events.schemas.clients import (
    CaseWorkersAssigned,
    ClientErased,
    SharedClientIdentified,
    SharedClientSharingStopped,
)
from libs.events.topics import CLIENTS
from services.notifications.application.notifier import Notifier
from services.notifications.domain.causes import cause_of

_WORKERS = """
    INSERT INTO notify_client_workers (client_id, pup_institution_id, ops_institution_id, job_broker,
        career_counsellor, social_worker, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (client_id, pup_institution_id, ops_institution_id) DO UPDATE SET job_broker = EXCLUDED.job_broker,
        career_counsellor = EXCLUDED.career_counsellor, social_worker = EXCLUDED.social_worker,
        updated_at = EXCLUDED.updated_at"""
_SHARING = """
    INSERT INTO notify_client_workers (client_id, pup_institution_id, ops_institution_id, sharing_active, updated_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (client_id, pup_institution_id, ops_institution_id) DO UPDATE SET
        sharing_active = EXCLUDED.sharing_active, updated_at = EXCLUDED.updated_at"""

TRACKED = frozenset({"CaseWorkersAssigned", "SharedClientIdentified", "SharedClientSharingStopped", "ClientErased"})
# What this service keeps about a client, dropped when the client is erased (inbox entries name the person).
_ERASE = tuple(f"DELETE FROM {table} WHERE client_id = $1" for table in (
    "notifications", "notify_client_workers", "notify_steps", "notify_ipzs", "notify_plans"))


class ClientEvents(Projection):
    """Client -> workers per PUP-OPS pair; status and hand-over events routed to their recipients."""

    name: ClassVar[str] = "notify_clients"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS,)
    migrations: ClassVar[Sequence[Migration]] = packaged("services.notifications.projections.sql",
                                                         "client_workers_001")

    def __init__(self, notifier: Notifier, clock: Callable[[], datetime]) -> None:
        self._notifier = notifier
        self._clock = clock
        # Only the types it tracks or the routing file names are decoded; the rest is counted and skipped.
        self.handles = TRACKED | notifier.rules.events_of(registry, "clients")  # type: ignore[misc]

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        # Why event by event, tables before routing: a status change is routed to the workers as assigned by the
        # events before it on the client's stream, which this loop has just applied.
        for event in events:
            await self._track(conn, event)
            cause = cause_of(event, self._notifier.rules, self._clock())
            if cause is not None:
                await self._notifier.notify(conn, cause)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE notify_client_workers")

    @staticmethod
    async def _track(conn: Connection, event: RecordedEvent) -> None:
        p, at = event.payload, event.occurred_at
        if isinstance(p, CaseWorkersAssigned):
            w = p.workers
            await conn.execute(_WORKERS, p.client_id, p.pup_institution_id, p.ops_institution_id, w.job_broker,
                               w.career_counsellor, w.social_worker, at)
        elif isinstance(p, SharedClientIdentified | SharedClientSharingStopped):
            active = isinstance(p, SharedClientIdentified)
            await conn.execute(_SHARING, p.client_id, p.pup_institution_id, p.ops_institution_id, active, at)
        elif isinstance(p, ClientErased):
            for statement in _ERASE:
                await conn.execute(statement, p.client_id)
