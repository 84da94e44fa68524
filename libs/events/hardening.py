"""HTTP hardening every app shares: security headers on every answer and a rate limit per user.

Body size limits are `libs.events.http.BodySizeLimit`; CSRF protection is the gateway's (the only place with forms).
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from collections.abc import Callable

import orjson
from limits import RateLimitItemPerMinute, storage, strategies
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The interactive API documentation (/docs, /redoc) loads FastAPI's Swagger UI and ReDoc assets from jsDelivr.
DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
               "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
               "https://fastapi.tiangolo.com https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; "
               "frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
EXEMPT_PATHS = ("/health/",)


class SecurityHeaders:
    """Adds the security headers to every HTTP answer (those the app set itself are kept).

    `content_policy` is the Content-Security-Policy of ordinary answers; `hsts` adds Strict-Transport-Security
    (outside development, where the platform is served over HTTPS by the ingress).
    """

    def __init__(self, app: ASGIApp, content_policy: str = API_POLICY, hsts: bool = True) -> None:
        self.app, self.content_policy, self.hsts = app, content_policy, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"].startswith(DOCS_PATHS) else self.content_policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                defaults = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                            "Referrer-Policy": "no-referrer", "Content-Security-Policy": policy,
                            "Cross-Origin-Opener-Policy": "same-origin",
                            "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}
                if self.hsts:
                    defaults["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                for name, value in defaults.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


RateKey = Callable[[Scope], str]


def bearer_subject_or_address(scope: Scope) -> str:
    """The rate-limit key of a request: the `sub` of its bearer token, else the client's address.

    The token is not verified here (the route's dependency does that and answers 401 to a forged one); a forged
    subject only moves the caller to a bucket of its own, which the address-free fallback would not stop either.
    """
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            subject = _unverified_subject(value[7:])
            if subject:
                return f"user:{subject}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


def _unverified_subject(token: bytes) -> str | None:
    parts = token.split(b".")
    if len(parts) != 3:
        return None
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return str(subject)[:200] if subject else None


class RateLimit:
    """At most `per_minute` requests per user (moving window, in this process's memory) -> 429 with Retry-After.

    Per replica: with N replicas a user may make up to N x per_minute requests; the limit is there to stop a
    runaway client or script, not to meter use. Health probes are exempt. `per_minute` <= 0 turns it off.
    """

    def __init__(self, app: ASGIApp, per_minute: int, key: RateKey = bearer_subject_or_address) -> None:
        self.app, self.key = app, key
        self.item = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.item is None or scope["path"].startswith(EXEMPT_PATHS):
            await self.app(scope, receive, send)
            return
        key = self.key(scope)
        if self.limiter.hit(self.item, key):
            await self.app(scope, receive, send)
            return
        reset = self.limiter.get_window_stats(self.item, key).reset_time
        retry = max(1, math.ceil(reset - time.time()))
        answer = JSONResponse({"detail": f"too many requests: at most {self.item.amount} per minute per user; "
                                         f"retry in {retry} s", "field": "rate"},
                              status_code=429, headers={"Retry-After": str(retry)})
        await answer(scope, receive, send)
