"""The IPZS of a CIS: one-month terms, renewal one month at a time while active, ending; no support without it."""

from __future__ import annotations

from datetime import date

import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.plans import Instrument, IpzsEnded, IpzsEnding, IpzsRenewed, IpzsSigned, PlanStepAdded
from services.plans.domain.calendar import one_month_from
from services.plans.domain.commands import EndIpzs, RenewIpzs
from tests.unit.plans.plan_builders import (
    CIS_WORKER,
    JOB_BROKER,
    OTHER_CIS_WORKER,
    SOCIAL_WORKER,
    TODAY,
    add_step,
    days,
    given,
    opened,
    period,
    schedule,
    sign_ipzs,
    state_of,
    when,
)


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 1, 15), date(2026, 2, 14)),
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 12, 15), date(2027, 1, 14)),
    (date(2026, 1, 31), date(2026, 2, 28)),  # February is shorter: the term covers all of it
    (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
    (date(2026, 1, 30), date(2026, 2, 28)),
    (date(2026, 2, 28), date(2026, 3, 27)),
])
def test_a_term_is_one_month_from_its_start_minus_one_day(start: date, end: date) -> None:
    assert one_month_from(start) == Period(from_=start, to=end)


def renew(actor: Actor = CIS_WORKER, today: date = TODAY) -> RenewIpzs:
    return RenewIpzs(actor=actor, today=today, assessment="attends, motivated")


def end(reason: IpzsEnding, actor: Actor = CIS_WORKER, today: date = TODAY) -> EndIpzs:
    return EndIpzs(actor=actor, today=today, reason=reason)


def test_a_cis_signs_an_ipzs_whose_first_term_is_one_month() -> None:
    [signed] = when(opened(), sign_ipzs())
    assert isinstance(signed, IpzsSigned)
    assert signed.cis.institution_id == CIS_WORKER.institution
    assert signed.cis.institution_kind is InstitutionKind.CIS
    assert signed.term == Period(from_=date(2026, 11, 2), to=date(2026, 12, 1))
    [later] = when(opened(), sign_ipzs(starts_on=date(2026, 11, 9)))
    assert isinstance(later, IpzsSigned)
    assert later.term.to == date(2026, 12, 8)


@pytest.mark.parametrize("actor", [JOB_BROKER, SOCIAL_WORKER])
def test_the_pup_and_the_ops_do_not_sign_an_ipzs(actor: Actor) -> None:
    with pytest.raises(Forbidden, match="only a CIS"):
        when(opened(), sign_ipzs(actor))


def test_one_ipzs_at_a_time() -> None:
    history = given(opened(), sign_ipzs())
    with pytest.raises(DomainError, match="has not ended"):
        when(history, sign_ipzs(OTHER_CIS_WORKER, 2))
    history = given(history, end(IpzsEnding.END_OF_PERIOD))
    [again] = when(history, sign_ipzs(OTHER_CIS_WORKER, 2))
    assert isinstance(again, IpzsSigned)


def test_renewal_adds_one_month_starting_the_day_after_the_term_ends() -> None:
    history = given(opened(), sign_ipzs())
    [renewed] = when(history, renew(today=days(25)))
    assert isinstance(renewed, IpzsRenewed)
    assert renewed.term == Period(from_=date(2026, 12, 2), to=date(2027, 1, 1))
    history = [*history, renewed]
    # Still in the first term: a second renewal would grant two months ahead.
    with pytest.raises(DomainError, match="only while active"):
        when(history, renew(today=days(26)))
    [third] = when(history, renew(today=date(2026, 12, 20)))
    assert isinstance(third, IpzsRenewed)
    assert third.term == Period(from_=date(2027, 1, 2), to=date(2027, 2, 1))


def test_a_lapsed_or_ended_ipzs_is_not_renewed() -> None:
    history = given(opened(), sign_ipzs())
    with pytest.raises(DomainError, match="only while active"):
        when(history, renew(today=date(2026, 12, 2)))
    ended = given(history, end(IpzsEnding.EMPLOYMENT))
    with pytest.raises(DomainError, match="ended on"):
        when(ended, renew())


