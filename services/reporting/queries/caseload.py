"""Caseload per worker of an institution: clients, shared clients, open plans, open and overdue steps."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from libs.events.schemas.common import InstitutionKind, institution_kind
from services.reporting.queries.common import Filters
from services.reporting.sql import Query, where

_OPEN = "('added', 'scheduled')"


async def caseload(pool: asyncpg.Pool, f: Filters, today: date) -> list[dict[str, Any]]:
    """One row per worker: the clients assigned to them and the open and overdue steps they own."""
    q = Query()
    institution = q.arg(f.institution_id)
    kind = institution_kind(f.institution_id)
    if kind is InstitutionKind.CIS:
        clients = f"""
            SELECT i.worker, count(*) AS clients, 0::bigint AS shared, count(*) AS open_plans
              FROM rm_ipzs i
             WHERE i.cis_institution_id = {institution} AND i.ended_on IS NULL AND {where(f.place(q, "i"))}
             GROUP BY i.worker"""
    else:
        side, worker = ("pup", "job_broker") if kind is InstitutionKind.PUP else ("ops", "social_worker")
        clients = f"""
            SELECT r.{worker} AS worker, count(*) AS clients,
                   count(*) FILTER (WHERE r.sharing_active) AS shared,
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM rm_plan p WHERE p.client_id = r.client_id AND p.closed_on IS NULL
                          AND p.pup_institution_id = r.pup_institution_id
                          AND p.ops_institution_id = r.ops_institution_id)) AS open_plans
              FROM rm_pair r
             WHERE r.{side}_institution_id = {institution} AND r.{worker} IS NOT NULL
               AND EXISTS (SELECT 1 FROM rm_client_registration g
                            WHERE g.client_id = r.client_id AND g.institution_id = {institution})
               AND {where(f.place(q, "r"))}
             GROUP BY r.{worker}"""
    steps = f"""
        SELECT s.worker, count(*) AS open_steps, count(*) FILTER (WHERE s.due_on < {q.arg(today)}) AS overdue_steps
          FROM rm_plan_step s
         WHERE s.owner_institution_id = {institution} AND s.status IN {_OPEN} AND {where(f.place(q, "s"))}
         GROUP BY s.worker"""
    only = f"WHERE worker = {q.arg(f.worker)}" if f.worker else ""
    sql = f"""
        WITH clients AS ({clients}), steps AS ({steps})
        SELECT * FROM (
            SELECT worker, coalesce(c.clients, 0) AS clients, coalesce(c.shared, 0) AS shared_clients,
                   coalesce(c.open_plans, 0) AS open_plans, coalesce(s.open_steps, 0) AS open_steps,
                   coalesce(s.overdue_steps, 0) AS overdue_steps
              FROM clients c FULL JOIN steps s USING (worker)) w
        {only} ORDER BY clients DESC, worker"""
    return [dict(r) for r in await pool.fetch(sql, *q.args)]
