"""The indicator definitions as pure functions over small data, including the seeds' figures as references."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.reporting.indicators.definitions import load_definitions
from services.reporting.indicators.forms import ActivationForm as F
from services.reporting.indicators.formulas import (
    Activation,
    ConflictFact,
    Entry,
    SharingFact,
    StepFact,
    activation,
    conflict_counts,
    days_to_first_step,
    duplicates_avoided,
    first_activation,
    median,
    plan_firsts,
    shared_with_plan,
)

ALL = tuple(F)
LISTED = (F.SUBSIDISED_EMPLOYMENT, F.TRAINING, F.INTERVENTION_WORKS, F.PUBLIC_WORKS, F.SOCIALLY_USEFUL_WORKS,
          F.INTERNSHIP)
AS_OF = date(2026, 11, 30)


def test_a_step_counts_from_its_start_when_booked_done_or_dropped_out_after_starting() -> None:
    steps = [StepFact(F.INTERNSHIP, date(2026, 3, 1), "scheduled"),
             StepFact(F.TRAINING, date(2026, 2, 1), "completed"),
             StepFact(F.PUBLIC_WORKS, date(2026, 1, 10), "failed", "dropped_out"),
             StepFact(F.EMPLOYMENT, date(2026, 1, 5), "failed", "refused"),
             StepFact(F.SUBSIDISED_EMPLOYMENT, date(2026, 1, 1), "cancelled"),
             StepFact(F.INTERVENTION_WORKS, date(2026, 1, 2), "added"),
             StepFact(None, date(2025, 12, 1), "completed")]
    assert plan_firsts(steps) == {F.INTERNSHIP: date(2026, 3, 1), F.TRAINING: date(2026, 2, 1),
                                  F.PUBLIC_WORKS: date(2026, 1, 10)}
    # A milestone (the plan closed with employment) adds its form; the earliest day of a form wins.
    firsts = plan_firsts(steps, [(F.EMPLOYMENT, date(2026, 6, 1)), (F.TRAINING, date(2026, 1, 20))])
    assert (firsts[F.EMPLOYMENT], firsts[F.TRAINING]) == (date(2026, 6, 1), date(2026, 1, 20))


def test_the_first_activation_is_the_earliest_day_of_any_counted_form() -> None:
    entry = Entry(date(2026, 1, 1), {F.EMPLOYMENT: date(2026, 2, 1), F.INTERNSHIP: date(2026, 4, 1)})
    assert first_activation(entry, ALL) == date(2026, 2, 1)
    assert first_activation(entry, LISTED) == date(2026, 4, 1)
    assert first_activation(entry, (F.OWN_BUSINESS,)) is None


def test_only_entries_whose_window_has_passed_are_in_the_share_the_rest_are_counted_apart() -> None:
    entries = [Entry(date(2026, 1, 1), {F.TRAINING: date(2026, 7, 1)}),  # on the last day of its window
               Entry(date(2026, 1, 2), {F.TRAINING: date(2026, 7, 3)}),  # one day late
               Entry(date(2026, 5, 31), {}),  # window ends 30 November: passed on the day
               Entry(date(2026, 6, 15), {F.EMPLOYMENT: date(2026, 8, 1)}),  # window still open, activated so far
               Entry(date(2026, 7, 1), {F.EMPLOYMENT: date(2026, 12, 15)})]  # open, activation still to come
    result = activation(entries, 6, ALL, AS_OF)
    assert result == Activation(entered=5, window_closed=3, activated=1, pending=2, activated_so_far=1)
    assert result.share.value == pytest.approx(1 / 3)
    assert activation([], 6, ALL, AS_OF).share.value is None


def test_the_window_is_calendar_months_clamped_to_the_end_of_a_shorter_month() -> None:
    entry = Entry(date(2025, 8, 31), {F.INTERNSHIP: date(2026, 2, 28)})
    assert activation([entry], 6, ALL, AS_OF).activated == 1  # 31 August + 6 months = 28 February
    late = Entry(date(2025, 8, 31), {F.INTERNSHIP: date(2026, 3, 1)})
    assert activation([late], 6, ALL, AS_OF).activated == 0


def test_the_seed_figures_are_what_the_definitions_give_on_such_a_cohort() -> None:
    """PZW test: 81% activated in all forms, 61.43% in the listed forms; Siemianowice 42 of 113 in a year."""
    start = date(2024, 1, 15)
    cohort = ([Entry(start, {F.INTERNSHIP: date(2024, 3, 1)})] * 6143
              + [Entry(start, {F.EMPLOYMENT: date(2024, 4, 1)})] * (8100 - 6143)
              + [Entry(start, {})] * (10000 - 8100))
    definitions = load_definitions()
    for indicator, expected in (("activation_6m_all", 0.81), ("activation_6m_listed", 0.6143)):
        d = definitions.in_force(indicator, date(2024, 12, 31))
        assert d is not None
        assert activation(cohort, d.window_months or 0, d.forms, AS_OF).share.value == pytest.approx(expected)
        assert d.reference[0].value == expected
    siemianowice = [Entry(start, {F.PUBLIC_WORKS: date(2024, 12, 1)})] * 42 + [Entry(start, {})] * 71
    year = definitions.in_force("activation_12m_all", date(2024, 12, 31))
    assert year is not None
    share = activation(siemianowice, year.window_months or 0, year.forms, AS_OF).share
    assert (share.numerator, share.denominator) == (year.reference[0].numerator, year.reference[0].denominator)
    assert share.value == pytest.approx(0.3717, abs=1e-4)


def test_days_to_the_first_joint_step_and_their_median() -> None:
    assert days_to_first_step(date(2026, 1, 1), date(2026, 1, 31)) == 30
    assert days_to_first_step(date(2026, 1, 10), date(2026, 1, 1)) == 0  # planned before the registration
    assert median([61, 78, 76, 92, 31]) == 76
    assert median([10, 20]) == 15
    assert median([]) is None


def test_shared_clients_with_a_joint_plan() -> None:
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    sharings = [SharingFact(date(2025, 12, 1), True, None, date(2026, 1, 5)),  # shared, plan in time
                SharingFact(date(2026, 6, 1), True, None, date(2026, 7, 1)),  # plan only after the period
                SharingFact(date(2026, 2, 1), False, date(2026, 3, 1)),  # stopped during the period: counts
                SharingFact(date(2025, 1, 1), False, date(2025, 12, 31), date(2025, 2, 1)),  # stopped before
                SharingFact(date(2026, 7, 1), True)]  # identified after the period
    ratio = shared_with_plan(sharings, start, end)
    assert (ratio.numerator, ratio.denominator) == (1, 3)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_conflicts_counted_by_rule_and_resolution_in_the_period() -> None:
    conflicts = [ConflictFact("R2", at(date(2026, 2, 1)), date(2026, 2, 1), "confirmed"),
                 ConflictFact("R2", at(date(2026, 2, 2)), date(2026, 2, 2), "dismissed"),
                 ConflictFact("R1", at(date(2026, 3, 1)), date(2026, 3, 1)),
                 ConflictFact("R1", at(date(2025, 12, 1)), date(2025, 12, 1), "confirmed")]  # before the period
    counts = conflict_counts(conflicts, date(2026, 1, 1), date(2026, 12, 31))
    assert counts["all"] == {"detected": 3, "confirmed": 1, "dismissed": 1, "open": 1}
    assert counts["R2"] == {"detected": 2, "confirmed": 1, "dismissed": 1, "open": 0}


def test_a_duplicated_action_is_avoided_when_a_confirmed_r2_conflict_is_followed_by_a_cancelled_step() -> None:
    day = date(2026, 2, 1)
    conflicts = [ConflictFact("R2", at(day), day, "confirmed", (at(date(2026, 2, 3)),)),  # avoided
                 ConflictFact("R2", at(day), day, "confirmed", (at(date(2026, 1, 20)),)),  # cancelled before it
                 ConflictFact("R2", at(day), day, "dismissed", (at(date(2026, 2, 3)),)),  # not confirmed
                 ConflictFact("R2", at(day), day, "confirmed"),  # confirmed, nothing cancelled
                 ConflictFact("R1", at(day), day, "confirmed", (at(date(2026, 2, 3)),)),  # another rule
                 ConflictFact("R2", at(day), day, "confirmed", (at(date(2026, 2, 4)), at(date(2026, 2, 5))))]
    assert duplicates_avoided(conflicts, ["R2"], date(2026, 1, 1), date(2026, 12, 31)) == (2, 3)
    assert duplicates_avoided(conflicts, ["R2"], date(2026, 3, 1), date(2026, 12, 31)) == (0, 0)
