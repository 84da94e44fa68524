"""The client's workers as routing needs them, read from the projections' tables."""

from __future__ import annotations

import uuid

from libs.events.db import Connection
from services.notifications.domain.routing import Party, RoutingContext, WorkerPair


async def routing_context(conn: Connection, client_id: uuid.UUID | None) -> RoutingContext:
    """The client's paired workers (CaseWorkersAssigned), else the parties of their open joint plan.

    Why the fallback: pzw.clients.v1 and pzw.plans.v1 are consumed independently, so a plan event may be routed
    before the client's CaseWorkersAssigned has been applied; the plan's own PUP and OPS parties (PlanOpened, on
    the same stream as the plan event, hence always applied first) name the same pair. A pair whose sharing
    stopped has rows here, so it does not fall back: its partners are no longer told anything about the client.
    """
    if client_id is None:
        return RoutingContext()
    rows = await conn.fetch(
        """SELECT pup_institution_id, ops_institution_id, job_broker, social_worker, sharing_active
           FROM notify_client_workers WHERE client_id = $1 ORDER BY pup_institution_id, ops_institution_id""",
        client_id)
    if rows:
        pairs = tuple(WorkerPair(r["pup_institution_id"], r["ops_institution_id"], r["job_broker"],
                                 r["social_worker"]) for r in rows if r["sharing_active"])
    else:
        plans = await conn.fetch(
            """SELECT DISTINCT pup_institution_id, ops_institution_id, pup_worker, ops_worker FROM notify_plans
               WHERE client_id = $1 AND NOT closed""", client_id)
        pairs = tuple(WorkerPair(p["pup_institution_id"], p["ops_institution_id"], p["pup_worker"],
                                 p["ops_worker"]) for p in plans)
    cis = await conn.fetch(
        """SELECT DISTINCT cis_institution, cis_worker FROM notify_ipzs WHERE client_id = $1 AND NOT ended
           ORDER BY cis_institution, cis_worker""", client_id)
    return RoutingContext(pairs, tuple(Party(c["cis_worker"], c["cis_institution"]) for c in cis))
