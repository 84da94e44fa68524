"""Composition root of the plans service: settings -> runtime (with the shared-clients projection) -> app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from libs.events.access_log import AccessLog
from libs.events.migrations import migrate
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.topics import ACCESS, PLANS
from services.plans.access_policy import POLICY
from services.plans.adapters.plan_index import MIGRATIONS, PostgresPlanIndex
from services.plans.adapters.shared_client_directory import SharedClientDirectory
from services.plans.application.plans import Clock, PlansApplication, utc_now
from services.plans.config import PlansSettings
from services.plans.entrypoints.http import routers
from services.plans.projections.shared_clients import SharedClients


def build_app(settings: PlansSettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """The plans service app; `clock` gives the moment commands happen (tests may move it)."""
    settings = settings or PlansSettings()
    runtime = ServiceRuntime("plans", settings, registry, publishes=[PLANS, ACCESS], projections=[SharedClients()])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            await migrate(runtime.pool, "plans", MIGRATIONS)
            app.state.access_log = access_log = AccessLog(runtime.pool, "plans", runtime.store)
            await access_log.migrate()
            app.state.plans = PlansApplication(runtime.pool, runtime.store, PostgresPlanIndex(runtime.pool),
                                               SharedClientDirectory(runtime.pool), clock)
            yield

    return create_app("PZW plans", "The joint plan (PZW) of a shared client: IPD, social contract, IPZS and steps "
                      "of PUP, OPS and CIS.", settings, runtime, lifespan, routers, policy=POLICY)
