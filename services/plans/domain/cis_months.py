"""Monthly decisions of a CIS about a participant: attendance at classes and the integration bonus (premia
integracyjna). Only the CIS holding the IPZS decides them, for months the participant took part in."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.common import InstitutionKind, institution_kind
from libs.events.schemas.plans import CisAttendanceRecorded, IntegrationBonusDecided
from services.plans.domain.commands import DecideIntegrationBonus, RecordAttendance
from services.plans.domain.plan_state import Ipzs, PlanState


def record_attendance(command: RecordAttendance, state: PlanState) -> list[BaseModel]:
    """Attendance of one month: present and excused days within the scheduled days of a month of participation."""
    ipzs = _month_of_participation(command.actor.institution, command.month, command.today, state, "record "
                                   "attendance")
    last_day = monthrange(command.month.year, command.month.month)[1]
    if command.days_scheduled > last_day:
        raise DomainError(f"{command.days_scheduled} scheduled days do not fit in {command.month:%Y-%m} "
                          f"({last_day} days)", field="days_scheduled")
    if command.days_present + command.days_excused > command.days_scheduled:
        raise DomainError(f"present ({command.days_present}) and excused ({command.days_excused}) days exceed the "
                          f"{command.days_scheduled} scheduled days", field="days_present")
    return [CisAttendanceRecorded(
        **state.event_keys(), ipzs_id=ipzs.ipzs_id, cis_institution_id=ipzs.cis.institution_id, month=command.month,
        days_scheduled=command.days_scheduled, days_present=command.days_present,
        days_excused=command.days_excused, recorded_by=command.actor.user)]


def decide_integration_bonus(command: DecideIntegrationBonus, state: PlanState) -> list[BaseModel]:
    """The bonus of one month of participation; a granted bonus names its amount, a refused one has none."""
    ipzs = _month_of_participation(command.actor.institution, command.month, command.today, state,
                                   "decide the integration bonus")
    if command.granted and command.amount is None:
        raise DomainError("a granted integration bonus needs its amount", field="amount")
    if not command.granted and command.amount:
        raise DomainError("a refused integration bonus has no amount", field="amount")
    return [IntegrationBonusDecided(
        **state.event_keys(), ipzs_id=ipzs.ipzs_id, cis_institution_id=ipzs.cis.institution_id, month=command.month,
        granted=command.granted, amount=command.amount if command.granted else None, reason=command.reason,
        decided_by=command.actor.user)]


def _month_of_participation(institution: str, month: date, today: date, state: PlanState, doing: str) -> Ipzs:
    """The plan's latest IPZS, when it belongs to the actor's CIS and `month` overlaps its participation."""
    ipzs = state.ipzs
    if institution_kind(institution) is not InstitutionKind.CIS:
        raise Forbidden(f"{institution} may not {doing}: only the CIS of the participant's IPZS may")
    if ipzs is None:
        raise DomainError(f"there is no IPZS in this plan to {doing} for")
    if ipzs.cis.institution_id != institution:
        raise Forbidden(f"{institution} may not {doing}: IPZS {ipzs.ipzs_id} belongs to {ipzs.cis.institution_id}")
    if month.day != 1:
        raise DomainError(f"a month is given by its first day, not {month}", field="month")
    if month > today:
        raise DomainError(f"{month:%Y-%m} has not started yet (today is {today})", field="month")
    assert ipzs.term.to is not None
    # Why until the end date rather than only while active: the last month is assessed after the IPZS ended.
    ends = ipzs.ended.ended_on if ipzs.ended else ipzs.term.to
    month_end = month.replace(day=monthrange(month.year, month.month)[1])
    if month_end < ipzs.first_term.from_ or month > ends:
        raise DomainError(f"{month:%Y-%m} is outside the participation in IPZS {ipzs.ipzs_id} "
                          f"({ipzs.first_term.from_}..{ends})", field="month")
    return ipzs
