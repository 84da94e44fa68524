"""Editing one's own institution's steps of the joint plan: add, schedule, complete, fail, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.gateway.csrf import CsrfForm
from services.gateway.routes.client_card import plan_of, steps_by_institution
from services.gateway.upstream import UpstreamError
from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])

INSTRUMENTS = ("social_work", "therapy", "addiction_treatment", "housing", "family_support", "career_counselling",
               "education_course", "training", "internship", "job_offer", "public_works", "intervention_works",
               "socially_useful_works", "subsidised_employment", "cis_classes", "cis_work_practice")
FAILURES = ("refused", "no_show", "dropped_out", "not_eligible", "other")
DONE = {"schedule": "step_scheduled", "complete": "step_completed", "fail": "step_failed", "cancel": "step_cancelled"}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _period(form: FormData, prefix: str) -> dict[str, str]:
    period = {"from": _text(form, f"{prefix}_from")}
    if _text(form, f"{prefix}_to"):
        period["to"] = _text(form, f"{prefix}_to")
    return period


def step_body(action: str, form: FormData) -> dict[str, Any]:
    """The plans API body of a step action from the form's fields."""
    if action == "add":
        return {"instrument": _text(form, "instrument"), "title": _text(form, "title"),
                "planned": _period(form, "planned"), "social_preparation": form.get("social_preparation") == "on"}
    if action == "schedule":
        return {"scheduled": _period(form, "scheduled")}
    if action == "complete":
        return {"outcome": _text(form, "outcome")}
    if action == "fail":
        return {"reason": _text(form, "reason"), "note": _text(form, "note") or None}
    return {"reason": _text(form, "reason")}


@router.get("/clients/{client_id}/steps")
async def steps_page(client_id: uuid.UUID, request: Request) -> Response:
    """My institution's steps with their actions, the partner's steps beside them (read-only, live)."""
    user, session, upstream = user_of(request), session_of(request), upstream_of(request)
    client = await upstream.json(session, "clients", f"/clients/{client_id}")
    plan = await plan_of(upstream, session, client_id)
    groups = steps_by_institution(plan)
    return await render(request, "steps.html", client=client, plan=plan, instruments=INSTRUMENTS,
                        failures=FAILURES, own=[s for i, steps in groups if i == user.institution for s in steps],
                        partners=[(i, s) for i, s in groups if i != user.institution])


async def _change(request: Request, client_id: uuid.UUID, form: FormData, path: str, body: dict[str, Any],
                  done: str) -> Response:
    session = session_of(request)
    plan_id, version = _text(form, "plan_id"), _text(form, "version")
    try:
        await upstream_of(request).call(session, "POST", "plans", f"/plans/{plan_id}{path}", json=body,
                                        headers={"If-Match": f'"{version}"'})
        session.flash("ok", done)
    except UpstreamError as exc:
        session.flash("error", "stale_plan" if exc.status == 409 and b"current_version" in (exc.body or b"")
                      else exc.detail)
    return back(f"/clients/{client_id}/steps")


@router.post("/clients/{client_id}/steps")
async def add_step(client_id: uuid.UUID, request: Request, form: CsrfForm) -> Response:
    """Propose a step owned by my institution."""
    user_of(request)
    return await _change(request, client_id, form, "/steps", step_body("add", form), "step_added")


@router.post("/clients/{client_id}/steps/{step_id}/{action}")
async def step_action(client_id: uuid.UUID, step_id: uuid.UUID, action: str, request: Request,
                      form: CsrfForm) -> Response:
    """Schedule, complete, fail or cancel one of my institution's steps."""
    user_of(request)
    if action not in DONE:
        return Response(status_code=404)
    return await _change(request, client_id, form, f"/steps/{step_id}/{action}", step_body(action, form),
                         DONE[action])
