"""Views of a social-assistance centre (OPS): benefits next to the PUP status, and the conflicts inbox of any
institution."""

from __future__ import annotations

from typing import Literal

import asyncpg

from libs.events.schemas.common import InstitutionKind, institution_kind
from services.reporting.queries.common import FAR_FUTURE, FAR_PAST, Filters, Paging, Rows, page
from services.reporting.sql import Query

BenefitStatus = Literal["active", "suspended", "ended", "all"]
ConflictStatus = Literal["open", "confirmed", "dismissed", "all"]


async def benefits(pool: asyncpg.Pool, f: Filters, paging: Paging, status: BenefitStatus = "active") -> Rows:
    """Benefits the OPS pays in the period, each next to the client's status at the PUP of the pair; flags an
    unemployment-based benefit of a client the PUP has deregistered."""
    q = Query()
    conditions = [f"b.institution_id = {q.arg(f.institution_id)}",
                  f"b.valid_from <= {q.arg(f.end or FAR_FUTURE)}",
                  f"coalesce(b.ended_on, b.valid_to, 'infinity'::date) >= {q.arg(f.start or FAR_PAST)}",
                  *f.place(q, "b")]
    if status == "active":
        conditions.append("b.ended_on IS NULL AND b.suspended_from IS NULL")
    elif status == "suspended":
        conditions.append("b.ended_on IS NULL AND b.suspended_from IS NOT NULL")
    elif status == "ended":
        conditions.append("b.ended_on IS NOT NULL")
    if f.worker:
        conditions.append(f"r.social_worker = {q.arg(f.worker)}")
    select = """
        SELECT b.benefit_id, b.client_id, c.first_name, c.last_name, b.kind, b.basis, b.monthly_amount,
               b.valid_from, b.valid_to, b.suspended_from, b.ended_on,
               CASE WHEN b.ended_on IS NOT NULL THEN 'ended' WHEN b.suspended_from IS NOT NULL THEN 'suspended'
                    ELSE 'active' END AS status,
               r.social_worker, r.pup_institution_id, r.job_broker, u.status AS unemployment_status,
               u.reason AS deregistration_reason, u.effective_on AS unemployment_status_since,
               u.with_benefit_right,
               (b.basis = 'unemployment' AND u.status = 'deregistered' AND b.ended_on IS NULL) AS basis_questioned
          FROM rm_benefit b
          LEFT JOIN rm_client c ON c.client_id = b.client_id
          LEFT JOIN rm_pair r ON r.client_id = b.client_id AND r.ops_institution_id = b.institution_id
          LEFT JOIN rm_unemployment u ON u.client_id = b.client_id AND u.institution_id = r.pup_institution_id"""
    return await page(pool, q, select, conditions, "c.last_name, c.first_name, b.valid_from, b.benefit_id", paging)


async def conflicts(pool: asyncpg.Pool, f: Filters, paging: Paging, status: ConflictStatus = "open",
                    rule_id: str | None = None) -> Rows:
    """Conflicts naming the institution, detected in the period: the most severe and newest first. The worker
    filter keeps the clients the worker serves (social worker of an OPS, job broker of a PUP)."""
    q = Query()
    conditions = [f"{q.arg(f.institution_id)} = ANY(x.institutions)",
                  f"x.detected_on BETWEEN {q.arg(f.start or FAR_PAST)} AND {q.arg(f.end or FAR_FUTURE)}",
                  *f.place(q, "x")]
    if status == "open":
        conditions.append("x.resolution IS NULL")
    elif status != "all":
        conditions.append(f"x.resolution = {q.arg(status)}")
    if rule_id:
        conditions.append(f"x.rule_id = {q.arg(rule_id)}")
    if f.worker:
        kind = institution_kind(f.institution_id)
        side, worker = ("pup", "job_broker") if kind is InstitutionKind.PUP else ("ops", "social_worker")
        conditions.append(f"EXISTS (SELECT 1 FROM rm_pair w WHERE w.client_id = x.client_id AND "
                          f"w.{side}_institution_id = {q.arg(f.institution_id)} AND w.{worker} = {q.arg(f.worker)})")
    select = """
        SELECT x.conflict_id, x.client_id, c.first_name, c.last_name, x.rule_id, x.rule_version, x.severity,
               x.period_from, x.period_to, x.explanation_pl, x.explanation_en, x.legal_basis, x.institutions,
               x.detected_at, coalesce(x.resolution, 'open') AS status, x.resolution_reason, x.resolved_by,
               x.resolved_by_institution, x.resolved_at
          FROM rm_conflict x LEFT JOIN rm_client c ON c.client_id = x.client_id"""
    order = ("CASE x.severity WHEN 'high' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, x.detected_at DESC, "
             "x.conflict_id")
    return await page(pool, q, select, conditions, order, paging)
