"""Views of a labour office (PUP): shared clients with their OPS status, and referrals with their outcomes."""

from __future__ import annotations

import asyncpg

from services.reporting.queries.common import FAR_FUTURE, FAR_PAST, Filters, Paging, Rows, page
from services.reporting.sql import Query, where


async def shared_clients(pool: asyncpg.Pool, f: Filters, paging: Paging, include_stopped: bool = False) -> Rows:
    """Clients the PUP shares with an OPS: the pair's workers, the OPS benefits in force, the social contract and
    the progress of the OPS steps of the joint plan."""
    q = Query()
    pup = q.arg(f.institution_id)
    conditions = [f"r.pup_institution_id = {pup}", "r.shared", *f.place(q, "r")]
    if not include_stopped:
        conditions.append("r.sharing_active")
    if f.worker:
        conditions.append(f"r.job_broker = {q.arg(f.worker)}")
    select = """
        SELECT r.client_id, c.first_name, c.last_name, c.gmina, r.ops_institution_id, r.job_broker,
               r.social_worker, r.region_id, r.sharing_active, r.identified_on, r.stopped_on,
               p.plan_id, p.opened_on AS plan_opened_on, p.closed_on AS plan_closed_on, p.contract_number,
               p.contract_from, p.contract_to, p.ipd_number,
               (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'benefit_id', b.benefit_id, 'kind', b.kind, 'basis', b.basis,
                        'monthly_amount', b.monthly_amount, 'valid_from', b.valid_from, 'valid_to', b.valid_to,
                        'status', CASE WHEN b.suspended_from IS NOT NULL THEN 'suspended' ELSE 'active' END)
                        ORDER BY b.valid_from), '[]'::jsonb)
                  FROM rm_benefit b WHERE b.client_id = r.client_id AND b.institution_id = r.ops_institution_id
                   AND b.ended_on IS NULL) AS benefits_json,
               (SELECT jsonb_build_object(
                        'open', count(*) FILTER (WHERE s.status IN ('added', 'scheduled')),
                        'completed', count(*) FILTER (WHERE s.status = 'completed'),
                        'failed', count(*) FILTER (WHERE s.status = 'failed'),
                        'next_due_on', min(s.due_on) FILTER (WHERE s.status IN ('added', 'scheduled')),
                        'social_preparation_done', bool_and(s.status IN ('completed', 'cancelled'))
                            FILTER (WHERE s.social_preparation))
                  FROM rm_plan_step s WHERE s.plan_id = p.plan_id
                   AND s.owner_institution_id = r.ops_institution_id) AS ops_steps_json
          FROM rm_pair r
          JOIN rm_client c ON c.client_id = r.client_id
          LEFT JOIN LATERAL (SELECT * FROM rm_plan p WHERE p.client_id = r.client_id
                                AND p.pup_institution_id = r.pup_institution_id
                                AND p.ops_institution_id = r.ops_institution_id
                              ORDER BY p.opened_on DESC LIMIT 1) p ON true"""
    return await page(pool, q, select, conditions, "c.last_name, c.first_name, r.client_id", paging)


async def referrals(pool: asyncpg.Pool, f: Filters, paging: Paging, outcome: str | None = None) -> Rows:
    """Referrals the PUP issued in the period (by one worker), newest first, with the offer and the outcome."""
    q = Query()
    conditions = referral_conditions(q, f, outcome)
    select = """
        SELECT x.referral_id, x.client_id, c.first_name, c.last_name, x.offer_id, o.title AS offer_title,
               o.kind AS offer_kind, o.instrument, o.funded_by, x.plan_id, x.step_id, x.issued_by, x.issued_on,
               coalesce(x.outcome, 'pending') AS outcome, x.outcome_on, x.note
          FROM rm_referral x LEFT JOIN rm_offer o ON o.offer_id = x.offer_id
          LEFT JOIN rm_client c ON c.client_id = x.client_id"""
    return await page(pool, q, select, conditions, "x.issued_on DESC, x.referral_id", paging)


async def referral_outcomes(pool: asyncpg.Pool, f: Filters) -> dict[str, int]:
    """How the referrals of the filter ended: count per outcome ("pending" while none is recorded)."""
    q = Query()
    sql = (f"SELECT coalesce(x.outcome, 'pending') AS outcome, count(*) AS n FROM rm_referral x "
           f"WHERE {where(referral_conditions(q, f, None))} GROUP BY 1")
    return {r["outcome"]: r["n"] for r in await pool.fetch(sql, *q.args)}


def referral_conditions(q: Query, f: Filters, outcome: str | None) -> list[str]:
    conditions = [f"x.institution_id = {q.arg(f.institution_id)}",
                  f"x.issued_on BETWEEN {q.arg(f.start or FAR_PAST)} AND {q.arg(f.end or FAR_FUTURE)}",
                  *f.place(q, "x")]
    if f.worker:
        conditions.append(f"x.issued_by = {q.arg(f.worker)}")
    if outcome == "pending":
        conditions.append("x.outcome IS NULL")
    elif outcome:
        conditions.append(f"x.outcome = {q.arg(outcome)}")
    return conditions

