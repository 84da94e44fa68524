"""HTTP API of the plans service: the routers of the joint plan, its steps and the CIS programme."""

from __future__ import annotations

from fastapi import APIRouter

from services.plans.entrypoints.plan_routes import router as plan_router
from services.plans.entrypoints.step_routes import router as step_router

routers: list[APIRouter] = [plan_router, step_router]
