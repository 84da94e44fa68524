"""Regions (rejony) of the user's institution with the paired workers, and caseload hand-overs."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.gateway.csrf import CsrfForm
from services.gateway.upstream import UpstreamError
from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(form: FormData, name: str) -> list[str]:
    return [p.strip() for p in _text(form, name).replace(";", ",").split(",") if p.strip()]


def region_body(form: FormData) -> dict[str, Any]:
    """The clients API body of a region from the form (postal codes and gminas as comma-separated lists)."""
    workers = {role: _text(form, role) for role in ("job_broker", "career_counsellor", "social_worker")
               if _text(form, role)}
    area: dict[str, Any] = {}
    if _list(form, "postal_codes"):
        area["postal_codes"] = _list(form, "postal_codes")
    if _list(form, "gminas"):
        area["gminas"] = _list(form, "gminas")
    return {"name": _text(form, "name"), "pup_institution_id": _text(form, "pup_institution_id"),
            "ops_institution_id": _text(form, "ops_institution_id"), "area": area, "workers": workers,
            "priority": int(_text(form, "priority") or 100)}


@router.get("/admin/regions")
async def regions(request: Request) -> Response:
    """Regions in force of my institution and the form to define one."""
    user = user_of(request)
    listed = await upstream_of(request).json(session_of(request), "clients", "/regions",
                                             params={"institution_id": user.institution})
    return await render(request, "regions.html", regions=listed)


@router.post("/admin/regions")
async def define(request: Request, form: CsrfForm) -> Response:
    """Define a region pairing workers of a PUP and an OPS."""
    user_of(request)
    session = session_of(request)
    try:
        body = region_body(form)
        await upstream_of(request).call(session, "POST", "clients", "/regions", json=body)
        session.flash("ok", "region_defined")
    except ValueError:
        session.flash("error", "priority_number")
    except UpstreamError as exc:
        session.flash("error", exc.detail)
    return back("/admin/regions")


@router.post("/admin/regions/{region_id}/remove")
async def remove(region_id: uuid.UUID, request: Request, form: CsrfForm) -> Response:
    user_of(request)
    session, upstream = session_of(request), upstream_of(request)
    try:
        version = (await upstream.call(session, "GET", "clients", f"/regions/{region_id}")).headers["ETag"]
        await upstream.call(session, "DELETE", "clients", f"/regions/{region_id}", headers={"If-Match": version})
        session.flash("ok", "region_removed")
    except UpstreamError as exc:
        session.flash("error", exc.detail)
    return back("/admin/regions")


@router.post("/admin/handovers")
async def hand_over(request: Request, form: CsrfForm) -> Response:
    """Hand a worker's caseload to another worker of my institution."""
    user = user_of(request)
    session = session_of(request)
    try:
        done = await upstream_of(request).call(session, "POST", "clients", "/handovers", json={
            "institution_id": user.institution, "from_worker": _text(form, "from_worker"),
            "to_worker": _text(form, "to_worker"), "handed_over_on": _text(form, "handed_over_on")})
        session.flash("ok", "handover_done" if done.json()["regions"] else "handover_nothing")
    except UpstreamError as exc:
        session.flash("error", exc.detail)
    return back("/admin/regions")
