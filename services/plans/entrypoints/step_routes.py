"""HTTP routes of plan steps and of the CIS programme (IPZS)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from libs.events.access_log import ReaderDep, returned_fields
from libs.events.http import IfMatch, NotFound
from libs.events.ids import new_id
from services.plans.domain import commands as c
from services.plans.entrypoints.dependencies import CHANGE_RESPONSES, ActorDep, AppDep, change
from services.plans.entrypoints.plan_access import check_plan_reader
from services.plans.entrypoints.requests import (
    AttendanceRequest,
    BonusRequest,
    IpzsEndRequest,
    IpzsRenewRequest,
    IpzsSignRequest,
    StepAddRequest,
    StepCancelRequest,
    StepCompleteRequest,
    StepFailRequest,
    StepScheduleRequest,
)
from services.plans.entrypoints.views import PlanView, StepView, step_view

router = APIRouter(tags=["steps and IPZS"])


@router.post("/plans/{plan_id}/steps", status_code=201, response_model=PlanView, responses=CHANGE_RESPONSES)
async def add_step(plan_id: uuid.UUID, body: StepAddRequest, actor: ActorDep, plans: AppDep, response: Response,
                   if_match: IfMatch = None) -> PlanView:
    """Propose a step owned by the actor's institution; its category follows the instrument."""
    step_id = body.step_id or new_id()
    command = c.AddStep(actor=actor, today=plans.today(), step_id=step_id,
                        **body.model_dump(exclude={"step_id"}))
    view = await change(plans, plan_id, command, if_match, response)
    response.headers["Location"] = f"/plans/{plan_id}/steps/{step_id}"
    return view


@router.get("/plans/{plan_id}/steps/{step_id}", response_model=StepView, responses={404: {"description": "unknown"}})
async def get_step(plan_id: uuid.UUID, step_id: uuid.UUID, actor: ActorDep, plans: AppDep,
                   reader: ReaderDep) -> StepView:
    """One step of the plan."""
    state, _ = await plans.get(plan_id)
    check_plan_reader(actor, state, plan_id)
    step = state.steps.get(step_id)
    if step is None or state.client_id is None:
        raise NotFound(f"step {step_id} is not part of plan {plan_id}")
    view = step_view(step)
    await reader.record(state.client_id, "GET /plans/{plan_id}/steps/{step_id}",
                        [f"steps.{f}" for f in returned_fields(view, {"step_id"})], "case handling")
    return view


@router.post("/plans/{plan_id}/steps/{step_id}/schedule", response_model=PlanView, responses=CHANGE_RESPONSES)
async def schedule_step(plan_id: uuid.UUID, step_id: uuid.UUID, body: StepScheduleRequest, actor: ActorDep,
                        plans: AppDep, response: Response, if_match: IfMatch = None) -> PlanView:
    """Fix the step's dates; vocational steps wait for the social preparation (the PZW order rule)."""
    command = c.ScheduleStep(actor=actor, today=plans.today(), step_id=step_id, scheduled=body.scheduled)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/steps/{step_id}/complete", response_model=PlanView, responses=CHANGE_RESPONSES)
async def complete_step(plan_id: uuid.UUID, step_id: uuid.UUID, body: StepCompleteRequest, actor: ActorDep,
                        plans: AppDep, response: Response, if_match: IfMatch = None) -> PlanView:
    """Record that a scheduled step was carried out, and its outcome."""
    command = c.CompleteStep(actor=actor, today=plans.today(), step_id=step_id, outcome=body.outcome)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/steps/{step_id}/fail", response_model=PlanView, responses=CHANGE_RESPONSES)
async def fail_step(plan_id: uuid.UUID, step_id: uuid.UUID, body: StepFailRequest, actor: ActorDep, plans: AppDep,
                    response: Response, if_match: IfMatch = None) -> PlanView:
    """Record that a scheduled step failed (the client refused, did not come, dropped out...)."""
    command = c.FailStep(actor=actor, today=plans.today(), step_id=step_id, reason=body.reason, note=body.note)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/steps/{step_id}/cancel", response_model=PlanView, responses=CHANGE_RESPONSES)
async def cancel_step(plan_id: uuid.UUID, step_id: uuid.UUID, body: StepCancelRequest, actor: ActorDep,
                      plans: AppDep, response: Response, if_match: IfMatch = None) -> PlanView:
    """Withdraw a step that has not been carried out."""
    command = c.CancelStep(actor=actor, today=plans.today(), step_id=step_id, reason=body.reason)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/ipzs", response_model=PlanView, responses=CHANGE_RESPONSES)
async def sign_ipzs(plan_id: uuid.UUID, body: IpzsSignRequest, actor: ActorDep, plans: AppDep, response: Response,
                    if_match: IfMatch = None) -> PlanView:
    """A CIS records the IPZS signed with the participant; the first term is one month."""
    command = c.SignIpzs(actor=actor, today=plans.today(), ipzs_id=new_id(), **dict(body))
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/ipzs/renew", response_model=PlanView, responses=CHANGE_RESPONSES)
async def renew_ipzs(plan_id: uuid.UUID, body: IpzsRenewRequest, actor: ActorDep, plans: AppDep,
                     response: Response, if_match: IfMatch = None) -> PlanView:
    """The CIS continues the IPZS for one further month from the day after the current term ends."""
    command = c.RenewIpzs(actor=actor, today=plans.today(), assessment=body.assessment)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/ipzs/end", response_model=PlanView, responses=CHANGE_RESPONSES)
async def end_ipzs(plan_id: uuid.UUID, body: IpzsEndRequest, actor: ActorDep, plans: AppDep, response: Response,
                   if_match: IfMatch = None) -> PlanView:
    """The CIS ends the IPZS: employment, own business, social cooperative or end of period."""
    command = c.EndIpzs(actor=actor, today=plans.today(), reason=body.reason)
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/ipzs/attendance", response_model=PlanView, responses=CHANGE_RESPONSES)
async def record_attendance(plan_id: uuid.UUID, body: AttendanceRequest, actor: ActorDep, plans: AppDep,
                            response: Response, if_match: IfMatch = None) -> PlanView:
    """The CIS of the IPZS records the participant's attendance for a month (a later record corrects it)."""
    command = c.RecordAttendance(actor=actor, today=plans.today(), **dict(body))
    return await change(plans, plan_id, command, if_match, response)


@router.post("/plans/{plan_id}/ipzs/bonus", response_model=PlanView, responses=CHANGE_RESPONSES)
async def decide_integration_bonus(plan_id: uuid.UUID, body: BonusRequest, actor: ActorDep, plans: AppDep,
                                   response: Response, if_match: IfMatch = None) -> PlanView:
    """The CIS of the IPZS decides the integration bonus (premia integracyjna) for a month."""
    command = c.DecideIntegrationBonus(actor=actor, today=plans.today(), **dict(body))
    return await change(plans, plan_id, command, if_match, response)
