"""Plan steps an institution owns: due, overdue or by status, with the client and the plan they belong to."""

from __future__ import annotations

from datetime import date
from typing import Literal

import asyncpg

from services.reporting.queries.common import FAR_FUTURE, FAR_PAST, Filters, Paging, Rows, page
from services.reporting.sql import Query

StepStatus = Literal["open", "added", "scheduled", "completed", "failed", "cancelled", "all"]


async def steps(pool: asyncpg.Pool, f: Filters, today: date, paging: Paging, status: StepStatus = "open",
                overdue_only: bool = False) -> Rows:
    """Steps owned by the institution (by one worker), due within the period, earliest due first."""
    q = Query()
    conditions = [f"s.owner_institution_id = {q.arg(f.institution_id)}",
                  f"s.due_on BETWEEN {q.arg(f.start or FAR_PAST)} AND {q.arg(f.end or FAR_FUTURE)}",
                  *f.place(q, "s")]
    if status == "open":
        conditions.append("s.status IN ('added', 'scheduled')")
    elif status != "all":
        conditions.append(f"s.status = {q.arg(status)}")
    if f.worker:
        conditions.append(f"s.worker = {q.arg(f.worker)}")
    day = q.arg(today)
    if overdue_only:
        conditions.append(f"s.due_on < {day} AND s.status IN ('added', 'scheduled')")
    select = f"""
        SELECT s.step_id, s.plan_id, s.client_id, c.first_name, c.last_name, s.worker, s.instrument, s.category,
               s.title, s.social_preparation, s.funded_by, s.status, s.start_on, s.due_on,
               (s.status IN ('added', 'scheduled') AND s.due_on < {day}) AS overdue,
               CASE WHEN s.status IN ('added', 'scheduled') AND s.due_on < {day} THEN {day} - s.due_on END
                   AS days_overdue,
               s.completed_on, s.failed_on, s.failure, s.cancel_reason
          FROM rm_plan_step s LEFT JOIN rm_client c ON c.client_id = s.client_id"""
    return await page(pool, q, select, conditions, "s.due_on, s.step_id", paging)
