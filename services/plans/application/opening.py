"""Which sharing a new joint plan rests on: the client must be shared, by the actor's institution, with workers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionKind
from libs.events.schemas.plans import PlanParty
from services.plans.adapters.shared_client_directory import Sharing
from services.plans.domain.commands import OpenPlan


def usable_sharing(sharings: Sequence[Sharing], client_id: uuid.UUID, actor: Actor, today: date) -> Sharing:
    """The active sharing of the actor's institution; 409 when the client is not (or no longer) shared, 403 when
    it is shared only by other institutions."""
    if not sharings:
        raise DomainError(f"client {client_id} is not a shared client: a joint plan needs the client to be "
                          "identified as shared by a PUP and an OPS with a cooperation agreement",
                          field="client_id", rule="shared_client")
    mine = [s for s in sharings if actor.institution in (s.pup_institution_id, s.ops_institution_id)]
    usable = [s for s in mine if s.why_not_shared(today) is None]
    if not usable:
        if not mine and any(s.why_not_shared(today) is None for s in sharings):
            pairs = ", ".join(f"{s.pup_institution_id}+{s.ops_institution_id}" for s in sharings)
            raise Forbidden(f"{actor.institution} does not share client {client_id} (shared by {pairs}); only "
                            "the PUP or the OPS sharing the client may open its joint plan")
        reason = (mine or list(sharings))[0].why_not_shared(today)
        raise DomainError(f"client {client_id} is not shared any more: {reason}", field="client_id",
                          rule="shared_client")
    sharing = usable[0]
    if not sharing.job_broker or not sharing.social_worker:
        raise DomainError(f"client {client_id} has no paired job broker and social worker assigned yet "
                          "(CaseWorkersAssigned); the plan needs both", field="client_id", rule="case_workers")
    return sharing


def open_plan_command(sharing: Sharing, plan_id: uuid.UUID, actor: Actor, today: date) -> OpenPlan:
    """The OpenPlan command for a usable sharing: the paired workers become the plan's PUP and OPS parties."""
    assert sharing.job_broker is not None
    assert sharing.social_worker is not None
    assert sharing.agreement_id is not None
    return OpenPlan(
        actor=actor, today=today, plan_id=plan_id, client_id=sharing.client_id, agreement_id=sharing.agreement_id,
        pup=PlanParty(institution_id=sharing.pup_institution_id, institution_kind=InstitutionKind.PUP,
                      worker=sharing.job_broker),
        ops=PlanParty(institution_id=sharing.ops_institution_id, institution_kind=InstitutionKind.OPS,
                      worker=sharing.social_worker),
        social_preparation_first=sharing.social_preparation_first)
