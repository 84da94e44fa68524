"""How the services learn who acts: the one place that turns a session into upstream request headers."""

from __future__ import annotations

from services.gateway.sessions import Session


def upstream_headers(session: Session) -> dict[str, str]:
    """`Authorization: Bearer` with the user's access token; nothing before sign-in (the services answer 401)."""
    if session.tokens is None:
        return {}
    return {"Authorization": f"Bearer {session.tokens.access_token}"}
