"""The user's notifications: the inbox page and marking one read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.csrf import CsrfForm
from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])


@router.get("/notifications")
async def inbox(request: Request) -> Response:
    """Newest first, unread marked."""
    user_of(request)
    body = await upstream_of(request).json(session_of(request), "notifications", "/inbox", params={"limit": 100})
    return await render(request, "notifications.html", items=body["items"])


@router.post("/notifications/{notification_id}/read")
async def mark_read(notification_id: uuid.UUID, request: Request, _: CsrfForm) -> Response:
    user_of(request)
    await upstream_of(request).call(session_of(request), "POST", "notifications", f"/inbox/{notification_id}/read")
    return back("/notifications")
