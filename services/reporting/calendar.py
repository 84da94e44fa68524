"""Calendar helpers of the read models: the Polish working day and month arithmetic as PostgreSQL does it."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Institutions work by the calendar day in Poland: a moment becomes a date in Warsaw, not in UTC.
WARSAW = ZoneInfo("Europe/Warsaw")


def warsaw_date(moment: datetime) -> date:
    """The Polish calendar day of a moment."""
    return moment.astimezone(WARSAW).date()


def today() -> date:
    """Today in Poland."""
    return datetime.now(WARSAW).date()


def add_months(day: date, months: int) -> date:
    """`day` plus `months` months, clamped to the end of a shorter month (like `date + interval` in PostgreSQL)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)
