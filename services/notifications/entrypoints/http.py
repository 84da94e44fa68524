"""HTTP API of the notifications service: the inbox (with its live stream) and preferences."""

from __future__ import annotations

from fastapi import APIRouter

from services.notifications.entrypoints.inbox_routes import router as inbox_router
from services.notifications.entrypoints.preferences_routes import router as preferences_router

routers: list[APIRouter] = [inbox_router, preferences_router]
