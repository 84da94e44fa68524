"""The FastAPI application shell every service shares: errors, size limit, health, and how to serve it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager

import uvicorn
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from libs.events.auth.dependency import enforce_access
from libs.events.auth.policy import AccessPolicy
from libs.events.auth.verifier import TokenVerifier
from libs.events.hardening import RateLimit, SecurityHeaders
from libs.events.http import COMMON_ERRORS, BodySizeLimit, install_error_handlers
from libs.events.logging import configure_logging
from libs.events.runtime import ServiceRuntime
from libs.events.secrets import development_mode
from libs.events.settings import ServiceSettings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    title: str, description: str, settings: ServiceSettings, runtime: ServiceRuntime, lifespan: Lifespan,
    routers: Sequence[APIRouter], body_limits: Mapping[str, int] | None = None, *, policy: AccessPolicy,
) -> FastAPI:
    """A service app with the shared conventions; `runtime` is reachable as `app.state.runtime`. Every route is
    guarded by its rule in `policy` (no rule: refused) and needs a verified access token unless the rule is public.

    `body_limits` gives path prefixes a body limit other than settings.max_body_bytes (uploads such as imports).
    """
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  dependencies=[Depends(enforce_access)])
    app.state.runtime = runtime
    app.state.verifier = verifier_for(settings)
    app.state.access_policy = policy
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/live,health/ready")
    install_error_handlers(app)
    # Outermost last: security headers on every answer (429 and 413 included), then the rate limit, then size.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, limits=body_limits)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(SecurityHeaders, hsts=not development_mode())
    for router in routers:
        app.include_router(router, responses=COMMON_ERRORS)
    app.include_router(_health_router(runtime))
    return app


def verifier_for(settings: ServiceSettings) -> TokenVerifier:
    """The access-token verifier of the configured issuer and audience (decision 0009)."""
    return TokenVerifier(settings.issuer_url(), settings.oidc_audience, roles_claim=settings.oidc_roles_claim,
                         institution_claim=settings.oidc_institution_claim)


def _health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        """PostgreSQL answers and the service has started (migrations done, topics exist)."""
        try:
            await runtime.pool.fetchval("SELECT 1")
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": repr(exc)}, status_code=503)
        backlog = await runtime.relay.pending() if runtime.relay else 0
        return JSONResponse({"status": "ok", "outbox_backlog": backlog})

    return router


def serve(app: FastAPI, settings: ServiceSettings, argv: Sequence[str] | None = None) -> None:
    """Run the app with uvicorn on the configured host and port; `migrate` as the only argument instead applies
    the migrations and creates the topics, then exits (a Kubernetes Job before the Deployment rolls out)."""
    configure_logging(app.title)
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["migrate"]:
        asyncio.run(migrate_only(app))
        return
    if args:
        raise SystemExit(f"unknown arguments {args}; the only one is `migrate`")
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="warning",
                access_log=False, lifespan="on")


async def migrate_only(app: FastAPI) -> None:
    """Run the app's start-up (migrations, topics) without its background work, and stop."""
    runtime: ServiceRuntime = app.state.runtime
    runtime.migrate_only = True
    async with app.router.lifespan_context(app):
        pass


