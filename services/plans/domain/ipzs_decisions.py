"""Decisions about the IPZS of a CIS: signing (one month), renewal (one further month at a time), ending."""

from __future__ import annotations

from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.common import InstitutionKind, institution_kind
from libs.events.schemas.plans import IpzsEnded, IpzsRenewed, IpzsSigned
from services.plans.domain.calendar import ONE_DAY, one_month_from
from services.plans.domain.commands import EndIpzs, RenewIpzs, SignIpzs
from services.plans.domain.permissions import party
from services.plans.domain.plan_state import Ipzs, PlanState


def sign_ipzs(command: SignIpzs, state: PlanState) -> list[BaseModel]:
    """A CIS (by its identifier, CIS-..., and neither the plan's PUP nor its OPS) signs an IPZS; one at a time."""
    actor = command.actor
    if institution_kind(actor.institution) is not InstitutionKind.CIS or (
            state.pup is not None and state.ops is not None
            and actor.institution in (state.pup.institution_id, state.ops.institution_id)):
        raise Forbidden(f"{actor.institution} may not sign an IPZS: only a CIS signs it with the participant")
    current = state.ipzs
    if current is not None and current.ended is None:
        raise DomainError(f"IPZS {current.ipzs_id} of {current.cis.institution_id} has not ended; end it before "
                          "signing another", existing_ipzs_id=current.ipzs_id)
    if any(i.ipzs_id == command.ipzs_id for i in state.ipzs_history):
        raise DomainError(f"IPZS {command.ipzs_id} already exists in this plan", field="ipzs_id")
    term = one_month_from(command.starts_on or command.today)
    return [IpzsSigned(**state.event_keys(), ipzs_id=command.ipzs_id, cis=party(actor, InstitutionKind.CIS),
                       main_goal=command.main_goal, term=term)]


def renew_ipzs(command: RenewIpzs, state: PlanState) -> list[BaseModel]:
    """Continue for one further month from the day after the current term ends, decided during that term."""
    ipzs = _own_ipzs(command.actor.institution, state, "renew")
    assert ipzs.term.to is not None
    # Why only during the current term: a renewal decided now covers the next month; allowing another one before
    # that month starts would grant two months ahead, and a lapsed IPZS must not be revived retroactively.
    if not ipzs.active_on(command.today):
        raise DomainError(f"IPZS {ipzs.ipzs_id} can be renewed only while active, during its current term "
                          f"{ipzs.term.from_}..{ipzs.term.to} (today is {command.today})", rule="active_ipzs")
    term = one_month_from(ipzs.term.to + ONE_DAY)
    return [IpzsRenewed(**state.event_keys(), ipzs_id=ipzs.ipzs_id, term=term, assessment=command.assessment)]


def end_ipzs(command: EndIpzs, state: PlanState) -> list[BaseModel]:
    """End the IPZS today, or on the last day of its term when that has already passed (end of period)."""
    ipzs = _own_ipzs(command.actor.institution, state, "end")
    assert ipzs.term.to is not None
    ended_on = min(command.today, ipzs.term.to)
    return [IpzsEnded(**state.event_keys(), ipzs_id=ipzs.ipzs_id, ended_on=ended_on, reason=command.reason)]


def _own_ipzs(institution: str, state: PlanState, doing: str) -> Ipzs:
    ipzs = state.ipzs
    if ipzs is None:
        raise DomainError(f"there is no IPZS in this plan to {doing}")
    if ipzs.cis.institution_id != institution:
        raise Forbidden(f"{institution} may not {doing} IPZS {ipzs.ipzs_id}: it belongs to {ipzs.cis.institution_id}")
    if ipzs.ended is not None:
        raise DomainError(f"IPZS {ipzs.ipzs_id} ended on {ipzs.ended.ended_on} ({ipzs.ended.reason.value})")
    return ipzs
