"""The FastAPI dependencies every route uses to know who is calling (a verified bearer token, nothing else)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from libs.events.auth.policy import rule_of
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


async def principal_of(request: Request) -> Principal:
    """The verified caller (once per request). A service account (role `service`) may name the worker it acts for
    in `X-On-Behalf-Of: user=...; institution=...; role=...` (a referral step the worker caused); nobody else may."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    credentials = await _bearer(request)
    if credentials is None:
        raise Unauthorized("an access token is required: send `Authorization: Bearer <token>`", error="")
    principal = await verifier_of(request).verify(credentials.credentials)
    on_behalf = request.headers.get("X-On-Behalf-Of")
    if on_behalf is not None:
        if not principal.is_service:
            raise Forbidden(f"X-On-Behalf-Of is only accepted from service accounts; {principal.user} is not one")
        match = _ON_BEHALF.match(on_behalf)
        if match is None:
            raise Unauthorized("X-On-Behalf-Of must read `user=<id>; institution=<id>; role=<role>`")
        user, institution, role = match.groups()
        principal = Principal(user=user, name=user, institution=institution, roles=(role,), client_id=principal.user)
    request.state.principal = principal
    return principal


async def enforce_access(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The service's access rule for the route (libs.events.auth.policy), before anything else runs; the role
    that satisfied it is the role recorded as acting."""
    rule, path_params = rule_of(request)
    if rule.public:
        return
    principal = await principal_of(request)
    request.state.acting_role = rule.authorise(principal, path_params)


async def current_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller (documents the bearer scheme in OpenAPI)."""
    return await principal_of(request)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def current_actor(request: Request, principal: PrincipalDep) -> Actor:
    """The actor recorded in event metadata: the caller, in the role that the access rule admitted."""
    return principal.actor(getattr(request.state, "acting_role", None))


ActorDep = Annotated[Actor, Depends(current_actor)]


def on_behalf_of(actor: Actor) -> dict[str, str]:
    """The header with which a service account names the worker it acts for."""
    return {"X-On-Behalf-Of": f"user={actor.user}; institution={actor.institution}; role={actor.role}"}
