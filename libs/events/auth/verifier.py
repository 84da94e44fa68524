"""Access-token verification against the issuer's JWKS, discovered from the issuer URL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx
import jwt

from libs.events.auth.principal import Principal

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "PS256"]
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]


class Unauthorized(Exception):
    """No valid access token (answered with 401 and `WWW-Authenticate: Bearer`)."""

    def __init__(self, message: str, error: str = "invalid_token") -> None:
        super().__init__(message)
        self.error = error


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path (`realm_access.roles` for Keycloak tokens)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


class TokenVerifier:
    """Checks signature (JWKS, cached, fetched again on an unknown key id), iss, aud, exp and nbf.

    `roles_claim` and `institution_claim` are dotted claim paths, so that tokens of an external provider
    (e.g. Keycloak's `realm_access.roles`) map onto the platform's principal by configuration.
    """

    def __init__(self, issuer: str, audience: str, *, roles_claim: str = "roles",
                 institution_claim: str = "institution", leeway_seconds: int = 30,
                 min_refresh_seconds: float = 10.0, http: httpx.AsyncClient | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self._roles_claim = roles_claim
        self._institution_claim = institution_claim
        self._leeway = leeway_seconds
        self._min_refresh = min_refresh_seconds
        self._http = http
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _get(self, url: str) -> dict[str, Any]:
        if self._http is not None:
            answer = await self._http.get(url)
        else:
            async with httpx.AsyncClient(timeout=5) as http:
                answer = await http.get(url)
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    async def refresh_keys(self) -> None:
        """Fetch the issuer's discovery document and its JWKS (at most once per `min_refresh_seconds`)."""
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._min_refresh:
                return
            try:
                discovery = await self._get(f"{self.issuer}/.well-known/openid-configuration")
                jwks = await self._get(str(discovery["jwks_uri"]))
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                raise Unauthorized(f"the identity provider {self.issuer} cannot be reached to check the token "
                                   f"({exc.__class__.__name__})", error="temporarily_unavailable") from exc
            keys: dict[str, jwt.PyJWK] = {}
            for data in jwks.get("keys", []):
                if data.get("use", "sig") != "sig" or "kid" not in data:
                    continue
                try:
                    keys[data["kid"]] = jwt.PyJWK(data)
                except jwt.PyJWTError:
                    continue  # a key type this verifier does not use
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys:
            await self.refresh_keys()  # a new key (rotation) or the first token
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized(f"the token is signed with key {kid!r}, which the identity provider does not publish")
        return key

    async def verify(self, token: str) -> Principal:
        """The principal of a valid access token; Unauthorized naming what is wrong otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the bearer token is not a JWT: {exc}") from exc
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized(f"token algorithm {header.get('alg')!r} is not accepted")
        key = await self._key(str(header.get("kid", "")))
        if key.algorithm_name and key.algorithm_name != header["alg"]:
            raise Unauthorized(f"the token says {header['alg']}, but key {header.get('kid')} is an "
                               f"{key.algorithm_name} key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=[str(header["alg"])], audience=self.audience, issuer=self.issuer,
                leeway=self._leeway, options={"require": REQUIRED_CLAIMS})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the access token has expired; sign in again or refresh it") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("the access token is not valid yet (nbf/iat in the future)") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized(f"the access token is not meant for audience {self.audience!r}") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized(f"the access token was not issued by {self.issuer}") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthorized("the access token's signature does not verify") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"the access token lacks the claim {exc.claim!r}") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the access token is invalid: {exc}") from exc
        return self._principal(claims)

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        roles = _claim(claims, self._roles_claim) or []
        institution = _claim(claims, self._institution_claim)
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized(f"the access token's {self._roles_claim!r} claim is not a list of roles")
        if not isinstance(institution, str) or not institution:
            raise Unauthorized(f"the access token lacks the {self._institution_claim!r} claim")
        sub = str(claims["sub"])
        region = claims.get("region")
        return Principal(user=sub, name=str(claims.get("name") or sub), institution=institution,
                         roles=tuple(roles), region=str(region) if region else None,
                         client_id=claims.get("client_id") or claims.get("azp"))
