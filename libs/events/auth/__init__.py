"""Verified identity for every service: OpenID Connect access tokens (decision 0009)."""

from libs.events.auth.dependency import ActorDep, PrincipalDep, current_actor, current_principal
from libs.events.auth.principal import Principal
from libs.events.auth.service_token import ServiceToken, service_account
from libs.events.auth.verifier import TokenVerifier, Unauthorized

__all__ = ["ActorDep", "Principal", "PrincipalDep", "ServiceToken", "TokenVerifier", "Unauthorized",
           "current_actor", "current_principal", "service_account"]
