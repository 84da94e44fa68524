"""Calendar arithmetic of plan terms (pure): one-month IPZS terms without drift."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from libs.events.schemas.common import Period

ONE_DAY = timedelta(days=1)


def add_month(day: date) -> date:
    """The same day of the next month; when the next month is shorter, the first day of the month after it."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    if day.day <= monthrange(year, month)[1]:
        return day.replace(year=year, month=month)
    # Why roll over instead of clamping to the month's last day: a term from 31 January then ends on the last day
    # of February (not the day before it), and the renewal starting 1 March runs to 31 March: terms stay
    # contiguous, cover whole months and never drift to ever earlier days.
    return date(year, month, monthrange(year, month)[1]) + ONE_DAY


def one_month_from(start: date) -> Period:
    """A term of one month starting on `start`: from + 1 month - 1 day, both ends inclusive."""
    return Period(from_=start, to=add_month(start) - ONE_DAY)
