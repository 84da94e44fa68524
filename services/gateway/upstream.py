"""Calls to the services on behalf of the signed-in user (the screens' data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from services.gateway.identity import upstream_headers
from services.gateway.oidc import OidcClient
from services.gateway.sessions import Session


class SignedOut(Exception):
    """The session has no usable identity any more (not signed in, or the tokens could not be refreshed)."""


class UpstreamError(Exception):
    """A service refused: its status and the message it gave (shown to the user)."""

    def __init__(self, status: int, detail: str, body: Any = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail, self.body = status, detail, body


def detail_of(answer: httpx.Response) -> str:
    """The service's own explanation of an error answer (`detail`, with `field` when named)."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:300] or answer.reason_phrase
    if isinstance(body, dict):
        detail = str(body.get("detail", answer.reason_phrase))
        return f"{detail} ({body['field']})" if body.get("field") and body["field"] not in detail else detail
    return answer.reason_phrase


@dataclass
class Upstream:
    """The services' base URLs, one HTTP client, and the issuer for refreshing tokens."""

    urls: dict[str, str]
    http: httpx.AsyncClient
    oidc: OidcClient | None

    async def headers(self, session: Session) -> dict[str, str]:
        """The identity headers of the session, refreshing the access token first when it is about to expire."""
        if session.user is None:
            raise SignedOut
        if session.tokens is not None and self.oidc is not None:
            fresh = await self.oidc.refresh(session.tokens)
            if fresh is None:
                session.user, session.tokens = None, None
                raise SignedOut
            session.tokens = fresh
        return upstream_headers(session)

    async def call(self, session: Session, method: str, service: str, path: str, *, expect: tuple[int, ...] = (),
                   **kwargs: Any) -> httpx.Response:
        """One request; an answer >= 400 not in `expect` raises UpstreamError, 401 ends the sign-in."""
        headers = {**kwargs.pop("headers", {}), **await self.headers(session)}
        try:
            answer = await self.http.request(method, f"{self.urls[service]}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise UpstreamError(502, f"{service} is not reachable ({type(exc).__name__})") from exc
        if answer.status_code == 401:
            session.user, session.tokens = None, None
            raise SignedOut
        if answer.status_code >= 400 and answer.status_code not in expect:
            raise UpstreamError(answer.status_code, detail_of(answer), answer.content)
        return answer

    async def json(self, session: Session, service: str, path: str, **kwargs: Any) -> Any:
        """GET and decode JSON."""
        return (await self.call(session, "GET", service, path, **kwargs)).json()

    async def optional(self, session: Session, service: str, path: str, **kwargs: Any) -> Any:
        """GET and decode JSON; None on 404 (e.g. a client without a plan yet)."""
        answer = await self.call(session, "GET", service, path, expect=(404,), **kwargs)
        return None if answer.status_code == 404 else answer.json()
