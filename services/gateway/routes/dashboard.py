"""The supervisor dashboard: the institution at a glance, every worker's caseload, indicators and charts."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.gateway.web import render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])

CHARTS = ("activation_6m_all,activation_6m_listed,activation_6m_project_target",)


@router.get("/dashboard")
async def dashboard(request: Request, start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                    end: Annotated[str | None, Query(alias="to", max_length=10)] = None) -> Response:
    """Summary and caseloads (supervisors only: the reporting service decides), indicators for everyone."""
    user, session, upstream = user_of(request), session_of(request), upstream_of(request)
    scope: dict[str, Any] = {"institution_id": user.institution}
    if start:
        scope["from"] = start
    if end:
        scope["to"] = end
    prefix = f"/supervisor/{user.institution}"
    summary = await upstream.call(session, "GET", "reporting", f"{prefix}/summary", expect=(403, 404))
    caseloads = await upstream.call(session, "GET", "reporting", f"{prefix}/caseloads", expect=(403, 404))
    indicators = await upstream.call(session, "GET", "reporting", "/indicators", params=scope, expect=(404, 422))
    charts = [f"/api/reporting/indicators/chart.svg?{urlencode({**scope, 'ids': ids})}" for ids in CHARTS]
    return await render(
        request, "dashboard.html", summary=summary.json() if summary.status_code == 200 else None,
        caseloads=caseloads.json() if caseloads.status_code == 200 else [],
        indicators=indicators.json()["indicators"] if indicators.status_code == 200 else [],
        charts=charts, start=start or "", end=end or "")
