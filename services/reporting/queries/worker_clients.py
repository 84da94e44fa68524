"""The clients a worker serves (their caseload), with a name search: what the case-worker's start screen lists."""

from __future__ import annotations

from typing import Literal

import asyncpg

from libs.events.schemas.common import InstitutionKind, institution_kind
from services.reporting.queries.common import Filters, Paging, Rows, page
from services.reporting.sql import Query

Sharing = Literal["any", "shared", "not_shared"]


async def worker_clients(pool: asyncpg.Pool, f: Filters, paging: Paging, name: str | None = None,
                         sharing: Sharing = "any", open_plan: bool | None = None) -> Rows:
    """Clients of the institution paired with the worker of `f` (every worker's when `f.worker` is None), by name.

    A PUP lists by job broker, an OPS by social worker (the region's pairing, rm_pair); `name` matches the start of
    the first or last name, or the whole "first last", case-insensitively.
    """
    q = Query()
    side, worker = ("pup", "job_broker") if institution_kind(f.institution_id) is InstitutionKind.PUP \
        else ("ops", "social_worker")
    institution = q.arg(f.institution_id)
    conditions = [f"r.{side}_institution_id = {institution}",
                  f"EXISTS (SELECT 1 FROM rm_client_registration g WHERE g.client_id = r.client_id "
                  f"AND g.institution_id = {institution})", *f.place(q, "r")]
    if f.worker:
        conditions.append(f"r.{worker} = {q.arg(f.worker)}")
    if name:
        pattern = q.arg(name.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        conditions.append(f"(lower(c.first_name) LIKE {pattern} OR lower(c.last_name) LIKE {pattern} "
                          f"OR lower(c.first_name || ' ' || c.last_name) LIKE {pattern})")
    if sharing != "any":
        conditions.append(("" if sharing == "shared" else "NOT ") + "coalesce(r.sharing_active, false)")
    plan = ("EXISTS (SELECT 1 FROM rm_plan p WHERE p.client_id = r.client_id AND p.closed_on IS NULL "
            "AND p.pup_institution_id = r.pup_institution_id AND p.ops_institution_id = r.ops_institution_id)")
    if open_plan is not None:
        conditions.append(plan if open_plan else f"NOT {plan}")
    select = f"""SELECT c.client_id, c.first_name, c.last_name, c.birth_year, c.gmina, c.postal_code,
                        r.pup_institution_id, r.ops_institution_id, r.job_broker, r.social_worker, r.region_id,
                        coalesce(r.sharing_active, false) AS sharing_active, {plan} AS open_plan
                   FROM rm_pair r JOIN rm_client c USING (client_id)"""
    return await page(pool, q, select, conditions, "c.last_name, c.first_name, c.client_id", paging)
