"""When reminders fall due: pure functions of the dates, with "today" passed in."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from libs.events.schemas.common import Period
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.reminders import digest_slot, ipzs_reminder, local_day, step_reminders
from services.notifications.domain.rules import Timing

WARSAW = ZoneInfo("Europe/Warsaw")
TIMING = Timing(reminder_hour=8, step_due_days_before=2, ipzs_expiry_days_before=5, max_overdue_age_days=30,
                digest_hour=16)
TODAY = date(2026, 11, 23)
STEP = uuid.UUID("0190b7a2-0000-7000-8000-00000000f001")


def test_a_scheduled_step_is_reminded_before_its_start_and_the_day_after_its_end() -> None:
    due, overdue = step_reminders(STEP, Period(from_=date(2026, 12, 1), to=date(2026, 12, 11)), TODAY, TIMING)
    assert (due.kind, due.due_on, due.due_at) == (
        NotificationKind.STEP_DUE, date(2026, 11, 29), datetime(2026, 11, 29, 8, tzinfo=WARSAW))
    assert (overdue.kind, overdue.due_on, overdue.due_at) == (
        NotificationKind.STEP_OVERDUE, date(2026, 12, 12), datetime(2026, 12, 12, 8, tzinfo=WARSAW))
    assert due.due_at.astimezone(UTC) == datetime(2026, 11, 29, 7, tzinfo=UTC)  # CET is UTC+1


def test_the_local_hour_holds_across_daylight_saving_time() -> None:
    [due, _] = step_reminders(STEP, Period(from_=date(2027, 6, 3), to=date(2027, 6, 4)), TODAY, TIMING)
    assert due.due_at.astimezone(UTC) == datetime(2027, 6, 1, 6, tzinfo=UTC)  # CEST is UTC+2


def test_a_step_starting_soon_is_reminded_at_once_under_the_date_it_should_have_had() -> None:
    [due, _] = step_reminders(STEP, Period(from_=TODAY + timedelta(days=1), to=TODAY + timedelta(days=3)), TODAY,
                              TIMING)
    assert due.due_on == TODAY - timedelta(days=1)  # already past: the loop fires it at once
    [again, _] = step_reminders(STEP, Period(from_=TODAY + timedelta(days=1), to=TODAY + timedelta(days=3)),
                                TODAY + timedelta(days=0), TIMING)
    assert again.reminder_id == due.reminder_id


def test_a_started_step_gets_no_due_reminder_and_an_open_ended_one_no_overdue_reminder() -> None:
    [overdue] = step_reminders(STEP, Period(from_=TODAY, to=TODAY + timedelta(days=5)), TODAY, TIMING)
    assert overdue.kind is NotificationKind.STEP_OVERDUE
    [due] = step_reminders(STEP, Period(from_=TODAY + timedelta(days=5), to=None), TODAY, TIMING)
    assert due.kind is NotificationKind.STEP_DUE
    assert step_reminders(STEP, Period(from_=TODAY - timedelta(days=5), to=None), TODAY, TIMING) == []


def test_long_overdue_history_is_not_reminded() -> None:
    ended = TODAY - timedelta(days=TIMING.max_overdue_age_days + 2)
    assert step_reminders(STEP, Period(from_=ended - timedelta(days=10), to=ended), TODAY, TIMING) == []
    recent = TODAY - timedelta(days=3)
    [overdue] = step_reminders(STEP, Period(from_=recent - timedelta(days=10), to=recent), TODAY, TIMING)
    assert overdue.due_on == recent + timedelta(days=1)


def test_reminder_ids_follow_the_dates_not_the_day_they_are_computed() -> None:
    period = Period(from_=date(2026, 12, 1), to=date(2026, 12, 11))
    first = step_reminders(STEP, period, TODAY, TIMING)
    later = step_reminders(STEP, period, TODAY + timedelta(days=3), TIMING)
    assert [r.reminder_id for r in first] == [r.reminder_id for r in later]
    moved = step_reminders(STEP, Period(from_=date(2026, 12, 2), to=date(2026, 12, 11)), TODAY, TIMING)
    assert moved[0].reminder_id != first[0].reminder_id
    assert moved[1].reminder_id == first[1].reminder_id


def test_an_ipzs_is_reminded_before_its_term_ends() -> None:
    reminder = ipzs_reminder(STEP, Period(from_=date(2026, 11, 9), to=date(2026, 12, 8)), TODAY, TIMING)
    assert reminder is not None
    assert (reminder.kind, reminder.due_on) == (NotificationKind.IPZS_EXPIRING, date(2026, 12, 3))
    short = ipzs_reminder(STEP, Period(from_=date(2026, 11, 30), to=date(2026, 12, 2)), TODAY, TIMING)
    assert short is not None
    assert short.due_on == date(2026, 11, 30)
    assert ipzs_reminder(STEP, Period(from_=date(2026, 10, 1), to=date(2026, 10, 31)), TODAY, TIMING) is None
    assert ipzs_reminder(STEP, Period(from_=date(2026, 10, 1), to=None), TODAY, TIMING) is None


def test_digest_items_go_into_the_next_digest_hour() -> None:
    morning = datetime(2026, 11, 23, 9, 30, tzinfo=WARSAW)
    assert digest_slot(morning, TIMING) == datetime(2026, 11, 23, 16, tzinfo=WARSAW)
    evening = datetime(2026, 11, 23, 16, 0, tzinfo=WARSAW)
    assert digest_slot(evening, TIMING) == datetime(2026, 11, 24, 16, tzinfo=WARSAW)
    assert digest_slot(morning.astimezone(UTC), TIMING) == datetime(2026, 11, 23, 16, tzinfo=WARSAW)
    assert local_day(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), TIMING) == date(2026, 11, 24)
