"""Sign-in (OpenID Connect with PKCE), sign-out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.csrf import CsrfForm
from services.gateway.i18n import COOKIE as LANGUAGE_COOKIE
from services.gateway.i18n import LANGUAGES
from services.gateway.oidc import OidcClient, SignInError
from services.gateway.sessions import SessionStore
from services.gateway.web import back, local_path, render, session_of

router = APIRouter(tags=["sign-in"])


def _oidc(request: Request) -> OidcClient:
    client: OidcClient = request.app.state.oidc
    return client


def _redirect_uri(request: Request) -> str:
    public: str = request.app.state.settings.public_url
    return f"{public.rstrip('/')}/auth/callback" if public else str(request.url_for("callback"))


@router.get("/signin", name="signin")
async def sign_in_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    """The sign-in screen: a button to the issuer."""
    return await render(request, "signin.html", next=local_path(next))


@router.get("/auth/login")
async def login(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    """Start the authorization-code flow: remember state, nonce and the PKCE verifier, go to the issuer."""
    oidc = _oidc(request)
    url, pending = await oidc.authorization_url(_redirect_uri(request), local_path(next))
    session_of(request).pending = pending
    return RedirectResponse(url, status_code=302)


@router.get("/auth/callback", name="callback")
async def callback(request: Request, code: str | None = None, state: str | None = None,
                   error: str | None = None) -> Response:
    """The issuer sends the browser back with a code: check the state, trade the code, start the session."""
    oidc, session = _oidc(request), session_of(request)
    pending, session.pending = session.pending, None
    if pending is None or state != pending.state or not code or error:
        session.flash("error", "signin_failed")
        return back("/signin")
    try:
        user, tokens = await oidc.exchange(code, _redirect_uri(request), pending)
    except SignInError:
        session.flash("error", "signin_failed")
        return back("/signin")
    store: SessionStore = request.app.state.sessions
    session = store.rotate(session)
    session.user, session.tokens = user, tokens
    return back(pending.next_path)


@router.post("/signout")
async def sign_out(request: Request, _: CsrfForm) -> Response:
    """End the session here, then at the issuer (when it offers RP-initiated logout)."""
    session, oidc = session_of(request), _oidc(request)
    store: SessionStore = request.app.state.sessions
    store.end(session)
    url = await oidc.logout_url(session.tokens, str(request.url_for("signin")))
    if url:
        return RedirectResponse(url, status_code=303)
    return back("/signin")


@router.get("/language")
async def language(set: Annotated[str, Query(pattern="^[a-z]{2}$")], request: Request,
                   next: Annotated[str | None, Query()] = None) -> Response:
    """Switch the language (kept in a cookie for a year) and go back to the page."""
    answer = back(local_path(next))
    if set in LANGUAGES:
        answer.set_cookie(LANGUAGE_COOKIE, set, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                          secure=not request.app.state.settings.development)
    return answer
