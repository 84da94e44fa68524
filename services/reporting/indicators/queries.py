"""The indicators in SQL over the read models, per period bucket (one bucket, or one per month).

Each function answers {bucket start: figures} with one statement; `formulas.py` holds the same definitions as pure
functions, and the integration tests check that both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import asyncpg

from libs.events.schemas.common import InstitutionKind
from services.reporting.calendar import add_months
from services.reporting.indicators.definitions import Definition
from services.reporting.indicators.forms import IPZS_ENDING_FORM, column
from services.reporting.indicators.formulas import Activation, Ratio
from services.reporting.indicators.scope import IndicatorQuery, Scope
from services.reporting.sql import where

Buckets = list[tuple[date, date]]
ONE_DAY = timedelta(days=1)


def _window_end(entered: str, months: int) -> str:
    # `months` comes from validated configuration (an int), never from the request: safe to write into the SQL.
    return f"({entered} + interval '{int(months)} months')::date"


def closed_by(as_of: date, months: int) -> date:
    """The last entry day whose window of `months` has passed by `as_of` (add_months only grows with the day, so
    every earlier entry's window has passed too): the SQL compares days instead of adding months to every row."""
    day = add_months(as_of, -months)
    while add_months(day + ONE_DAY, months) <= as_of:
        day += ONE_DAY
    while add_months(day, months) > as_of:
        day -= ONE_DAY
    return day


def _first_of_plan(definition: Definition) -> str:
    return f"LEAST({', '.join(f'p.{column(f)}' for f in definition.forms)})"


def _first_of_ipzs(definition: Definition) -> str:
    reasons = [r.value for r, f in IPZS_ENDING_FORM.items() if f in definition.forms]
    if not reasons:
        return "NULL::date"
    listed = ", ".join(f"'{r}'" for r in reasons)  # enum values of the event contract, not request input
    return f"CASE WHEN i.end_reason IN ({listed}) THEN i.ended_on END"


async def activation(pool: asyncpg.Pool, scope: Scope, definitions: Sequence[Definition], buckets: Buckets
                     ) -> dict[date, dict[str, Activation]]:
    """Entries of each bucket (joint plans; IPZS when the scope is a CIS) and their activation per definition."""
    q = IndicatorQuery()
    if scope.kind is InstitutionKind.CIS:
        entered, first_of, source = "i.started_on", _first_of_ipzs, "rm_ipzs i"
        conditions = [*q.scope_place(scope, "i"), *q.region("i", scope.region_id),
                      f"i.cis_institution_id = {q.arg(scope.institution_id)}"]
    else:
        entered, first_of, source, conditions = "p.opened_on", _first_of_plan, "rm_plan p", q.plan_scope(scope)
    conditions.append(f"{entered} BETWEEN {q.arg(buckets[0][0])} AND {q.arg(buckets[-1][1])}")
    windows = sorted({d.window_months or 0 for d in definitions})
    inner = [f"{entered} AS e", *(f"{_window_end(entered, w)} AS end_{w}" for w in windows),
             *(f"{first_of(d)} AS f_{n}" for n, d in enumerate(definitions))]
    as_of, columns = q.arg(scope.as_of), []
    for n, d in enumerate(definitions):
        w = d.window_months or 0
        closed = f"e <= {q.arg(closed_by(scope.as_of, w))}"
        columns += [f"count(*) FILTER (WHERE {closed}) AS closed_{n}",
                    f"count(*) FILTER (WHERE {closed} AND f_{n} <= end_{w}) AS activated_{n}",
                    f"count(*) FILTER (WHERE NOT ({closed}) AND f_{n} <= {as_of}) AS so_far_{n}"]
    sql = (f"SELECT b.b_from, count(*) AS entered, {', '.join(columns)} "
           f"FROM (SELECT {', '.join(inner)} FROM {source} WHERE {where(conditions)} OFFSET 0) x "
           f"JOIN {q.buckets(buckets)} ON x.e BETWEEN b.b_from AND b.b_to GROUP BY b.b_from")
    result: dict[date, dict[str, Activation]] = {}
    for row in await pool.fetch(sql, *q.args):
        result[row["b_from"]] = {d.id: Activation(row["entered"], row[f"closed_{n}"], row[f"activated_{n}"],
                                                  row["entered"] - row[f"closed_{n}"], row[f"so_far_{n}"])
                                 for n, d in enumerate(definitions)}
    return result


async def shared_with_plan(pool: asyncpg.Pool, scope: Scope, buckets: Buckets) -> dict[date, Ratio]:
    """Clients shared during each bucket, and of them those whose pair opened a joint plan by the bucket's end."""
    q = IndicatorQuery()
    sql = f"""
        WITH pairs AS (
            SELECT r.identified_on, r.sharing_active, r.stopped_on, r.plan_opened_on AS plan_on
              FROM rm_pair r WHERE r.shared AND r.identified_on <= {q.arg(buckets[-1][1])}
               AND {where(q.pair_scope(scope))})
        SELECT b.b_from, count(*) AS shared, count(*) FILTER (WHERE plan_on <= b.b_to) AS with_plan
          FROM pairs JOIN {q.buckets(buckets)}
            ON identified_on <= b.b_to AND (sharing_active OR stopped_on >= b.b_from)
         GROUP BY b.b_from"""
    return {r["b_from"]: Ratio(r["with_plan"], r["shared"]) for r in await pool.fetch(sql, *q.args)}


async def conflicts(pool: asyncpg.Pool, scope: Scope, buckets: Buckets) -> dict[date, dict[str, dict[str, int]]]:
    """Conflicts detected in each bucket, per rule and in total: detected, confirmed, dismissed, open."""
    q = IndicatorQuery()
    sql = (f"SELECT b.b_from, c.rule_id, count(*) AS detected, "
           "count(*) FILTER (WHERE c.resolution = 'confirmed') AS confirmed, "
           "count(*) FILTER (WHERE c.resolution = 'dismissed') AS dismissed, "
           "count(*) FILTER (WHERE c.resolution IS NULL) AS open "
           f"FROM rm_conflict c JOIN {q.buckets(buckets)} ON c.detected_on BETWEEN b.b_from AND b.b_to "
           f"WHERE c.detected_on BETWEEN {q.arg(buckets[0][0])} AND {q.arg(buckets[-1][1])} "
           f"AND {where(q.client_scope(scope, 'c'))} GROUP BY b.b_from, c.rule_id")
    result: dict[date, dict[str, dict[str, int]]] = {}
    for row in await pool.fetch(sql, *q.args):
        by_rule = result.setdefault(row["b_from"], {})
        figures = {k: row[k] for k in ("detected", "confirmed", "dismissed", "open")}
        by_rule[row["rule_id"]] = figures
        total = by_rule.setdefault("all", dict.fromkeys(figures, 0))
        for k, v in figures.items():
            total[k] += v
    return result


async def duplicates_avoided(pool: asyncpg.Pool, scope: Scope, definition: Definition, buckets: Buckets
                             ) -> dict[date, tuple[int, int]]:
    """Per bucket: confirmed conflicts of the definition's rules with an evidence step cancelled after detection,
    and the number of such cancelled steps."""
    q = IndicatorQuery()
    sql = f"""
        WITH confirmed AS (
            SELECT c.detected_on,
                   (SELECT count(*) FROM rm_plan_step s WHERE s.added_event_id = ANY(c.evidence_event_ids)
                       AND s.status = 'cancelled' AND s.cancelled_at >= c.detected_at) AS cancelled
              FROM rm_conflict c
             WHERE c.rule_id = ANY({q.arg(list(definition.rules))}::text[]) AND c.resolution = 'confirmed'
               AND c.detected_on BETWEEN {q.arg(buckets[0][0])} AND {q.arg(buckets[-1][1])}
               AND {where(q.client_scope(scope, 'c'))})
        SELECT b.b_from, count(*) FILTER (WHERE cancelled > 0) AS avoided, coalesce(sum(cancelled), 0) AS steps
          FROM confirmed JOIN {q.buckets(buckets)} ON detected_on BETWEEN b.b_from AND b.b_to
         GROUP BY b.b_from"""
    return {r["b_from"]: (r["avoided"], int(r["steps"])) for r in await pool.fetch(sql, *q.args)}


async def median_days_to_first_step(pool: asyncpg.Pool, scope: Scope, buckets: Buckets
                                    ) -> dict[date, tuple[float | None, int]]:
    """Per bucket of plan openings: the median days from PUP registration to the first joint step, and how many."""
    q = IndicatorQuery()
    sql = (f"SELECT b.b_from, percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, p.first_step_on - "
           "p.pup_registered_on)) AS median, count(*) AS plans FROM rm_plan p "
           f"JOIN {q.buckets(buckets)} ON p.opened_on BETWEEN b.b_from AND b.b_to "
           f"WHERE p.first_step_on IS NOT NULL AND p.pup_registered_on IS NOT NULL "
           f"AND p.opened_on BETWEEN {q.arg(buckets[0][0])} AND {q.arg(buckets[-1][1])} "
           f"AND {where(q.plan_scope(scope))} GROUP BY b.b_from")
    return {r["b_from"]: (r["median"], r["plans"]) for r in await pool.fetch(sql, *q.args)}
