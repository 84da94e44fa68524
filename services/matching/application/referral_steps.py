"""Process manager: a referral becomes a step of the client's joint plan, and its outcome ends that step.

It follows the matching service's own events (ReferralIssued, ReferralOutcomeRecorded) through a store
subscription, so a referral accepted by the API always reaches the plan, even across a crash (the step id is
derived from the referral id, so a repeat finds the step already there).
"""

from __future__ import annotations

import structlog

from libs.events.envelope import RecordedEvent
from libs.events.schemas.matching import ReferralIssued, ReferralOutcome, ReferralOutcomeRecorded
from services.matching.adapters.catalogue import Catalogue
from services.matching.adapters.plans_client import PlanChangeRefused, PlansClient
from services.matching.application.offers import MatchingApplication

log = structlog.get_logger(__name__)

HANDLES = frozenset({"ReferralIssued", "ReferralOutcomeRecorded"})
_ENDINGS = {ReferralOutcome.REFUSED: ("/fail", "reason", "refused"),
            ReferralOutcome.NO_SHOW: ("/fail", "reason", "no_show"),
            ReferralOutcome.EMPLOYED: ("/complete", "outcome", "employed after the referral")}


class ReferralSteps:
    """Creates and schedules the plan step of a referral; fails or completes it with the outcome."""

    def __init__(self, plans: PlansClient, matching: MatchingApplication, catalogue: Catalogue) -> None:
        self._plans = plans
        self._matching = matching
        self._catalogue = catalogue

    async def handle(self, event: RecordedEvent) -> None:
        try:
            if isinstance(event.payload, ReferralIssued):
                await self._issued(event.payload, event)
            elif isinstance(event.payload, ReferralOutcomeRecorded):
                await self._outcome(event.payload, event)
        except PlanChangeRefused as refused:
            # A rule of the plan (e.g. the PZW order rule) refuses the step: the referral stands, the workers see
            # the reason in the log and in the plan; retrying would not change the answer.
            log.warning("plan refused the referral's step", referral=str(getattr(event.payload, "referral_id", "")),
                        reason=str(refused))

    async def _issued(self, referral: ReferralIssued, event: RecordedEvent) -> None:
        if referral.plan_id is None or referral.step_id is None:
            return
        actor = event.metadata.actor
        [offer] = await self._catalogue.offers(include_withdrawn=True, offer_id=referral.offer_id)
        published = offer.published
        if await self._plans.step(referral.plan_id, referral.step_id, actor) is None:
            await self._plans.change(referral.plan_id, "/steps", {
                "step_id": str(referral.step_id), "instrument": published.instrument.value,
                "title": f"Skierowanie: {published.title}"[:300],
                "planned": published.period.model_dump(mode="json"), "funded_by": published.funded_by}, actor)
        step = await self._plans.step(referral.plan_id, referral.step_id, actor)
        if step is not None and step.get("status") == "added":
            await self._plans.change(referral.plan_id, f"/steps/{referral.step_id}/schedule",
                                     {"scheduled": published.period.model_dump(mode="json")}, actor)

    async def _outcome(self, outcome: ReferralOutcomeRecorded, event: RecordedEvent) -> None:
        ending = _ENDINGS.get(outcome.outcome)
        state, _ = await self._matching.referral(outcome.referral_id)
        referral = state.issued
        if ending is None or referral is None or referral.plan_id is None or referral.step_id is None:
            return
        actor = event.metadata.actor
        step = await self._plans.step(referral.plan_id, referral.step_id, actor)
        if step is None or step.get("status") not in ("added", "scheduled"):
            return  # already ended (a repeat of this event), or never created
        path, field, value = ending
        body = {field: value}
        if field == "reason" and outcome.note:
            body["note"] = outcome.note
        await self._plans.change(referral.plan_id, f"/steps/{referral.step_id}{path}", body, actor)
