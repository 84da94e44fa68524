"""OpenID Connect authorization-code flow with PKCE (S256) against the configured issuer."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from services.gateway.sessions import PendingSignIn, Tokens, User

REFRESH_MARGIN_SECONDS = 30


class SignInError(Exception):
    """The issuer refused, or answered something that does not prove who signed in."""


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str | None


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def unverified_claims(jwt: str) -> dict[str, Any]:
    """The claims of a JWT received straight from the issuer's token endpoint over the back channel (OIDC Core
    3.1.3.7: TLS to the issuer stands in for the signature); the services verify the access token's signature."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise SignInError("the issuer's token is not a JWT") from exc
    if not isinstance(claims, dict):
        raise SignInError("the issuer's token has no claims")
    return claims


class OidcClient:
    """The gateway as a confidential OIDC client of one issuer."""

    def __init__(self, issuer: str, client_id: str, client_secret: str | None, scope: str,
                 http: httpx.AsyncClient) -> None:
        self.issuer, self.client_id, self.client_secret = issuer.rstrip("/"), client_id, client_secret
        self.scope, self.http = scope, http
        self._metadata: ProviderMetadata | None = None

    async def metadata(self) -> ProviderMetadata:
        """The issuer's discovery document (fetched once)."""
        if self._metadata is None:
            answer = await self.http.get(f"{self.issuer}/.well-known/openid-configuration")
            answer.raise_for_status()
            doc = answer.json()
            if doc.get("issuer", "").rstrip("/") != self.issuer:
                raise SignInError(f"the discovery document names issuer {doc.get('issuer')!r}, not {self.issuer!r}")
            self._metadata = ProviderMetadata(doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"],
                                              doc.get("end_session_endpoint"))
        return self._metadata

    async def authorization_url(self, redirect_uri: str, next_path: str) -> tuple[str, PendingSignIn]:
        """Where to send the browser, and what to check when it comes back."""
        verifier, challenge = pkce_pair()
        pending = PendingSignIn(secrets.token_urlsafe(24), secrets.token_urlsafe(24), verifier, next_path)
        query = urlencode({"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                           "scope": self.scope, "state": pending.state, "nonce": pending.nonce,
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        return f"{(await self.metadata()).authorization_endpoint}?{query}", pending

    async def exchange(self, code: str, redirect_uri: str, pending: PendingSignIn) -> tuple[User, Tokens]:
        """Trade the authorization code (with the PKCE verifier) for tokens; check the ID token's claims."""
        tokens = await self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                                    "code_verifier": pending.code_verifier})
        if tokens.id_token is None:
            raise SignInError("the issuer sent no ID token")
        id_claims = unverified_claims(tokens.id_token)
        if id_claims.get("nonce") != pending.nonce:
            raise SignInError("the ID token's nonce is not the one sent")
        audience = id_claims.get("aud")
        if self.client_id not in (audience if isinstance(audience, list) else [audience]):
            raise SignInError("the ID token is not for this client")
        if str(id_claims.get("iss", "")).rstrip("/") != self.issuer:
            raise SignInError("the ID token is from another issuer")
        return user_from_claims({**id_claims, **unverified_claims(tokens.access_token)}), tokens

    async def refresh(self, tokens: Tokens) -> Tokens | None:
        """New tokens when the access token is about to expire; None when it cannot be refreshed (sign in again)."""
        if tokens.expires_at - time.time() > REFRESH_MARGIN_SECONDS:
            return tokens
        if tokens.refresh_token is None:
            return None
        try:
            fresh = await self._token({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
        except SignInError:
            return None
        fresh.refresh_token = fresh.refresh_token or tokens.refresh_token
        fresh.id_token = fresh.id_token or tokens.id_token
        return fresh

    async def logout_url(self, tokens: Tokens | None, after: str) -> str | None:
        """The issuer's end-session address (RP-initiated logout), if it has one."""
        endpoint = (await self.metadata()).end_session_endpoint
        if endpoint is None:
            return None
        query = {"post_logout_redirect_uri": after, "client_id": self.client_id}
        if tokens and tokens.id_token:
            query["id_token_hint"] = tokens.id_token
        return f"{endpoint}?{urlencode(query)}"

    async def _token(self, form: dict[str, str]) -> Tokens:
        form = {**form, "client_id": self.client_id}
        if self.client_secret:
            form["client_secret"] = self.client_secret
        answer = await self.http.post((await self.metadata()).token_endpoint, data=form)
        if answer.status_code != 200:
            raise SignInError(f"the issuer refused the token request ({answer.status_code}): {answer.text[:200]}")
        body = answer.json()
        return Tokens(access_token=body["access_token"], expires_at=time.time() + float(body.get("expires_in", 300)),
                      refresh_token=body.get("refresh_token"), id_token=body.get("id_token"))


def user_from_claims(claims: dict[str, Any]) -> User:
    """The user from token claims (contract: sub, name, institution, roles, region; Keycloak realm roles too)."""
    roles = claims.get("roles") or (claims.get("realm_access") or {}).get("roles") or []
    if not claims.get("sub") or not claims.get("institution"):
        raise SignInError("the token names no user (sub) or no institution")
    return User(sub=str(claims["sub"]), name=str(claims.get("name") or claims["sub"]),
                institution=str(claims["institution"]), roles=tuple(str(r) for r in roles),
                region=claims.get("region"))
