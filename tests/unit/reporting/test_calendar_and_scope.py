"""Month arithmetic as PostgreSQL does it, the window shortcut of the SQL, and period buckets."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.calendar import add_months
from services.reporting.indicators.queries import closed_by
from services.reporting.indicators.scope import Scope

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def test_months_are_clamped_to_the_end_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


@given(entered=days, as_of=days, months=st.sampled_from([1, 6, 12, 24]))
def test_an_entrys_window_has_passed_exactly_when_it_entered_by_closed_by(entered: date, as_of: date,
                                                                          months: int) -> None:
    assert (entered <= closed_by(as_of, months)) == (add_months(entered, months) <= as_of)


def test_a_period_in_months_clips_its_first_and_last_month() -> None:
    scope = Scope(date(2025, 7, 15), date(2025, 9, 10), date(2026, 1, 1))
    assert scope.buckets(monthly=False) == [(date(2025, 7, 15), date(2025, 9, 10))]
    assert scope.buckets(monthly=True) == [(date(2025, 7, 15), date(2025, 7, 31)), (date(2025, 8, 1),
                                                                                     date(2025, 8, 31)),
                                           (date(2025, 9, 1), date(2025, 9, 10))]
    year = Scope(date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1)).buckets(monthly=True)
    assert len(year) == 12
    assert all(b[1] + timedelta(days=1) == n[0] for b, n in itertools.pairwise(year))
