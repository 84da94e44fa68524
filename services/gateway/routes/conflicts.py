"""The conflicts inbox of the user's institution, with resolve (confirm) and dismiss."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.gateway.csrf import CsrfForm
from services.gateway.upstream import UpstreamError
from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])


@router.get("/conflicts")
async def inbox(request: Request,
                status: Annotated[str, Query(pattern="^(open|confirmed|dismissed)$")] = "open") -> Response:
    """Conflicts naming my institution, newest first."""
    user = user_of(request)
    conflicts = await upstream_of(request).json(session_of(request), "matching", "/conflicts", params={
        "institution_id": user.institution, "status": status, "limit": 200})
    return await render(request, "conflicts.html", conflicts=conflicts, status=status)


@router.post("/conflicts/{conflict_id}/resolve")
async def resolve(conflict_id: uuid.UUID, request: Request, form: CsrfForm) -> Response:
    """Confirm (and act on) or dismiss a conflict, with the reason."""
    user_of(request)
    session = session_of(request)
    resolution, reason = form.get("resolution"), form.get("reason")
    try:
        await upstream_of(request).call(session, "POST", "matching", f"/conflicts/{conflict_id}/resolve",
                                        json={"resolution": resolution, "reason": reason})
        session.flash("ok", "conflict_confirmed" if resolution == "confirmed" else "conflict_dismissed")
    except UpstreamError as exc:
        session.flash("error", exc.detail)
    return back("/conflicts")
