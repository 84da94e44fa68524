"""The session of every request: looked up from the cookie (or started), and the cookie set when it changed."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.sessions import COOKIE, SessionStore


class SessionMiddleware:
    """Puts `request.state.session` in place; sends `Set-Cookie` (HttpOnly, SameSite=Lax, Secure unless in
    development) when the session is new or its id rotated, and clears the cookie when it ended."""

    def __init__(self, app: ASGIApp, store: SessionStore, secure: bool) -> None:
        self.app, self.store, self.secure = app, store, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/static/", "/health/")):
            await self.app(scope, receive, send)
            return
        presented = HTTPConnection(scope).cookies.get(COOKIE)
        session = self.store.get(presented) or self.store.new()
        scope.setdefault("state", {})["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                alive = self.store.get(session.session_id) is session
                if not alive or session.session_id != presented:
                    MutableHeaders(scope=message).append("set-cookie", self._cookie(session.session_id, alive))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, value: str, alive: bool) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE] = value if alive else ""
        morsel = cookie[COOKIE]
        morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "Lax"
        if self.secure:
            morsel["secure"] = True
        if not alive:
            morsel["max-age"] = 0
        return morsel.OutputString()
