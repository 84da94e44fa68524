"""Views of a social-integration centre (CIS): IPZS terms running out, attendance, integration-bonus candidates,
graduates due for follow-up, and participants per instructor against the legal limit."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from services.reporting.queries.common import FAR_FUTURE, FAR_PAST, Filters, Paging, Rows, page
from services.reporting.sql import Query


async def ipzs_expiring(pool: asyncpg.Pool, f: Filters, today: date, within_days: int, paging: Paging) -> Rows:
    """Running IPZS whose current term ends within `within_days` (or has already lapsed without a decision)."""
    q = Query()
    day = q.arg(today)
    conditions = [f"i.cis_institution_id = {q.arg(f.institution_id)}", "i.ended_on IS NULL",
                  f"i.term_to <= {day} + {q.arg(within_days)}::int", *f.place(q, "i")]
    if f.worker:
        conditions.append(f"i.worker = {q.arg(f.worker)}")
    select = f"""
        SELECT i.ipzs_id, i.plan_id, i.client_id, c.first_name, c.last_name, i.worker, i.main_goal, i.started_on,
               i.term_from, i.term_to, i.term_to - {day} AS days_left, i.term_to < {day} AS lapsed
          FROM rm_ipzs i LEFT JOIN rm_client c ON c.client_id = i.client_id"""
    return await page(pool, q, select, conditions, "i.term_to, i.ipzs_id", paging)


def _month_select() -> str:
    return """
        SELECT m.ipzs_id, m.month, m.client_id, c.first_name, c.last_name, i.worker, m.days_scheduled,
               m.days_present, m.days_excused,
               greatest(m.days_scheduled - m.days_present - m.days_excused, 0) AS days_unexcused,
               round(m.days_present::numeric / nullif(m.days_scheduled, 0), 4)::float AS attendance,
               m.bonus_granted, m.bonus_amount, m.bonus_reason, m.bonus_decided_by
          FROM rm_cis_month m LEFT JOIN rm_ipzs i ON i.ipzs_id = m.ipzs_id
          LEFT JOIN rm_client c ON c.client_id = m.client_id"""


async def attendance(pool: asyncpg.Pool, f: Filters, paging: Paging) -> Rows:
    """Monthly attendance records of the period (months starting in it), newest month first."""
    q = Query()
    conditions = [f"m.cis_institution_id = {q.arg(f.institution_id)}", "m.days_scheduled IS NOT NULL",
                  f"m.month BETWEEN date_trunc('month', {q.arg(f.start or FAR_PAST)}::date)::date "
                  f"AND {q.arg(f.end or FAR_FUTURE)}", *f.place(q, "m")]
    if f.worker:
        conditions.append(f"i.worker = {q.arg(f.worker)}")
    return await page(pool, q, _month_select(), conditions, "m.month DESC, c.last_name, m.ipzs_id", paging)


async def bonus_candidates(pool: asyncpg.Pool, f: Filters, month: date, min_attendance: float,
                           max_unexcused: int, undecided_only: bool, paging: Paging) -> Rows:
    """Participants whose attendance in `month` meets the norms, with the decision if one was taken."""
    q = Query()
    conditions = [f"m.cis_institution_id = {q.arg(f.institution_id)}", f"m.month = {q.arg(month)}",
                  "m.days_scheduled > 0",
                  f"m.days_present::numeric / m.days_scheduled >= {q.arg(min_attendance)}::numeric",
                  f"greatest(m.days_scheduled - m.days_present - m.days_excused, 0) <= {q.arg(max_unexcused)}::int",
                  *f.place(q, "m")]
    if undecided_only:
        conditions.append("m.bonus_granted IS NULL")
    if f.worker:
        conditions.append(f"i.worker = {q.arg(f.worker)}")
    return await page(pool, q, _month_select(), conditions, "attendance DESC, c.last_name, m.ipzs_id", paging)


async def graduates_due(pool: asyncpg.Pool, f: Filters, months: list[int], paging: Paging) -> Rows:
    """Follow-ups of graduates (IPZS ended) falling due in the period: one row per graduate and checkpoint, with
    the OPS and PUP workers of the joint plan who carry on (social contract, IPD)."""
    q = Query()
    due = "(i.ended_on + make_interval(months => k.months))::date"
    conditions = [f"i.cis_institution_id = {q.arg(f.institution_id)}", "i.ended_on IS NOT NULL",
                  f"{due} BETWEEN {q.arg(f.start or FAR_PAST)} AND {q.arg(f.end or FAR_FUTURE)}", *f.place(q, "i")]
    if f.worker:
        conditions.append(f"i.worker = {q.arg(f.worker)}")
    select = f"""
        SELECT i.ipzs_id, i.client_id, c.first_name, c.last_name, i.worker, i.ended_on, i.end_reason,
               k.months AS after_months, {due} AS due_on, p.ops_institution_id, p.social_worker,
               p.pup_institution_id, p.job_broker
          FROM rm_ipzs i CROSS JOIN unnest({q.arg(months)}::int[]) AS k(months)
          LEFT JOIN rm_client c ON c.client_id = i.client_id
          LEFT JOIN rm_plan p ON p.plan_id = i.plan_id"""
    return await page(pool, q, select, conditions, "due_on, i.ipzs_id, k.months", paging)


async def instructors(pool: asyncpg.Pool, f: Filters, on: date) -> list[dict[str, Any]]:
    """Participants per instructor on a day: the workers of the CIS-class steps that cover it."""
    q = Query()
    day = q.arg(on)
    only = f"AND s.worker = {q.arg(f.worker)}" if f.worker else ""
    sql = f"""
        SELECT s.worker AS instructor, count(DISTINCT s.client_id) AS participants
          FROM rm_plan_step s
         WHERE s.owner_institution_id = {q.arg(f.institution_id)} AND s.instrument = 'cis_classes'
           AND s.status NOT IN ('cancelled', 'failed') AND s.start_on <= {day} AND s.due_on >= {day}
           AND (s.completed_on IS NULL OR s.completed_on >= {day}) {only}
         GROUP BY s.worker ORDER BY participants DESC, instructor"""
    return [dict(r) for r in await pool.fetch(sql, *q.args)]
