"""My caseload: the worker's clients, filtered, searched by name or PESEL."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])
PESEL = re.compile(r"^\d{11}$")


@router.get("/")
async def caseload(
    request: Request,
    q: Annotated[str, Query(max_length=100)] = "",
    sharing: Annotated[str, Query(pattern="^(any|shared|not_shared)$")] = "any",
    plan: Annotated[str, Query(pattern="^(any|open|none)$")] = "any",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The clients assigned to me (a supervisor: to everyone in the institution); a PESEL opens the card."""
    user, session, upstream = user_of(request), session_of(request), upstream_of(request)
    q = q.strip()
    if PESEL.match(q):
        found = await upstream.optional(session, "clients", "/clients", params={"pesel": q})
        if found is not None:
            return back(f"/clients/{found['client_id']}")
        session.flash("error", "pesel_not_found")
        return back("/")
    params: dict[str, Any] = {"sharing": sharing, "limit": 25, "offset": offset}
    if q:
        params["name"] = q
    if plan != "any":
        params["open_plan"] = "true" if plan == "open" else "false"
    page = await upstream.optional(session, "reporting", f"/caseload/{user.institution}/clients", params=params)
    return await render(request, "caseload.html", page=page, q=q, sharing=sharing, plan=plan, offset=offset)
