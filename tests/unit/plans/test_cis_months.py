"""Monthly CIS decisions: attendance and the integration bonus, by the CIS of the IPZS, for months of participation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.schemas.plans import CisAttendanceRecorded, IntegrationBonusDecided, IpzsEnding, PlanOutcome
from services.plans.domain.commands import ClosePlan, DecideIntegrationBonus, EndIpzs, RecordAttendance
from tests.unit.plans.plan_builders import (
    CIS_ID,
    CIS_WORKER,
    CLIENT_ID,
    JOB_BROKER,
    OTHER_CIS_WORKER,
    PLAN_ID,
    SOCIAL_WORKER,
    TODAY,
    given,
    opened,
    sign_ipzs,
    when,
)

NOVEMBER = date(2026, 11, 1)


def attendance(actor: Actor = CIS_WORKER, today: date = TODAY, **changes: Any) -> RecordAttendance:
    fields: dict[str, Any] = {"actor": actor, "today": today, "month": NOVEMBER, "days_scheduled": 20,
                              "days_present": 18, "days_excused": 1}
    return RecordAttendance(**{**fields, **changes})


def bonus(actor: Actor = CIS_WORKER, today: date = TODAY, **changes: Any) -> DecideIntegrationBonus:
    fields: dict[str, Any] = {"actor": actor, "today": today, "month": NOVEMBER, "granted": True,
                              "amount": Decimal("250.00")}
    return DecideIntegrationBonus(**{**fields, **changes})


def test_the_cis_of_the_ipzs_records_a_month_of_attendance() -> None:
    history = given(opened(), sign_ipzs())
    [recorded] = when(history, attendance())
    assert recorded == CisAttendanceRecorded(
        plan_id=PLAN_ID, client_id=CLIENT_ID, ipzs_id=recorded.ipzs_id, cis_institution_id=CIS_ID, month=NOVEMBER,
        days_scheduled=20, days_present=18, days_excused=1, recorded_by=CIS_WORKER.user)
    # A second record of the same month is a correction, not a refusal.
    [corrected] = when(given(history, attendance()), attendance(days_present=19, days_excused=0))
    assert isinstance(corrected, CisAttendanceRecorded)
    assert corrected.days_present == 19


def test_the_cis_decides_the_integration_bonus_granted_with_an_amount_or_refused_without() -> None:
    history = given(opened(), sign_ipzs())
    [granted] = when(history, bonus(reason="full attendance"))
    assert isinstance(granted, IntegrationBonusDecided)
    assert (granted.granted, granted.amount, granted.cis_institution_id) == (True, Decimal("250.00"), CIS_ID)
    [refused] = when(history, bonus(granted=False, amount=None, reason="two unexcused absences"))
    assert isinstance(refused, IntegrationBonusDecided)
    assert (refused.granted, refused.amount) == (False, None)
    with pytest.raises(DomainError, match="needs its amount"):
        when(history, bonus(amount=None))
    with pytest.raises(DomainError, match="has no amount"):
        when(history, bonus(granted=False))


@pytest.mark.parametrize("actor", [JOB_BROKER, SOCIAL_WORKER, OTHER_CIS_WORKER])
def test_only_the_cis_of_the_ipzs_decides_its_months(actor: Actor) -> None:
    history = given(opened(), sign_ipzs())
    with pytest.raises(Forbidden):
        when(history, attendance(actor))
    with pytest.raises(Forbidden):
        when(history, bonus(actor))


def test_no_month_without_an_ipzs() -> None:
    with pytest.raises(DomainError, match="no IPZS"):
        when(opened(), attendance())


@pytest.mark.parametrize(("changes", "message"), [
    ({"month": date(2026, 11, 5)}, "first day"),
    ({"month": date(2026, 12, 1)}, "has not started yet"),
    ({"month": date(2026, 10, 1)}, "outside the participation"),
    ({"days_scheduled": 10, "days_present": 10, "days_excused": 1}, "exceed"),
    ({"days_scheduled": 30, "days_present": 0}, None),
])
def test_a_month_must_be_one_of_participation_with_consistent_days(changes: dict[str, Any],
                                                                   message: str | None) -> None:
    history = given(opened(), sign_ipzs())
    if message is None:
        assert when(history, attendance(**changes))
        return
    with pytest.raises(DomainError, match=message):
        when(history, attendance(**changes))


def test_scheduled_days_fit_in_the_month() -> None:
    february = date(2027, 2, 1)
    history = given(opened(), sign_ipzs(today=february, starts_on=february))
    with pytest.raises(DomainError, match="do not fit"):
        when(history, attendance(today=date(2027, 2, 10), month=february, days_scheduled=29))


def test_the_last_month_is_assessed_after_the_ipzs_ended_but_never_after_the_plan_closed() -> None:
    ended = given(opened(), sign_ipzs(), EndIpzs(actor=CIS_WORKER, today=TODAY, reason=IpzsEnding.EMPLOYMENT))
    later = date(2026, 12, 3)
    [recorded] = when(ended, attendance(today=later))
    assert isinstance(recorded, CisAttendanceRecorded)
    with pytest.raises(DomainError, match="outside the participation"):
        when(ended, attendance(today=later, month=date(2026, 12, 1)))
    closed = given(ended, ClosePlan(actor=JOB_BROKER, today=later, outcome=PlanOutcome.EMPLOYMENT))
    with pytest.raises(DomainError, match="closed"):
        when(closed, bonus(today=later))
