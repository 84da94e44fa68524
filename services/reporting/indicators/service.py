"""Computing indicators for a scope: the definitions in force, their queries run concurrently, one value per bucket."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from libs.events.http import NotFound
from libs.events.schemas.common import InstitutionKind
from services.reporting.indicators import queries
from services.reporting.indicators.definitions import Definition, Definitions
from services.reporting.indicators.formulas import Activation, Ratio
from services.reporting.indicators.scope import Scope

# Indicators about the PUP-OPS pair: a CIS takes no part in them (it has its own activation cohort, the IPZS).
_PAIR_ONLY = frozenset({"shared_with_plan", "median_days_to_first_step"})


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One indicator for one period bucket, with the definition it was computed by."""

    definition: Definition
    period: tuple[date, date]
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    applicable: bool = True


class Indicators:
    """Indicators over the read models of one database."""

    def __init__(self, pool: asyncpg.Pool, definitions: Definitions) -> None:
        self._pool = pool
        self.definitions = definitions

    def in_force(self, scope: Scope, ids: Sequence[str] | None = None) -> list[Definition]:
        """The definitions in force on the period's last day (all, or those named; 404 for an unknown id)."""
        for unknown in set(ids or ()) - set(self.definitions.ids):
            raise NotFound(f"no indicator {unknown!r}; known: {', '.join(self.definitions.ids)}")
        chosen = self.definitions.all_in_force(scope.end)
        return [d for d in chosen if ids is None or d.id in ids]

    async def compute(self, scope: Scope, ids: Sequence[str] | None = None, monthly: bool = False
                      ) -> list[IndicatorValue]:
        """Values of the chosen indicators, per definition and then per bucket (one, or one per month)."""
        definitions = self.in_force(scope, ids)
        buckets = scope.buckets(monthly)
        kinds = {d.kind for d in definitions}
        cis = scope.kind is InstitutionKind.CIS
        jobs: dict[str, Awaitable[Any]] = {}
        activations = [d for d in definitions if d.kind == "activation"]
        if activations:
            jobs["activation"] = queries.activation(self._pool, scope, activations, buckets)
        if "shared_with_plan" in kinds and not cis:
            jobs["shared_with_plan"] = queries.shared_with_plan(self._pool, scope, buckets)
        if "conflicts" in kinds:
            jobs["conflicts"] = queries.conflicts(self._pool, scope, buckets)
        if "median_days_to_first_step" in kinds and not cis:
            jobs["median_days_to_first_step"] = queries.median_days_to_first_step(self._pool, scope, buckets)
        for d in definitions:
            if d.kind == "duplicates_avoided":
                jobs[d.id] = queries.duplicates_avoided(self._pool, scope, d, buckets)
        # Why concurrently: each query runs on its own pooled connection, so the answer takes as long as the
        # slowest query rather than their sum.
        results = dict(zip(jobs, await asyncio.gather(*jobs.values()), strict=True))
        return [_value(d, b, results, cis) for d in definitions for b in buckets]


def _value(d: Definition, bucket: tuple[date, date], results: dict[str, Any], cis: bool) -> IndicatorValue:
    start = bucket[0]
    if cis and d.kind in _PAIR_ONLY:
        return IndicatorValue(d, bucket, None, applicable=False,
                              details={"note": "about PUP-OPS pairs; not applicable to a CIS"})
    if d.kind == "activation":
        a = results["activation"].get(start, {}).get(d.id, Activation(0, 0, 0, 0, 0))
        return IndicatorValue(d, bucket, a.share.value, a.activated, a.window_closed, {
            "entered": a.entered, "window_closed": a.window_closed, "pending": a.pending,
            "activated_so_far": a.activated_so_far, "window_months": d.window_months,
            "forms": [f.value for f in d.forms], "cohort": "ipzs" if cis else "joint_plans"})
    if d.kind == "shared_with_plan":
        r = results["shared_with_plan"].get(start, Ratio(0, 0))
        return IndicatorValue(d, bucket, r.value, r.numerator, r.denominator,
                              {"shared": r.denominator, "with_plan": r.numerator})
    if d.kind == "conflicts":
        by_rule = results["conflicts"].get(start, {})
        total = by_rule.get("all", {"detected": 0, "confirmed": 0, "dismissed": 0, "open": 0})
        return IndicatorValue(d, bucket, float(total["detected"]), details={
            **total, "by_rule": {k: v for k, v in sorted(by_rule.items()) if k != "all"}})
    if d.kind == "duplicates_avoided":
        avoided, steps = results[d.id].get(start, (0, 0))
        return IndicatorValue(d, bucket, float(avoided), details={
            "conflicts": avoided, "steps_cancelled": steps, "rules": list(d.rules)})
    median, plans = results["median_days_to_first_step"].get(start, (None, 0))
    return IndicatorValue(d, bucket, median, denominator=plans, details={"plans": plans})
