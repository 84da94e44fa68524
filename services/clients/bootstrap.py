"""Composition root of the clients service: settings -> runtime -> use cases -> FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from libs.events.migrations import migrate
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.subscription import StoreSubscription
from libs.events.topics import CLIENTS
from services.clients.access_policy import POLICY
from services.clients.adapters.access_log import MIGRATIONS as ACCESS_LOG_MIGRATIONS
from services.clients.adapters.access_log import AccessLog
from services.clients.adapters.identity_index import MIGRATIONS, PostgresIdentityIndex
from services.clients.adapters.indexes import WriteIndexes
from services.clients.application.clients import ClientsApplication
from services.clients.application.cooperation import CooperationApplication
from services.clients.application.reassignment import HANDLES, Reassignment
from services.clients.config import ClientsSettings
from services.clients.entrypoints import cooperation_http, http, import_http
from services.clients.importing.service import build_import_service


def build_app(settings: ClientsSettings | None = None) -> FastAPI:
    settings = settings or ClientsSettings()
    runtime = ServiceRuntime("clients", settings, registry, publishes=[CLIENTS])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.prepare()
        await migrate(runtime.pool, "clients", MIGRATIONS)
        await migrate(runtime.pool, "clients.access_log", ACCESS_LOG_MIGRATIONS)
        app.state.access_log = AccessLog(runtime.pool)
        indexes = WriteIndexes(runtime.pool)
        clients = ClientsApplication(runtime.pool, runtime.store, PostgresIdentityIndex(runtime.pool), indexes)
        app.state.clients = clients
        app.state.cooperation = CooperationApplication(runtime.pool, runtime.store, indexes)
        app.state.imports = imports = build_import_service(runtime.pool, runtime.store, settings)
        await imports.recover()
        reassignment = Reassignment(clients, indexes)
        subscription = StoreSubscription("clients.reassignment", runtime.store, runtime.pool, HANDLES,
                                         reassignment.handle)
        await runtime.start_workers([("reassignment", subscription.run),
                                     ("daily sharing sweep", reassignment.run_daily_sweep)])
        try:
            yield
        finally:
            await imports.stop()  # background imports end as interrupted before the pool closes
            await runtime.stop()

    return create_app("PZW clients", "The shared client record of PUP, OPS and CIS, their agreements and regions.",
                      settings, runtime, lifespan, [http.router, cooperation_http.router, import_http.router],
                      body_limits={"/imports/": settings.max_import_bytes}, policy=POLICY)
