"""Rendering screens: the templates, what every page shows (user, language, CSRF token, unread count, messages)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from services.gateway.i18n import LANGUAGES, Translator, language_of
from services.gateway.sessions import Session, User
from services.gateway.upstream import SignedOut, Upstream, UpstreamError

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def _day(value: Any) -> str:
    """ISO dates as the Polish write them (DD.MM.YYYY); times to the minute."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


templates.env.filters["day"] = _day


def session_of(request: Request) -> Session:
    session: Session = request.state.session
    return session


def user_of(request: Request) -> User:
    """The signed-in user (SignedOut otherwise: the handler sends the browser to sign-in)."""
    user = session_of(request).user
    if user is None:
        raise SignedOut
    return user


def upstream_of(request: Request) -> Upstream:
    upstream: Upstream = request.app.state.upstream
    return upstream


def local_path(candidate: str | None, default: str = "/") -> str:
    """A redirect target inside this site only (no scheme, no host, no //)."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return default
    return candidate


async def unread_count(request: Request) -> int | None:
    """The signed-in user's unread notifications (None when the notifications service does not answer)."""
    try:
        body = await upstream_of(request).json(session_of(request), "notifications", "/inbox",
                                               params={"limit": 1, "unread_only": "true"})
        return int(body["unread"])
    except (UpstreamError, OSError, KeyError, TypeError, ValueError):
        return None


async def render(request: Request, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    """A full page (or a fragment when the template is one) with the shared context."""
    session = session_of(request)
    language = language_of(request)
    unread = await unread_count(request) if session.user and not template.startswith("fragments/") else None
    shared = {"request": request, "t": Translator(language), "lang": language, "languages": LANGUAGES,
              "user": session.user, "csrf_token": session.csrf_token, "unread": unread,
              "flashes": session.take_flashes(), "here": quote(request.url.path + (
                  f"?{request.url.query}" if request.url.query else ""), safe="/?=&"),
              "nav": request.url.path}
    return templates.TemplateResponse(request, template, {**shared, **context}, status_code=http_status)


def back(to: str) -> RedirectResponse:
    """Post/redirect/get: after a form, the browser GETs the page again (303)."""
    return RedirectResponse(to, status_code=303)
