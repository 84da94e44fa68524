"""When reminders fall due (pure): step due and overdue, IPZS expiring, daily digest slots. Dates are passed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from libs.events.ids import derived_id
from libs.events.schemas.common import Period
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.rules import Timing

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A reminder to store as a durable timer: what, about which step or IPZS, and when."""

    reminder_id: uuid.UUID
    kind: NotificationKind
    subject_id: uuid.UUID
    due_on: date
    due_at: datetime


def at_hour(day: date, hour: int, timing: Timing) -> datetime:
    """The moment `hour` o'clock of `day` in the institutions' time zone."""
    return datetime.combine(day, time(hour), tzinfo=timing.zone)


def reminder_id(kind: NotificationKind, subject_id: uuid.UUID, due_on: date) -> uuid.UUID:
    """The same reminder always gets the same id, so storing it again (replay, rescheduling back) adds nothing."""
    return derived_id("reminder", kind.value, subject_id, due_on.isoformat())


def _planned(kind: NotificationKind, subject_id: uuid.UUID, due_on: date, timing: Timing) -> PlannedReminder:
    return PlannedReminder(reminder_id(kind, subject_id, due_on), kind, subject_id, due_on,
                           at_hour(due_on, timing.reminder_hour, timing))


def step_reminders(step_id: uuid.UUID, scheduled: Period, today: date, timing: Timing) -> list[PlannedReminder]:
    """Reminders of a scheduled step: `step_due_days_before` its start, and the day after its end (overdue).

    A step that has already started gets no "due" reminder; one whose end passed more than
    `max_overdue_age_days` ago (history replayed, dates entered late) gets no "overdue" reminder. A due moment
    already past but still before the start fires at once (a late reminder beats none); it keeps the date it
    should have had, so that its id, derived from that date, does not depend on the day it is computed.
    """
    planned = []
    if scheduled.from_ > today:
        due_on = scheduled.from_ - timedelta(days=timing.step_due_days_before)
        planned.append(_planned(NotificationKind.STEP_DUE, step_id, due_on, timing))
    if scheduled.to is not None:
        overdue_on = scheduled.to + ONE_DAY
        if overdue_on >= today - timedelta(days=timing.max_overdue_age_days):
            planned.append(_planned(NotificationKind.STEP_OVERDUE, step_id, overdue_on, timing))
    return planned


def ipzs_reminder(ipzs_id: uuid.UUID, term: Period, today: date, timing: Timing) -> PlannedReminder | None:
    """The reminder `ipzs_expiry_days_before` the IPZS term ends (none for an open or already ended term)."""
    if term.to is None or term.to < today:
        return None
    due_on = max(term.to - timedelta(days=timing.ipzs_expiry_days_before), term.from_)
    return _planned(NotificationKind.IPZS_EXPIRING, ipzs_id, due_on, timing)


def digest_slot(sent_at: datetime, timing: Timing) -> datetime:
    """The digest an item sent at `sent_at` goes into: the next `digest_hour` o'clock at or after it."""
    local = sent_at.astimezone(timing.zone)
    slot = at_hour(local.date(), timing.digest_hour, timing)
    return slot if local < slot else at_hour(local.date() + ONE_DAY, timing.digest_hour, timing)


def local_day(moment: datetime, timing: Timing) -> date:
    """The calendar day of a moment in the institutions' time zone."""
    return moment.astimezone(timing.zone).date()
