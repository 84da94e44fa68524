"""Which sharing a new plan rests on (pure): shared by the actor's institution, under a live agreement, with workers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas.common import InstitutionKind
from services.plans.adapters.shared_client_directory import Sharing
from services.plans.application.opening import open_plan_command, usable_sharing
from tests.unit.plans.plan_builders import AGREEMENT_ID, CLIENT_ID, JOB_BROKER, SOCIAL_WORKER, STRANGER, TODAY

SHARED = Sharing(
    client_id=CLIENT_ID, pup_institution_id=JOB_BROKER.institution, ops_institution_id=SOCIAL_WORKER.institution,
    agreement_id=AGREEMENT_ID, social_preparation_first=True, sharing_active=True, identified_on=date(2026, 10, 1),
    stopped_on=None, stop_reason=None, job_broker=JOB_BROKER.user, career_counsellor=None,
    social_worker=SOCIAL_WORKER.user, agreement_valid_to=None, agreement_ended_on=None, agreement_end_reason=None)


def test_an_active_sharing_with_workers_gives_the_parties_of_the_plan() -> None:
    sharing = usable_sharing([SHARED], CLIENT_ID, SOCIAL_WORKER, TODAY)
    command = open_plan_command(sharing, uuid.UUID(int=7), SOCIAL_WORKER, TODAY)
    assert (command.pup.institution_kind, command.pup.worker) == (InstitutionKind.PUP, JOB_BROKER.user)
    assert (command.ops.institution_kind, command.ops.worker) == (InstitutionKind.OPS, SOCIAL_WORKER.user)
    assert (command.agreement_id, command.social_preparation_first, command.today) == (AGREEMENT_ID, True, TODAY)


@pytest.mark.parametrize(("sharings", "message"), [
    ([], "is not a shared client"),
    ([replace(SHARED, sharing_active=False, stopped_on=date(2026, 10, 5), stop_reason="consent withdrawn")],
     "stopped on 2026-10-05: consent withdrawn"),
    ([replace(SHARED, sharing_active=False)], "has not been identified as shared"),
    ([replace(SHARED, agreement_ended_on=date(2026, 10, 31), agreement_end_reason="terminated")],
     "ended on 2026-10-31: terminated"),
    ([replace(SHARED, agreement_valid_to=date(2026, 10, 31))], "expired on 2026-10-31"),
    ([replace(SHARED, social_worker=None)], "no paired job broker and social worker"),
])
def test_a_plan_needs_a_usable_sharing(sharings: list[Sharing], message: str) -> None:
    with pytest.raises(DomainError, match=message) as refused:
        usable_sharing(sharings, CLIENT_ID, JOB_BROKER, TODAY)
    assert refused.value.field == "client_id"


def test_a_client_shared_by_other_institutions_is_not_the_actor_s_to_plan() -> None:
    with pytest.raises(Forbidden, match="PUP-9999 does not share client"):
        usable_sharing([SHARED], CLIENT_ID, STRANGER, TODAY)


def test_the_actor_s_active_pair_wins_over_a_stopped_one() -> None:
    old = replace(SHARED, ops_institution_id="GOPS-1", sharing_active=False, stopped_on=date(2025, 1, 1),
                  stop_reason="moved")
    assert usable_sharing([old, SHARED], CLIENT_ID, JOB_BROKER, TODAY) == SHARED
