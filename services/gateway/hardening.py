"""The gateway's share of the HTTP hardening: its page policy, body limits and the rate-limit key of a browser."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from fastapi import FastAPI
from starlette.types import Scope

from libs.events.hardening import RateLimit, SecurityHeaders, bearer_subject_or_address
from libs.events.http import BodySizeLimit
from services.gateway.config import GatewaySettings
from services.gateway.sessions import COOKIE

IMPORT_PATHS = ("/imports", "/api/clients/imports")


def page_policy(issuer: str) -> str:
    """Content-Security-Policy of the screens: own scripts, styles and images only; forms post here (sign-out then
    continues at the issuer)."""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action 'self' {issuer}; frame-ancestors 'none'")


def session_or_address(scope: Scope) -> str:
    """The rate-limit key of a browser: its session (one signed-in person), else its address."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar: SimpleCookie = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                break
            if COOKIE in jar and jar[COOKIE].value:
                return f"session:{jar[COOKIE].value}"
    return bearer_subject_or_address(scope)


def harden(app: FastAPI, settings: GatewaySettings, issuer: str) -> None:
    """Body limits (imports larger), a rate limit per session, security headers on every answer (outermost)."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       limits=dict.fromkeys(IMPORT_PATHS, settings.max_import_bytes))
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute, key=session_or_address)
    app.add_middleware(SecurityHeaders, content_policy=page_policy(issuer), hsts=not settings.development)
