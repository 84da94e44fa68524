"""HTTP routes of the plan as a whole: open, read (now or as of), history, documents, waiver, review, close."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from libs.events.access_log import ReaderDep, event_fields, returned_fields
from libs.events.http import EventView, IfMatch, NotFound, etag
from services.plans.application.plans import WARSAW
from services.plans.domain import commands as c
from services.plans.entrypoints.dependencies import CHANGE_RESPONSES, ActorDep, AppDep, change
from services.plans.entrypoints.plan_access import check_plan_reader, check_sharing_reader
from services.plans.entrypoints.requests import (
    CloseRequest,
    IpdRequest,
    PlanOpenRequest,
    ReviewRequest,
    SocialContractRequest,
    WaiverRequest,
)
from services.plans.entrypoints.views import PlanView, SharingView, plan_view, sharing_view

router = APIRouter(tags=["plans"])
PLAN_IDS = {"plan_id", "client_id", "agreement_id", "version"}
"""Parts of a plan view that identify rather than describe (left out of the fields a read records)."""


@router.post("/plans", status_code=201, response_model=PlanView, responses={
    403: {"description": "the client is shared, but not by the actor's institution"},
    409: {"description": "the client is not (or no longer) shared, has no paired workers, or already has an open "
                         "plan (`existing_plan_id`)"},
    422: {"description": "invalid field"}})
async def open_plan(body: PlanOpenRequest, actor: ActorDep, plans: AppDep, response: Response) -> PlanView:
    """Open the joint plan (the client's PZW) of a shared client: one open plan per client."""
    outcome = await plans.open(body.client_id, actor)
    assert outcome.state.plan_id is not None
    response.headers["Location"] = f"/plans/{outcome.state.plan_id}"
    response.headers["ETag"] = etag(outcome.version)
    return plan_view(outcome.state, outcome.version, plans.today())


@router.get("/plans/{plan_id}", response_model=PlanView, responses={404: {"description": "unknown plan, or "
                                                                                        "not opened yet at as_of"}})
async def get_plan(
    plan_id: uuid.UUID, actor: ActorDep, plans: AppDep, response: Response, reader: ReaderDep,
    as_of: Annotated[datetime | None, Query(description="the plan as it was at this moment (ISO 8601)")] = None,
) -> PlanView:
    """The plan folded from its events, now or as it was at a past moment (time travel)."""
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)  # a moment without an offset is read as UTC
    state, version = await plans.get(plan_id, as_of)
    check_plan_reader(actor, state, plan_id)
    view = plan_view(state, version, as_of.astimezone(WARSAW).date() if as_of else plans.today())
    await reader.record(view.client_id, "GET /plans/{plan_id}", returned_fields(view, PLAN_IDS), "case handling")
    response.headers["ETag"] = etag(version)
    return view


@router.get("/plans/{plan_id}/events", response_model=list[EventView])
async def plan_events(plan_id: uuid.UUID, actor: ActorDep, plans: AppDep, reader: ReaderDep) -> list[EventView]:
    """Every event of the plan, oldest first."""
    state, _ = await plans.get(plan_id)
    check_plan_reader(actor, state, plan_id)
    views = [EventView.of(e) for e in await plans.history(plan_id)]
    if state.client_id is not None:
        await reader.record(state.client_id, "GET /plans/{plan_id}/events", event_fields(views)[0], "history review")
    return views


@router.get("/clients/{client_id}/plan", response_model=PlanView, responses={404: {"description": "no plan"}})
async def client_plan(client_id: uuid.UUID, actor: ActorDep, plans: AppDep, response: Response,
                      reader: ReaderDep) -> PlanView:
    """The client's open joint plan, else the latest closed one."""
    plan_id = await plans.plan_of_client(client_id)
    state, version = await plans.get(plan_id)
    check_plan_reader(actor, state, plan_id)
    view = plan_view(state, version, plans.today())
    await reader.record(view.client_id, "GET /clients/{client_id}/plan", returned_fields(view, PLAN_IDS),
                        "case handling")
    response.headers["ETag"] = etag(version)
    return view


@router.get("/clients/{client_id}/sharing", response_model=list[SharingView],
            responses={404: {"description": "the client is not known as shared (yet)"}})
async def client_sharing(client_id: uuid.UUID, actor: ActorDep, plans: AppDep,
                         reader: ReaderDep) -> list[SharingView]:
    """Which PUP-OPS pairs share the client and their workers, as this service learnt from the clients context."""
    sharings = await plans.sharings_of(client_id)
    if not sharings:
        raise NotFound(f"client {client_id} is not known as a shared client")
    check_sharing_reader(actor, sharings, client_id)
    views = [sharing_view(s, plans.today()) for s in sharings]
    fields = sorted({f for v in views for f in returned_fields(v)})
    await reader.record(client_id, "GET /clients/{client_id}/sharing", fields, "case handling")
    return views


@router.post("/plans/{plan_id}/social-contract", response_model=PlanView, responses=CHANGE_RESPONSES)
async def conclude_social_contract(plan_id: uuid.UUID, body: SocialContractRequest, actor: ActorDep,
                                   plans: AppDep, response: Response, if_match: IfMatch = None) -> PlanView:
    """The OPS records the social contract (kontrakt socjalny) as part of the plan."""
    command = c.ConcludeSocialContract(actor=actor, today=plans.today(), **dict(body))
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/ipd", response_model=PlanView, responses=CHANGE_RESPONSES)
async def conclude_ipd(plan_id: uuid.UUID, body: IpdRequest, actor: ActorDep, plans: AppDep, response: Response,
                       if_match: IfMatch = None) -> PlanView:
    """The PUP records the individual action plan (IPD) as part of the plan."""
    command = c.ConcludeIpd(actor=actor, today=plans.today(), **dict(body))
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/waive-social-preparation", response_model=PlanView, responses=CHANGE_RESPONSES)
async def waive_social_preparation(plan_id: uuid.UUID, body: WaiverRequest, actor: ActorDep, plans: AppDep,
                                   response: Response, if_match: IfMatch = None) -> PlanView:
    """The OPS social worker lets vocational steps be scheduled before the social preparation is finished."""
    command = c.WaiveSocialPreparation(actor=actor, today=plans.today(), reason=body.reason)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/review", response_model=PlanView, responses=CHANGE_RESPONSES)
async def review_plan(plan_id: uuid.UUID, body: ReviewRequest, actor: ActorDep, plans: AppDep, response: Response,
                      if_match: IfMatch = None) -> PlanView:
    """A worker of the PUP, the OPS or the plan's CIS records a review."""
    command = c.ReviewPlan(actor=actor, today=plans.today(), summary=body.summary)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/close", response_model=PlanView, responses=CHANGE_RESPONSES)
async def close_plan(plan_id: uuid.UUID, body: CloseRequest, actor: ActorDep, plans: AppDep, response: Response,
                     if_match: IfMatch = None) -> PlanView:
    """The PUP or the OPS closes the plan with its outcome; a closed plan never changes again."""
    command = c.ClosePlan(actor=actor, today=plans.today(), outcome=body.outcome)
    return await change(plans, plan_id, command, if_match, response)
