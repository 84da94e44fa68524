"""The FastAPI dependencies every route uses to know who is calling (a verified bearer token, nothing else)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from libs.events.auth.principal import Principal
from libs.events.auth.verifier import TokenVerifier, Unauthorized
from libs.events.decider import Forbidden
from libs.events.envelope import Actor

_bearer = HTTPBearer(auto_error=False, description="an access token of the platform's OpenID Connect issuer")
_ON_BEHALF = re.compile(r"^\s*user=([^;\s]{1,200})\s*;\s*institution=([^;\s]{1,200})\s*;\s*role=([^;\s]{1,100})\s*$")


def verifier_of(request: Request) -> TokenVerifier:
    verifier: TokenVerifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise RuntimeError("the app has no token verifier (app.state.verifier); build it with create_app")
    return verifier


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    on_behalf_of: Annotated[str | None, Header(alias="X-On-Behalf-Of", include_in_schema=False)] = None,
) -> Principal:
    """The verified caller. A service account (role `service`) may name the worker it acts for in
    `X-On-Behalf-Of: user=...; institution=...; role=...` (a referral step the worker caused); nobody else may."""
    if credentials is None:
        raise Unauthorized("an access token is required: send `Authorization: Bearer <token>`", error="")
    principal = await verifier_of(request).verify(credentials.credentials)
    request.state.principal = principal
    if on_behalf_of is None:
        return principal
    if not principal.is_service:
        raise Forbidden(f"X-On-Behalf-Of is only accepted from service accounts; {principal.user} is not one")
    match = _ON_BEHALF.match(on_behalf_of)
    if match is None:
        raise Unauthorized("X-On-Behalf-Of must read `user=<id>; institution=<id>; role=<role>`")
    user, institution, role = match.groups()
    return Principal(user=user, name=user, institution=institution, roles=(role,), client_id=principal.user)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def current_actor(principal: PrincipalDep) -> Actor:
    """The actor recorded in event metadata for the verified caller."""
    return principal.actor()


ActorDep = Annotated[Actor, Depends(current_actor)]


def on_behalf_of(actor: Actor) -> dict[str, str]:
    """The header with which a service account names the worker it acts for."""
    return {"X-On-Behalf-Of": f"user={actor.user}; institution={actor.institution}; role={actor.role}"}
