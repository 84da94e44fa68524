"""Server-side sessions: the browser holds only a random id in an HttpOnly cookie; tokens stay here."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

COOKIE = "pzw_session"


@dataclass(slots=True)
class User:
    """The signed-in person: who, where, and the role they act in."""

    sub: str
    name: str
    institution: str
    roles: tuple[str, ...]
    region: str | None = None

    @property
    def role(self) -> str:
        """The role actions are taken in: the first case-work role held, else the first role."""
        return self.roles[0] if self.roles else ""

    @property
    def supervisor(self) -> bool:
        return any(r in ("supervisor", "manager", "director") for r in self.roles)


@dataclass(slots=True)
class Tokens:
    """What the issuer's token endpoint answered (access token forwarded to the services)."""

    access_token: str
    expires_at: float
    refresh_token: str | None = None
    id_token: str | None = None


@dataclass(slots=True)
class PendingSignIn:
    """An authorization request in flight: checked when the issuer redirects back."""

    state: str
    nonce: str
    code_verifier: str
    next_path: str


@dataclass(slots=True)
class Session:
    """One browser's session: the CSRF token of its forms, the user once signed in, their tokens."""

    session_id: str
    csrf_token: str
    last_seen: float
    user: User | None = None
    tokens: Tokens | None = None
    pending: PendingSignIn | None = None
    flashes: list[tuple[str, str]] = field(default_factory=list)

    def flash(self, kind: str, message: str) -> None:
        """A message shown once on the next page (kind: ok or error)."""
        self.flashes.append((kind, message))

    def take_flashes(self) -> list[tuple[str, str]]:
        taken, self.flashes = self.flashes, []
        return taken


class SessionStore:
    """Sessions in this process's memory, ended after `idle_seconds` without use.

    One gateway replica holds its sessions; with several, the Ingress keeps a browser on one replica
    (cookie affinity, docs/gateway.md). A restart signs everyone out, which is safe.
    """

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}

    def new(self) -> Session:
        self._expire()
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), time.monotonic())
        self._sessions[session.session_id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session of a cookie value, or None (unknown or idle too long)."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.idle_seconds:
            del self._sessions[session_id]
            return None
        session.last_seen = now
        return session

    def rotate(self, session: Session) -> Session:
        """A new id and CSRF token for the same session (at sign-in: a planted id is worthless)."""
        self._sessions.pop(session.session_id, None)
        session.session_id, session.csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._sessions[session.session_id] = session
        return session

    def end(self, session: Session) -> None:
        self._sessions.pop(session.session_id, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for sid in [s for s, v in self._sessions.items() if now - v.last_seen > self.idle_seconds]:
            del self._sessions[sid]
