"""Composition root of the matching service's HTTP side (the detector runs as its own faust worker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from libs.events.access_log import AccessLog
from libs.events.auth import service_account
from libs.events.migrations import migrate
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.subscription import StoreSubscription
from libs.events.topics import ACCESS, CONFLICTS, MATCHING
from services.matching.access_policy import POLICY
from services.matching.adapters.catalogue import Catalogue
from services.matching.adapters.conflicts_table import MIGRATIONS, ConflictsTable
from services.matching.adapters.plans_client import PlansClient
from services.matching.application.conflicts import ConflictsApplication
from services.matching.application.offers import MatchingApplication
from services.matching.application.referral_steps import HANDLES, ReferralSteps
from services.matching.config import MatchingSettings
from services.matching.entrypoints import conflicts_http, offers_http
from services.matching.projections.candidates import Candidates


def build_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    runtime = ServiceRuntime("matching", settings, registry, publishes=[CONFLICTS, MATCHING, ACCESS],
                             projections=[Candidates()])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.prepare()
        await migrate(runtime.pool, "matching", MIGRATIONS)
        # Reads of clients' scores, referrals and conflicts go to the data protection officer (decision 0012).
        app.state.access_log = access_log = AccessLog(runtime.pool, "matching", runtime.store)
        await access_log.migrate()
        app.state.conflicts = ConflictsApplication(runtime.pool, runtime.store, ConflictsTable(runtime.pool))
        catalogue = Catalogue(runtime.pool)
        app.state.matching = MatchingApplication(runtime.pool, runtime.store, catalogue)
        plans_auth = service_account(settings)
        async with httpx.AsyncClient(base_url=settings.plans_url, timeout=10, auth=plans_auth) as plans_http:
            steps = ReferralSteps(PlansClient(plans_http), app.state.matching, catalogue)
            subscription = StoreSubscription("matching.referral_steps", runtime.store, runtime.pool, HANDLES,
                                             steps.handle)
            await runtime.start_workers([("referral steps", subscription.run)])
            try:
                yield
            finally:
                await runtime.stop()

    return create_app("PZW matching", "Benefit-conflict detection across institutions, offers and referrals.",
                      settings, runtime, lifespan, [conflicts_http.router, offers_http.router], policy=POLICY)
