"""Composition root of the reporting service: its projections (read models) and routers (views, indicators).

To add a read model or a view, add it to `projections()` or `ROUTERS`; the rebuild CLI replays every projection
listed here. Read models may run grouped (one consumer and transaction for several, see projections/group.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from libs.events.access_log import AccessLog
from libs.events.projection import Projection
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.topics import ACCESS
from services.reporting.access_policy import POLICY
from services.reporting.config import ReportingSettings
from services.reporting.entrypoints.access import ReadModelConfig
from services.reporting.entrypoints.caseload_http import router as caseload_router
from services.reporting.entrypoints.cis_http import router as cis_router
from services.reporting.entrypoints.http import router as directory_router
from services.reporting.entrypoints.indicators_http import router as indicators_router
from services.reporting.entrypoints.ops_http import router as ops_router
from services.reporting.entrypoints.pup_http import router as pup_router
from services.reporting.entrypoints.supervisor_http import router as supervisor_router
from services.reporting.indicators.definitions import DEFAULT_DEFINITIONS, load_definitions
from services.reporting.norms import load_norms
from services.reporting.projections.casework import Casework
from services.reporting.projections.cis_programme import CisProgramme
from services.reporting.projections.client_directory import ClientDirectory
from services.reporting.projections.conflicts import Conflicts
from services.reporting.projections.group import ProjectionGroup
from services.reporting.projections.joint_plans import JointPlans
from services.reporting.projections.referrals import Referrals
from services.reporting.projections.scope_facts import ScopeFacts
from services.reporting.regional import RegionalFeed

ROUTERS: list[APIRouter] = [directory_router, pup_router, ops_router, cis_router, supervisor_router,
                            indicators_router, caseload_router]


def projections() -> list[Projection]:
    """What the service runs and the rebuild replays: every read model; those the indicators count run grouped
    (ScopeFacts last: it copies facts across the others' rows)."""
    return [ProjectionGroup("records", [ClientDirectory(), Casework(), JointPlans(), CisProgramme(), Conflicts(),
                                        ScopeFacts()]),
            Referrals()]


def build_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    regional = RegionalFeed()
    runtime = ServiceRuntime("reporting", settings, registry, publishes=[ACCESS],
                             projections=[*projections(), regional.projection])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            app.state.access_log = access_log = AccessLog(runtime.pool, "reporting", runtime.store)
            await access_log.migrate()
            yield

    app = create_app("PZW reporting", "Read models per institution, indicators and the de-identified regional "
                     "feed, built from the platform's events.", settings, runtime, lifespan,
                     [*ROUTERS, regional.router], policy=POLICY)
    app.state.reporting = ReadModelConfig(
        norms=load_norms(settings.norms_path),
        definitions=load_definitions(settings.indicators_path or DEFAULT_DEFINITIONS),
        supervisor_roles=frozenset(settings.supervisor_roles))
    return app
