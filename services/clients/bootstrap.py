"""Composition root of the clients service: settings -> runtime -> use cases -> FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from libs.events.access_log import AccessLog, AccessLogProjection
from libs.events.key_store import MasterKey, PostgresKeyStore
from libs.events.migrations import migrate
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.subscription import StoreSubscription
from libs.events.topics import CLIENTS
from services.clients.access_policy import POLICY
from services.clients.adapters.identity_index import MIGRATIONS, PostgresIdentityIndex
from services.clients.adapters.indexes import WriteIndexes
from services.clients.application.clients import ClientsApplication
from services.clients.application.cooperation import CooperationApplication
from services.clients.application.erasure import ErasureApplication
from services.clients.application.reassignment import HANDLES, Reassignment
from services.clients.application.retention import PlanClock, RetentionJob, RetentionRules
from services.clients.config import ClientsSettings
from services.clients.entrypoints import cooperation_http, erasure_http, http, import_http
from services.clients.importing.service import build_import_service


def build_app(settings: ClientsSettings | None = None) -> FastAPI:
    settings = settings or ClientsSettings()
    master = MasterKey.from_config(settings.master_key.get_secret_value() if settings.master_key else None,
                                   settings.environment)  # fails at start-up without a master key in production
    key_store: PostgresKeyStore | None = None

    async def own_keys() -> PostgresKeyStore:
        # A pool of its own: a key is made while an append holds a connection of the service's pool in its
        # transaction, and is committed on its own (a key without events is harmless, events without a key not).
        nonlocal key_store
        pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=4)
        key_store = PostgresKeyStore(pool, master)
        await key_store.migrate()
        return key_store

    rules = RetentionRules.load(settings.retention_path)  # a bad retention file stops the start, not a night run
    runtime = ServiceRuntime("clients", settings, registry, publishes=[CLIENTS],
                             projections=[PlanClock(), AccessLogProjection()], key_source=own_keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.prepare()
        await migrate(runtime.pool, "clients", MIGRATIONS)
        app.state.access_log = access_log = AccessLog(runtime.pool, "clients")
        await access_log.migrate()
        indexes = WriteIndexes(runtime.pool)
        assert key_store is not None
        assert runtime.sealer is not None
        app.state.keys = key_store
        app.state.erasure = erasure = ErasureApplication(runtime.pool, runtime.store, key_store,
                                                         runtime.sealer.ring)
        app.state.retention = retention = RetentionJob(runtime.pool, erasure, rules)
        clients = ClientsApplication(runtime.pool, runtime.store, PostgresIdentityIndex(runtime.pool), indexes,
                                     keys=key_store)
        app.state.clients = clients
        app.state.cooperation = CooperationApplication(runtime.pool, runtime.store, indexes)
        app.state.imports = imports = build_import_service(runtime.pool, runtime.store, settings)
        await imports.recover()
        reassignment = Reassignment(clients, indexes)
        subscription = StoreSubscription("clients.reassignment", runtime.store, runtime.pool, HANDLES,
                                         reassignment.handle)
        await runtime.start_workers([("reassignment", subscription.run),
                                     ("daily sharing sweep", reassignment.run_daily_sweep),
                                     ("retention", lambda stop: retention.run_every(
                                         stop, settings.retention_interval_seconds))])
        try:
            yield
        finally:
            await imports.stop()  # background imports end as interrupted before the pool closes
            await runtime.stop()
            if key_store is not None:
                await key_store.close()

    return create_app("PZW clients", "The shared client record of PUP, OPS and CIS, their agreements and regions.",
                      settings, runtime, lifespan, [http.router, cooperation_http.router, import_http.router,
                       erasure_http.router],
                      body_limits={"/imports/": settings.max_import_bytes}, policy=POLICY)
