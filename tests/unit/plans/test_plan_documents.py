"""The social contract (OPS), the IPD (PUP) and the social worker's waiver: who may record them, and when."""

from __future__ import annotations

import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.schemas.plans import IpdConcluded, SocialContractConcluded, SocialPreparationWaived
from services.plans.domain.commands import ConcludeIpd, ConcludeSocialContract, WaiveSocialPreparation
from tests.unit.plans.plan_builders import (
    CIS_WORKER,
    JOB_BROKER,
    OPS_ASSISTANT,
    SOCIAL_WORKER,
    TODAY,
    given,
    opened,
    period,
    sign_ipzs,
    state_of,
    when,
)


def contract(number: str = "KS/2026/17", actor: Actor = SOCIAL_WORKER) -> ConcludeSocialContract:
    return ConcludeSocialContract(actor=actor, today=TODAY, contract_number=number, valid=period(0, 180),
                                  goals=("regular income", "stable housing"))


def ipd(number: str = "IPD/2026/9", actor: Actor = JOB_BROKER) -> ConcludeIpd:
    return ConcludeIpd(actor=actor, today=TODAY, ipd_number=number, valid=period(0, 180), goals=("warehouse job",))


def waive(actor: Actor = SOCIAL_WORKER) -> WaiveSocialPreparation:
    return WaiveSocialPreparation(actor=actor, today=TODAY, reason="the client is ready for a job now")


def test_the_ops_concludes_the_social_contract_signed_by_its_social_worker() -> None:
    [event] = when(opened(), contract())
    assert isinstance(event, SocialContractConcluded)
    assert (event.contract_number, event.social_worker, event.goals) == (
        "KS/2026/17", SOCIAL_WORKER.user, ("regular income", "stable housing"))
    assert state_of([*opened(), event]).social_contract == event


@pytest.mark.parametrize("actor", [JOB_BROKER, CIS_WORKER])
def test_only_the_ops_concludes_the_social_contract(actor: Actor) -> None:
    history = given(opened(), sign_ipzs())
    with pytest.raises(Forbidden, match="conclude the social contract"):
        when(history, contract(actor=actor))


def test_the_pup_concludes_the_ipd_and_the_ops_may_not() -> None:
    [event] = when(opened(), ipd())
    assert isinstance(event, IpdConcluded)
    assert event.job_broker == JOB_BROKER.user
    with pytest.raises(Forbidden, match="conclude the IPD"):
        when(opened(), ipd(actor=SOCIAL_WORKER))


def test_the_same_document_is_not_recorded_twice_but_a_new_one_replaces_it() -> None:
    history = given(opened(), contract(), ipd())
    with pytest.raises(DomainError, match="already part"):
        when(history, contract())
    with pytest.raises(DomainError, match="already part"):
        when(history, ipd())
    history = given(history, contract("KS/2027/1"), ipd("IPD/2027/1"))
    state = state_of(history)
    assert state.social_contract is not None
    assert state.social_contract.contract_number == "KS/2027/1"
    assert state.ipd is not None
    assert state.ipd.ipd_number == "IPD/2027/1"


def test_the_social_worker_waives_the_social_preparation_once() -> None:
    [event] = when(opened(), waive())
    assert isinstance(event, SocialPreparationWaived)
    assert (event.social_worker, event.waived_on) == (SOCIAL_WORKER.user, TODAY)
    with pytest.raises(DomainError, match="already waived"):
        when([*opened(), event], waive())


@pytest.mark.parametrize("actor", [JOB_BROKER, OPS_ASSISTANT])
def test_only_a_social_worker_of_the_ops_may_waive(actor: Actor) -> None:
    with pytest.raises(Forbidden):
        when(opened(), waive(actor))


def test_there_is_nothing_to_waive_when_the_plan_does_not_put_social_preparation_first() -> None:
    with pytest.raises(DomainError, match="nothing to waive"):
        when(opened(social_preparation_first=False), waive())
