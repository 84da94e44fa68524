"""The indicator definitions as pure functions over small data: the reference the SQL of `queries.py` must agree
with (the integration tests compare both over the same history)."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from services.reporting.calendar import add_months
from services.reporting.indicators.forms import TAKEN_UP_FAILURES, TAKEN_UP_STATUSES, ActivationForm


@dataclass(frozen=True, slots=True)
class StepFact:
    """What an indicator needs of a plan step: the form its instrument is, when it starts, how it went."""

    form: ActivationForm | None
    start_on: date
    status: str
    failure: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry into the programme (a joint plan opened, or an IPZS signed) and the first day of each form."""

    entered_on: date
    firsts: Mapping[ActivationForm, date] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ratio:
    """A share with its parts; no value when there is nothing to divide by."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class Activation:
    """Entries of a period: whose window has passed, who of them was activated in it, and the rest so far."""

    entered: int
    window_closed: int
    activated: int
    pending: int
    activated_so_far: int

    @property
    def share(self) -> Ratio:
        return Ratio(self.activated, self.window_closed)


def plan_firsts(steps: Iterable[StepFact], milestones: Iterable[tuple[ActivationForm, date]] = ()
                ) -> dict[ActivationForm, date]:
    """The first day of each form: from steps taken up (booked, done, or dropped out after starting) and from
    milestones (closing outcome, IPZS ending)."""
    firsts: dict[ActivationForm, date] = {}
    taken = [(s.form, s.start_on) for s in steps if s.form is not None and (
        s.status in TAKEN_UP_STATUSES or (s.status == "failed" and s.failure in TAKEN_UP_FAILURES))]
    for form, day in [*taken, *milestones]:
        if form is not None and (form not in firsts or day < firsts[form]):
            firsts[form] = day
    return firsts


def first_activation(entry: Entry, forms: Collection[ActivationForm]) -> date | None:
    """The first day the entry took up any of `forms`."""
    days = [day for form, day in entry.firsts.items() if form in forms]
    return min(days) if days else None


def activation(entries: Iterable[Entry], window_months: int, forms: Collection[ActivationForm], as_of: date
               ) -> Activation:
    """Activated within `window_months` of entering, among entries whose window has passed by `as_of`."""
    entered = closed = activated = so_far = 0
    for entry in entries:
        entered += 1
        window_end = add_months(entry.entered_on, window_months)
        first = first_activation(entry, forms)
        if window_end <= as_of:
            closed += 1
            activated += first is not None and first <= window_end
        else:
            so_far += first is not None and first <= as_of
    return Activation(entered, closed, activated, entered - closed, so_far)


def days_to_first_step(registered_on: date, first_step_on: date) -> int:
    """Days from registration to the first joint step; a step planned before the registration counts as 0."""
    return max(0, (first_step_on - registered_on).days)


def median(values: Iterable[float]) -> float | None:
    """The median (mean of the middle two for an even count), or None without values."""
    ordered = list(values)
    return float(statistics.median(ordered)) if ordered else None


@dataclass(frozen=True, slots=True)
class SharingFact:
    """A client shared by a PUP-OPS pair, and when the pair's joint plan was opened (if ever)."""

    identified_on: date
    active: bool
    stopped_on: date | None = None
    plan_opened_on: date | None = None


def shared_with_plan(sharings: Iterable[SharingFact], start: date, end: date) -> Ratio:
    """Shared by the end of the period with sharing in force during it; of them, with a plan opened by the end."""
    scope = [s for s in sharings if s.identified_on <= end and (s.active or (s.stopped_on or date.min) >= start)]
    return Ratio(sum(s.plan_opened_on is not None and s.plan_opened_on <= end for s in scope), len(scope))


@dataclass(frozen=True, slots=True)
class ConflictFact:
    """A conflict and, for each of its evidence steps that was cancelled, when."""

    rule_id: str
    detected_at: datetime
    detected_on: date
    resolution: str | None = None
    cancellations: tuple[datetime, ...] = ()


def conflict_counts(conflicts: Iterable[ConflictFact], start: date, end: date) -> dict[str, dict[str, int]]:
    """Per rule and in total ("all"): detected in the period, and of them confirmed, dismissed, still open."""
    counts: dict[str, dict[str, int]] = {}
    for c in conflicts:
        if not start <= c.detected_on <= end:
            continue
        for key in ("all", c.rule_id):
            row = counts.setdefault(key, {"detected": 0, "confirmed": 0, "dismissed": 0, "open": 0})
            row["detected"] += 1
            row[c.resolution or "open"] += 1
    return counts


def duplicates_avoided(conflicts: Iterable[ConflictFact], rules: Collection[str], start: date, end: date
                       ) -> tuple[int, int]:
    """(conflicts, steps): confirmed conflicts of `rules` detected in the period after which an evidence step was
    cancelled, and how many evidence steps were cancelled after them."""
    avoided = steps = 0
    for c in conflicts:
        if c.rule_id not in rules or c.resolution != "confirmed" or not start <= c.detected_on <= end:
            continue
        after = sum(at >= c.detected_at for at in c.cancellations)
        avoided += after > 0
        steps += after
    return avoided, steps
