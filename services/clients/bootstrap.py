"""Composition root of the clients service: settings -> runtime -> application -> FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from libs.events.migrations import migrate
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.topics import CLIENTS
from services.clients.adapters.identity_index import MIGRATIONS, PostgresIdentityIndex
from services.clients.application.clients import ClientsApplication
from services.clients.config import ClientsSettings
from services.clients.entrypoints.http import router


def build_app(settings: ClientsSettings | None = None) -> FastAPI:
    settings = settings or ClientsSettings()
    runtime = ServiceRuntime("clients", settings, registry, publishes=[CLIENTS])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            await migrate(runtime.pool, "clients", MIGRATIONS)
            app.state.clients = ClientsApplication(runtime.pool, runtime.store, PostgresIdentityIndex(runtime.pool))
            yield

    return create_app("PZW clients", "The shared client record of PUP, OPS and CIS.", settings, runtime,
                      lifespan, [router])
