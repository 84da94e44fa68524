"""Aggregates of a region's feed per month, with small cells suppressed (statistical disclosure control)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

import asyncpg

from services.reporting.regional.deidentify import INSTRUMENT_FORMS


@dataclass(frozen=True, slots=True)
class Measure:
    """A count of distinct people (or offers) per month, split by one dimension of the items."""

    name: str
    item_type: str
    dimension: str | None  # payload field the cells are split by
    condition: str = "TRUE"  # SQL over `payload` selecting the items counted
    people: bool = True  # counts of people are suppressed below the threshold; counts of offers are not


_FORMS = ", ".join(f"'{f.value}'" for f in sorted(INSTRUMENT_FORMS))

MEASURES: tuple[Measure, ...] = (
    Measure("clients_registered", "RegionalClientRegistered", "institution_kind"),
    Measure("shared_clients_identified", "RegionalSharedClientIdentified", "basis"),
    Measure("plans_opened", "RegionalPlanOpened", None),
    Measure("steps_added", "RegionalPlanStepAdded", "category"),
    Measure("steps_completed", "RegionalPlanStepEnded", "category", "payload->>'result' = 'completed'"),
    Measure("refusals", "RegionalPlanStepEnded", "owner_kind", "payload->>'failure' = 'refused'"),
    Measure("plans_closed", "RegionalPlanClosed", "outcome"),
    Measure("activations", "RegionalPlanClosed", "activation_form", "(payload->>'activated')::boolean"),
    Measure("activations_within_6_months", "RegionalPlanClosed", "activation_form",
            "(payload->>'activated')::boolean AND (payload->>'months_in_programme')::int <= 6"),
    Measure("instrument_activations_within_6_months", "RegionalPlanClosed", "activation_form",
            f"payload->>'activation_form' IN ({_FORMS}) AND (payload->>'months_in_programme')::int <= 6"),
    Measure("deregistrations", "RegionalUnemploymentStatusChanged", "reason",
            "payload->>'status' = 'deregistered'"),
    Measure("benefits_granted", "RegionalBenefitGranted", "institution_kind"),
    Measure("referrals", "RegionalReferralIssued", "instrument"),
    Measure("referral_outcomes", "RegionalReferralOutcomeRecorded", "outcome"),
    Measure("conflicts_detected", "RegionalConflictDetected", "rule_id"),
    Measure("conflicts_resolved", "RegionalConflictResolved", "resolution"),
    Measure("offers_published", "RegionalOfferPublished", "instrument", people=False),
)

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


def months_of(period: str) -> list[str]:
    """The months of a period: `2026-03` (a month), `2026-Q1` (a quarter) or `2026` (a year)."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError("period must be YYYY, YYYY-Qn or YYYY-MM")
    year, month, quarter = match.groups()
    if month:
        return [f"{year}-{month}"]
    first, last = ((int(quarter) - 1) * 3 + 1, int(quarter) * 3) if quarter else (1, 12)
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


def period_bounds(period: str) -> tuple[date, date]:
    months = months_of(period)
    y1, m1 = map(int, months[0].split("-"))
    y2, m2 = map(int, months[-1].split("-"))
    return date(y1, m1, 1), date(y2, m2, monthrange(y2, m2)[1])


@dataclass(slots=True)
class Cell:
    """One published number; `count` is None when suppressed."""

    measure: str
    month: str
    dimension: str | None
    value: str | None
    count: int | None
    suppressed: bool = False


def _sql(measure: Measure) -> str:
    split = f"payload->>'{measure.dimension}'" if measure.dimension else "NULL"
    # Why distinct partition keys: a person counted twice in a month (two steps completed) is one person.
    return f"""SELECT month, {split} AS value, count(DISTINCT partition_key) AS n, TRUE AS cell
               FROM regional_feed WHERE region = $1 AND month = ANY($2::text[]) AND item_type = '{measure.item_type}'
                 AND {measure.condition} GROUP BY month, value
               UNION ALL
               SELECT month, NULL, count(DISTINCT partition_key), FALSE
               FROM regional_feed WHERE region = $1 AND month = ANY($2::text[]) AND item_type = '{measure.item_type}'
                 AND {measure.condition} GROUP BY month"""


async def aggregate(pool: asyncpg.Pool, region: str, period: str, min_cell: int) -> list[Cell]:
    """Every measure of the region for the period's months: cells per dimension value and a total per month."""
    months = months_of(period)
    cells: list[Cell] = []
    for measure in MEASURES:
        rows = await pool.fetch(_sql(measure), region, months)
        groups: dict[str, list[Cell]] = {}
        for row in rows:
            cell = Cell(measure.name, row["month"], measure.dimension if row["cell"] else None,
                        row["value"] if row["cell"] else None, int(row["n"]))
            if not row["cell"] or measure.dimension is not None:
                groups.setdefault(row["month"], []).append(cell)
        for group in groups.values():
            if measure.people:
                suppress(group, min_cell)
            cells.extend(sorted(group, key=lambda c: (c.dimension is None, c.value or "")))
    return sorted(cells, key=lambda c: (c.measure, c.month))


def suppress(group: list[Cell], min_cell: int) -> None:
    """Primary suppression of counts below `min_cell`; secondary suppression so no cell follows from the total.

    Why the secondary step: with the month's total published, a single hidden cell equals the total minus the
    others. Hiding the next smallest cell as well leaves two unknowns.
    """
    split = [c for c in group if c.dimension is not None]
    for cell in group:
        if cell.count is not None and cell.count < min_cell:
            cell.count, cell.suppressed = None, True
    hidden = [c for c in split if c.suppressed]
    visible = sorted((c for c in split if not c.suppressed), key=lambda c: c.count or 0)
    if len(hidden) == 1 and visible:
        visible[0].count, visible[0].suppressed = None, True
