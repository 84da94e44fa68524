"""The client card: the shared record with its profile history, the joint plan per institution, every event about
the client on one timeline, conflicts, referrals and matches."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.csrf import CsrfForm
from services.gateway.sessions import Session
from services.gateway.upstream import Upstream, UpstreamError
from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])

REFERRAL_EVENTS = ("ReferralIssued", "ReferralOutcomeRecorded", "MatchProposed")


async def plan_of(upstream: Upstream, session: Session, client_id: uuid.UUID) -> dict[str, Any] | None:
    """The client's joint plan (open, else the latest closed), None when there is none or it is not ours to see."""
    answer = await upstream.call(session, "GET", "plans", f"/clients/{client_id}/plan", expect=(403, 404))
    return None if answer.status_code >= 400 else dict(answer.json())


def steps_by_institution(plan: dict[str, Any] | None) -> list[tuple[str, list[dict[str, Any]]]]:
    """The plan's steps grouped by the institution owning them, each group in plan order (the order they were
    added, which the PZW order rule acts on: social preparation first)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for n, step in enumerate((plan or {}).get("steps", []), start=1):
        groups.setdefault(step["owner"]["institution_id"], []).append({**step, "order": n})
    return list(groups.items())


def timeline(*sources: tuple[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Events of every service about the client, newest first."""
    merged = [{**e, "source": name} for name, events in sources for e in events]
    return sorted(merged, key=lambda e: str(e.get("recorded_at") or e.get("occurred_at") or ""), reverse=True)


def conflict_entries(conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Conflicts as timeline entries (detection time, rule, institutions)."""
    return [{"type": "BenefitConflictDetected", "recorded_at": c["detected_at"], "actor": {
        "user": "matching.conflicts", "institution": ", ".join(c["institutions"])},
        "data": {"rule_id": c["rule_id"], "severity": c["severity"], "status": c["status"]}} for c in conflicts]


@router.get("/clients/{client_id}")
async def client_card(client_id: uuid.UUID, request: Request) -> Response:
    """Everything about one client that the user's institution may see."""
    user, session, upstream = user_of(request), session_of(request), upstream_of(request)
    client = await upstream.json(session, "clients", f"/clients/{client_id}")
    history = await upstream.json(session, "clients", f"/clients/{client_id}/profile/history")
    record_events = await upstream.json(session, "clients", f"/clients/{client_id}/events")
    plan = await plan_of(upstream, session, client_id)
    plan_events = await upstream.json(session, "plans", f"/plans/{plan['plan_id']}/events") if plan else []
    conflicts = await upstream.json(session, "matching", "/conflicts", params={"client_id": str(client_id)})
    matches = await upstream.optional(session, "matching", f"/clients/{client_id}/offers") or []
    sharing = await upstream.call(session, "GET", "plans", f"/clients/{client_id}/sharing", expect=(403, 404))
    events = timeline(("clients", record_events), ("plans", plan_events), ("matching", conflict_entries(conflicts)))
    referrals = [e for e in plan_events if e["type"] == "PlanStepAdded" and e["data"].get("funded_by")]
    return await render(request, "client_card.html", client=client, history=history, plan=plan,
                        groups=steps_by_institution(plan), events=events, conflicts=conflicts, matches=matches[:10],
                        referrals=referrals, can_open_plan=plan is None and sharing.status_code == 200 and any(
                            s["usable_today"] for s in sharing.json()), mine=user.institution)


@router.post("/clients/{client_id}/plan")
async def open_plan(client_id: uuid.UUID, request: Request, _: CsrfForm) -> Response:
    """Open the client's joint plan (a worker of either institution of the pair)."""
    session = session_of(request)
    try:
        await upstream_of(request).call(session, "POST", "plans", "/plans", json={"client_id": str(client_id)})
        session.flash("ok", "plan_opened")
    except UpstreamError as exc:
        session.flash("error", exc.detail)
    return back(f"/clients/{client_id}")
