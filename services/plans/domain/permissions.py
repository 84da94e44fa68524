"""Who may do what in a joint plan: every party sees everything, each changes only its own steps and documents."""

from __future__ import annotations

from collections.abc import Collection

from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionKind
from libs.events.schemas.plans import PlanParty, StepCategory
from services.plans.domain.plan_state import PlanState, Step

SOCIAL_WORKER_ROLE = "social_worker"

# Which kind of institution may own a step of each category. Educational steps (career counselling, completing
# an education) are offered by both the PUP and the OPS in practice, so either may own them.
OWNER_KINDS: dict[StepCategory, frozenset[InstitutionKind]] = {
    StepCategory.VOCATIONAL: frozenset({InstitutionKind.PUP}),
    StepCategory.EDUCATIONAL: frozenset({InstitutionKind.PUP, InstitutionKind.OPS}),
    StepCategory.SOCIAL: frozenset({InstitutionKind.OPS}),
    StepCategory.CIS: frozenset({InstitutionKind.CIS}),
}


def require_open(state: PlanState) -> None:
    """Refuse any change of a plan that was never opened or is closed (a closed plan never changes)."""
    if not state.exists:
        raise DomainError("the plan has not been opened")
    if state.closure is not None:
        raise DomainError(
            f"plan {state.plan_id} was closed on {state.closure.closed_on} with outcome "
            f"{state.closure.outcome.value}; a closed plan never changes",
            closed_on=state.closure.closed_on, outcome=state.closure.outcome.value)


def kind_of(actor: Actor, state: PlanState) -> InstitutionKind | None:
    """The part the actor's institution plays in this plan: its PUP, its OPS, a CIS that signed an IPZS, or none.

    The actor carries no institution kind (docs/decisions/0004-identity.md), so a CIS is recognised by having
    signed an IPZS in this plan; before that, any institution other than the plan's PUP and OPS may sign one.
    """
    if state.pup is not None and actor.institution == state.pup.institution_id:
        return InstitutionKind.PUP
    if state.ops is not None and actor.institution == state.ops.institution_id:
        return InstitutionKind.OPS
    if any(i.cis.institution_id == actor.institution for i in state.ipzs_history):
        return InstitutionKind.CIS
    return None


def require_party(actor: Actor, state: PlanState, kinds: Collection[InstitutionKind], doing: str) -> InstitutionKind:
    """The actor's kind in the plan, or Forbidden when it is not one of `kinds`."""
    kind = kind_of(actor, state)
    if kind is None or kind not in kinds:
        allowed = " or ".join(sorted(k.value for k in kinds))
        raise Forbidden(f"{actor.institution} may not {doing}: only the {allowed} of this plan may")
    return kind


def require_social_worker(actor: Actor, state: PlanState, doing: str) -> None:
    """Only a social worker of the plan's OPS."""
    require_party(actor, state, {InstitutionKind.OPS}, doing)
    if actor.role != SOCIAL_WORKER_ROLE:
        raise Forbidden(f"only a social worker of the OPS may {doing}; {actor.user} acts as {actor.role}")


def require_step_owner(actor: Actor, step: Step, doing: str) -> None:
    """Each institution changes only its own steps."""
    if actor.institution != step.owner.institution_id:
        raise Forbidden(f"{actor.institution} may not {doing} step {step.step_id}: it belongs to "
                        f"{step.owner.institution_id} ({step.owner.institution_kind.value})")


def party(actor: Actor, kind: InstitutionKind, worker: str | None = None) -> PlanParty:
    """The actor's institution as a party of the plan, with the responsible worker (default: the actor)."""
    return PlanParty(institution_id=actor.institution, institution_kind=kind, worker=worker or actor.user)
