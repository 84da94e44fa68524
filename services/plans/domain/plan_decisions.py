"""Decisions about the plan as a whole: opening, its documents (social contract, IPD), waiver, review, closing."""

from __future__ import annotations

from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.common import InstitutionKind
from libs.events.schemas.plans import (
    IpdConcluded,
    PlanClosed,
    PlanOpened,
    PlanReviewed,
    SocialContractConcluded,
    SocialPreparationWaived,
)
from services.plans.domain.commands import (
    ClosePlan,
    ConcludeIpd,
    ConcludeSocialContract,
    OpenPlan,
    ReviewPlan,
    WaiveSocialPreparation,
)
from services.plans.domain.permissions import require_party, require_social_worker
from services.plans.domain.plan_state import PlanState

PUP_OR_OPS = frozenset({InstitutionKind.PUP, InstitutionKind.OPS})
ANY_PARTY = frozenset({InstitutionKind.PUP, InstitutionKind.OPS, InstitutionKind.CIS})


def open_plan(command: OpenPlan, state: PlanState) -> list[BaseModel]:
    """One plan per stream, opened by the PUP or the OPS that share the client."""
    if state.exists:
        raise DomainError(f"plan {state.plan_id} is already open", existing_plan_id=state.plan_id)
    if command.pup.institution_kind is not InstitutionKind.PUP or command.ops.institution_kind is not \
            InstitutionKind.OPS:
        raise DomainError("a joint plan is opened for a PUP and an OPS", field="institution_kind")
    if command.pup.institution_id == command.ops.institution_id:
        raise DomainError("the PUP and the OPS of a joint plan must be two institutions", field="institution_id")
    if command.actor.institution not in (command.pup.institution_id, command.ops.institution_id):
        raise Forbidden(f"{command.actor.institution} may not open this plan: only {command.pup.institution_id} "
                        f"or {command.ops.institution_id}, which share the client, may")
    return [PlanOpened(
        plan_id=command.plan_id, client_id=command.client_id, agreement_id=command.agreement_id, pup=command.pup,
        ops=command.ops, social_preparation_first=command.social_preparation_first, opened_on=command.today)]


def conclude_social_contract(command: ConcludeSocialContract, state: PlanState) -> list[BaseModel]:
    """Only the OPS concludes the social contract; a new number replaces the previous contract."""
    require_party(command.actor, state, {InstitutionKind.OPS}, "conclude the social contract")
    if state.social_contract is not None and state.social_contract.contract_number == command.contract_number:
        raise DomainError(f"social contract {command.contract_number} is already part of this plan",
                          field="contract_number")
    return [SocialContractConcluded(
        **state.event_keys(), contract_number=command.contract_number, social_worker=command.actor.user,
        valid=command.valid, goals=command.goals)]


def conclude_ipd(command: ConcludeIpd, state: PlanState) -> list[BaseModel]:
    """Only the PUP prepares the IPD; a new number replaces the previous IPD."""
    require_party(command.actor, state, {InstitutionKind.PUP}, "conclude the IPD")
    if state.ipd is not None and state.ipd.ipd_number == command.ipd_number:
        raise DomainError(f"IPD {command.ipd_number} is already part of this plan", field="ipd_number")
    return [IpdConcluded(**state.event_keys(), ipd_number=command.ipd_number, job_broker=command.actor.user,
                         valid=command.valid, goals=command.goals)]


def waive_social_preparation(command: WaiveSocialPreparation, state: PlanState) -> list[BaseModel]:
    """The OPS social worker lets the vocational part go ahead before the social preparation is finished."""
    require_social_worker(command.actor, state, "waive the social preparation")
    if not state.social_preparation_first:
        raise DomainError("this plan does not put social preparation first; there is nothing to waive",
                          rule="social_preparation_first")
    if state.waiver is not None:
        raise DomainError(f"the social preparation was already waived on {state.waiver.waived_on}")
    return [SocialPreparationWaived(**state.event_keys(), social_worker=command.actor.user, reason=command.reason,
                                    waived_on=command.today)]


def review_plan(command: ReviewPlan, state: PlanState) -> list[BaseModel]:
    """Any participating institution (PUP, OPS, a CIS with an IPZS in the plan) may review the plan."""
    require_party(command.actor, state, ANY_PARTY, "review this plan")
    return [PlanReviewed(**state.event_keys(), reviewed_on=command.today, reviewer=command.actor.user,
                         institution_id=command.actor.institution, summary=command.summary)]


def close_plan(command: ClosePlan, state: PlanState) -> list[BaseModel]:
    """The PUP or the OPS closes the plan with its outcome; open steps stay as they are, for the record."""
    require_party(command.actor, state, PUP_OR_OPS, "close this plan")
    return [PlanClosed(**state.event_keys(), closed_on=command.today, outcome=command.outcome,
                       closed_by=command.actor.user, institution_id=command.actor.institution)]
