"""HTTP API of matching: the offer catalogue, ranked matches, proposals, referrals and their outcomes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from libs.events.access_log import ReaderDep
from libs.events.auth import current_actor
from libs.events.envelope import Actor
from libs.events.errors import StreamNotFound
from libs.events.http import IfMatch, etag, optional_expected_version
from libs.events.ids import new_id
from libs.events.schemas.common import Period
from libs.events.schemas.matching import (
    OfferKind,
    OfferLocation,
    OfferPublished,
    OfferRequirements,
    ReferralOutcome,
    ScoreComponent,
)
from libs.events.schemas.plans import Instrument
from services.matching.application.offers import MatchingApplication
from services.matching.domain.offer import Withdraw
from services.matching.domain.scoring import Score

router = APIRouter(tags=["matching"])


def matching_app(request: Request) -> MatchingApplication:
    app: MatchingApplication = request.app.state.matching
    return app


MatchingDep = Annotated[MatchingApplication, Depends(matching_app)]
ActorDep = Annotated[Actor, Depends(current_actor)]
Today = Annotated[date | None, Query(description="score as of this day (default: today)")]


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "internship", "instrument": "internship", "title": "Staż: magazynier",
        "location": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100"},
        "requirements": {"min_education": "primary", "driving_licence": [],
                         "excluded_health_restrictions": ["no_heavy_lifting"]},
        "capacity": 3, "period": {"from": "2026-12-01", "to": "2027-05-31"}, "monthly_pay": "1994.40"}]})

    kind: OfferKind
    instrument: Instrument
    title: str = Field(min_length=1, max_length=300)
    location: OfferLocation
    requirements: OfferRequirements = Field(default_factory=OfferRequirements)
    capacity: int = Field(ge=1, le=10000)
    period: Period
    monthly_pay: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)


# What a score says about the client: the parts of the profile each component compares with the offer.
SCORE_FIELDS = ["score", "components"]


class ScoreView(BaseModel):
    """A ranked match with every component of its score."""

    client_id: uuid.UUID
    offer_id: uuid.UUID
    score: float
    eligible: bool
    components: list[ScoreComponent]

    @classmethod
    def of(cls, s: Score) -> ScoreView:
        return cls(client_id=s.client_id, offer_id=s.offer_id, score=s.total, eligible=s.eligible,
                   components=list(s.components))


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    withdrawn_on: date
    reason: str = Field(min_length=1, max_length=500)


class MatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID
    offer_id: uuid.UUID


class ReferralBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "client_id": "0190b7a2-0000-7000-8000-000000000001", "offer_id": "0190b7a2-0000-7000-8000-000000000002",
        "plan_id": "0190b7a2-0000-7000-8000-000000000003"}]})

    client_id: uuid.UUID
    offer_id: uuid.UUID
    plan_id: uuid.UUID | None = Field(default=None, description="the joint plan that gets the step")
    referral_id: uuid.UUID | None = Field(default=None, description="give one to make retries idempotent")


class OutcomeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"outcome": "refused", "recorded_on": "2026-12-02", "note": "odmowa bez uzasadnienia"}]})

    outcome: ReferralOutcome
    recorded_on: date
    note: str | None = Field(default=None, max_length=1000)


def _today(day: date | None) -> date:
    return day or datetime.now(UTC).date()


@router.post("/offers", status_code=201, response_model=OfferPublished)
async def publish_offer(body: OfferCreate, actor: ActorDep, matching: MatchingDep,
                        response: Response) -> OfferPublished:
    """Publish an offer funded by the acting institution."""
    offer = OfferPublished(offer_id=new_id(), funded_by=actor.institution, **body.model_dump())
    outcome = await matching.publish(offer, actor)
    response.headers["ETag"] = etag(outcome.version)
    return offer


@router.post("/offers/{offer_id}/withdraw", status_code=204)
async def withdraw_offer(offer_id: uuid.UUID, body: WithdrawBody, actor: ActorDep,
                         matching: MatchingDep) -> Response:
    await matching.withdraw(offer_id, Withdraw(institution_id=actor.institution, **body.model_dump()), actor)
    return Response(status_code=204)


@router.get("/offers/{offer_id}", response_model=OfferPublished)
async def get_offer(offer_id: uuid.UUID, matching: MatchingDep) -> OfferPublished:
    state, _ = await matching.offer(offer_id)
    if state.published is None:
        raise StreamNotFound(str(offer_id))
    return state.published


@router.get("/clients/{client_id}/offers", response_model=list[ScoreView])
async def offers_for_client(client_id: uuid.UUID, matching: MatchingDep, reader: ReaderDep,
                            today: Today = None) -> list[ScoreView]:
    """Offers ranked for a client: distance, education, experience, plan stage, capacity, double funding."""
    views = [ScoreView.of(s) for s in await matching.offers_for(client_id, _today(today))]
    await reader.record(client_id, reader.route, SCORE_FIELDS, "matching offers")
    return views


@router.get("/offers/{offer_id}/candidates", response_model=list[ScoreView])
async def candidates_for_offer(offer_id: uuid.UUID, matching: MatchingDep, reader: ReaderDep, today: Today = None,
                               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[ScoreView]:
    """Clients ranked for an offer, scored the same way."""
    views = [ScoreView.of(s) for s in (await matching.candidates_for(offer_id, _today(today)))[:limit]]
    await reader.record([v.client_id for v in views], reader.route, SCORE_FIELDS, "matching offers")
    return views


@router.post("/matches", status_code=201)
async def propose(body: MatchBody, actor: ActorDep, matching: MatchingDep, today: Today = None) -> dict[str, Any]:
    """Propose an offer to a client (MatchProposed, with the score's components)."""
    return (await matching.propose(body.client_id, body.offer_id, actor, _today(today))).model_dump(mode="json")


@router.post("/referrals", status_code=201)
async def refer(body: ReferralBody, actor: ActorDep, matching: MatchingDep, response: Response,
                today: Today = None) -> dict[str, Any]:
    """Refer the client to the offer (skierowanie); the joint plan gets the corresponding step."""
    outcome = await matching.refer(body.client_id, body.offer_id, body.plan_id, actor, _today(today),
                                   body.referral_id)
    assert outcome.state.issued is not None
    response.headers["ETag"] = etag(outcome.version)
    return outcome.state.issued.model_dump(mode="json")


@router.post("/referrals/{referral_id}/outcome")
async def record_outcome(referral_id: uuid.UUID, body: OutcomeBody, actor: ActorDep, matching: MatchingDep,
                         response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """Accepted, refused, no show or employed; a refusal reaches the conflict rules."""
    outcome = await matching.record_outcome(referral_id, body.outcome, body.recorded_on, body.note, actor,
                                            optional_expected_version(if_match))
    assert outcome.state.outcome is not None
    response.headers["ETag"] = etag(outcome.version)
    return outcome.state.outcome.model_dump(mode="json")


@router.get("/referrals/{referral_id}")
async def get_referral(referral_id: uuid.UUID, matching: MatchingDep, reader: ReaderDep) -> dict[str, Any]:
    state, version = await matching.referral(referral_id)
    if state.issued is None:
        raise StreamNotFound(str(referral_id))
    await reader.record(state.issued.client_id, reader.route, ["referral", "outcome"], "case handling")
    return {**state.issued.model_dump(mode="json"), "version": version,
            "outcome": state.outcome.model_dump(mode="json") if state.outcome else None}


