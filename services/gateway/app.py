"""The gateway application: screens, sign-in, the API door, static files and health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from services.gateway import proxy
from services.gateway.config import GatewaySettings, load_settings
from services.gateway.hardening import harden
from services.gateway.middleware import SessionMiddleware
from services.gateway.oidc import OidcClient
from services.gateway.routes import (
    admin,
    auth,
    caseload,
    client_card,
    conflicts,
    dashboard,
    imports,
    notifications,
    steps,
)
from services.gateway.sessions import SessionStore
from services.gateway.upstream import SignedOut, Upstream, UpstreamError
from services.gateway.web import back, render


def build_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The gateway with its settings (from the environment by default)."""
    settings = settings or load_settings()
    http = httpx.AsyncClient(timeout=settings.upstream_timeout_seconds)
    if not settings.oidc_issuer:
        raise RuntimeError("PZW_OIDC_ISSUER is not set: the gateway signs people in at an OpenID Connect issuer "
                           "(`make run` starts the development issuer)")
    oidc = OidcClient(settings.oidc_issuer, settings.oidc_client_id,
                      settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
                      settings.oidc_scope, http)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await http.aclose()

    app = FastAPI(title="PZW gateway", description="The case workers' web application and the door to the "
                  "services' APIs.", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    sessions = SessionStore(settings.session_idle_minutes * 60)
    app.state.settings, app.state.sessions, app.state.oidc = settings, sessions, oidc
    app.state.upstream = Upstream(settings.service_urls(), http, oidc)
    app.add_middleware(SessionMiddleware, store=sessions, secure=not settings.development)
    harden(app, settings, settings.oidc_issuer)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    for module in (auth, caseload, client_card, steps, conflicts, dashboard, imports, admin, notifications, proxy):
        app.include_router(module.router)
    _handlers(app)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _: SignedOut) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        target = request.url.path if request.method == "GET" else "/"
        return back(f"/signin?next={quote(target)}")

    @app.exception_handler(UpstreamError)
    async def refused(request: Request, exc: UpstreamError) -> Response:
        return await render(request, "error.html", http_status=exc.status if exc.status < 500 else 502,
                            status_code=exc.status, detail=exc.detail)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return await render(request, "error.html", http_status=exc.status_code, status_code=exc.status_code,
                            detail=str(exc.detail))
