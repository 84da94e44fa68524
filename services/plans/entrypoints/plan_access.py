"""Which plans an institution reads (docs/access-control.md): the plan's PUP and OPS, a CIS that signed an IPZS
in it, and any CIS before the plan has an IPZS (it reads the plan to prepare one; the plan has no record of it
until it signs). A plan that did not exist at the moment asked for reveals nothing and stays a 404."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from libs.events.auth.policy import AccessDenied
from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionKind, institution_kind
from services.plans.access_policy import READ
from services.plans.adapters.shared_client_directory import Sharing
from services.plans.domain.permissions import kind_of
from services.plans.domain.plan_state import PlanState


def check_plan_reader(actor: Actor, state: PlanState, plan_id: uuid.UUID) -> None:
    if state.pup is None or kind_of(actor, state) is not None:
        return
    if institution_kind(actor.institution) is InstitutionKind.CIS and not state.ipzs_history:
        return
    raise AccessDenied(READ.name, f"{actor.institution} is not an institution of plan {plan_id} (its PUP, its OPS "
                                  "or the CIS of its IPZS)")


def check_sharing_reader(actor: Actor, sharings: Sequence[Sharing], client_id: uuid.UUID) -> None:
    if not any(actor.institution in (s.pup_institution_id, s.ops_institution_id) for s in sharings):
        raise AccessDenied(READ.name, f"{actor.institution} does not share client {client_id}")
