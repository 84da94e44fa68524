"""How the services learn who acts: the one place that turns a session into upstream request headers."""

from __future__ import annotations

from services.gateway.sessions import Session


def upstream_headers(session: Session) -> dict[str, str]:
    """`Authorization: Bearer` with the user's access token when signed in through OpenID Connect; at development
    sign-in (no issuer), the X-Actor-* headers the services accept in development."""
    if session.tokens is not None:
        return {"Authorization": f"Bearer {session.tokens.access_token}"}
    if session.user is None:
        return {}
    return {"X-Actor-User": session.user.sub, "X-Actor-Institution": session.user.institution,
            "X-Actor-Role": session.user.role}