def test_only_the_cis_of_the_ipzs_renews_or_ends_it() -> None:
    history = given(opened(), sign_ipzs())
    for actor in (OTHER_CIS_WORKER, SOCIAL_WORKER, JOB_BROKER):
        with pytest.raises(Forbidden):
            when(history, renew(actor))
        with pytest.raises(Forbidden):
            when(history, end(IpzsEnding.EMPLOYMENT, actor))


@pytest.mark.parametrize("reason", list(IpzsEnding))
def test_the_ipzs_ends_with_a_reason_today_or_on_the_last_day_of_its_term(reason: IpzsEnding) -> None:
    history = given(opened(), sign_ipzs())
    [ended] = when(history, end(reason, today=days(10)))
    assert isinstance(ended, IpzsEnded)
    assert (ended.reason, ended.ended_on) == (reason, days(10))
    [late] = when(history, end(reason, today=days(90)))
    assert isinstance(late, IpzsEnded)
    assert late.ended_on == date(2026, 12, 1)
    with pytest.raises(DomainError, match="ended on"):
        when([*history, ended], end(reason))


def test_no_cis_support_without_an_active_ipzs() -> None:
    with pytest.raises(Forbidden):  # a CIS that never signed an IPZS is not part of the plan
        when(opened(), add_step(CIS_WORKER, Instrument.CIS_CLASSES))
    history = given(opened(), sign_ipzs())
    [added] = when(history, add_step(CIS_WORKER, Instrument.CIS_CLASSES))
    assert isinstance(added, PlanStepAdded)
    assert added.owner.institution_kind is InstitutionKind.CIS
    history = given(history, add_step(CIS_WORKER, Instrument.CIS_CLASSES), end(IpzsEnding.END_OF_PERIOD))
    with pytest.raises(DomainError, match="no support without an active IPZS"):
        when(history, add_step(CIS_WORKER, Instrument.CIS_WORK_PRACTICE, 2))
    with pytest.raises(DomainError, match="no support without an active IPZS"):
        when(history, schedule(CIS_WORKER))


def test_cis_steps_start_within_the_current_term_and_belong_to_the_cis_with_the_ipzs() -> None:
    history = given(opened(), sign_ipzs(), add_step(CIS_WORKER, Instrument.CIS_CLASSES))
    with pytest.raises(DomainError, match="within the current IPZS term"):
        when(history, schedule(CIS_WORKER, scheduled=period(40, 60)))
    assert when(history, schedule(CIS_WORKER, scheduled=period(3, 40)))
    with pytest.raises(Forbidden):
        when(history, add_step(JOB_BROKER, Instrument.CIS_CLASSES, 2))
    with pytest.raises(Forbidden):  # the CIS may not take over the vocational part
        when(history, add_step(CIS_WORKER, Instrument.INTERNSHIP, 2))
    with pytest.raises(Forbidden):
        when(history, schedule(JOB_BROKER))


def test_a_cis_whose_ipzs_ended_still_counts_as_a_participant() -> None:
    history = given(opened(), sign_ipzs(), end(IpzsEnding.OWN_BUSINESS), sign_ipzs(OTHER_CIS_WORKER, 2))
    state = state_of(history)
    assert [i.cis.institution_id for i in state.ipzs_history] == [CIS_WORKER.institution,
                                                                   OTHER_CIS_WORKER.institution]
    with pytest.raises(DomainError, match="no support without an active IPZS"):
        when(history, add_step(CIS_WORKER, Instrument.CIS_CLASSES))



def test_only_an_institution_identified_as_a_cis_signs_an_ipzs() -> None:
    another_ops = Actor(user="x@mops-9999", institution="MOPS-9999", role="social_worker")
    with pytest.raises(Forbidden, match="only a CIS"):
        when(opened(), sign_ipzs(actor=another_ops))
