"""Client-credentials access tokens for calls between services, fetched from the issuer and cached."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator

import httpx

from libs.events.settings import ServiceSettings


class ServiceToken(httpx.Auth):
    """httpx authentication adding a service account's bearer token; fetched from the issuer's token endpoint
    (discovered from the issuer URL) with client_credentials, reused until shortly before it expires, and fetched
    again once when a service answers 401."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, *, scope: str | None = None,
                 renew_before_seconds: float = 30.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._scope = scope
        self._renew_before = renew_before_seconds
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self, force: bool = False) -> str:
        """A valid access token, fetched when there is none, it is about to expire or `force`."""
        async with self._lock:
            if force or self._token is None or time.monotonic() >= self._expires_at - self._renew_before:
                self._token, lifetime = await self._fetch()
                self._expires_at = time.monotonic() + lifetime
            return self._token

    async def _fetch(self) -> tuple[str, float]:
        async with httpx.AsyncClient(timeout=10) as http:
            discovery = await http.get(f"{self.issuer}/.well-known/openid-configuration")
            discovery.raise_for_status()
            form = {"grant_type": "client_credentials"} | ({"scope": self._scope} if self._scope else {})
            answer = await http.post(discovery.json()["token_endpoint"], data=form,
                                     auth=(self.client_id, self._secret))
            if answer.status_code != 200:
                raise RuntimeError(f"the issuer refused a token for {self.client_id}: {answer.status_code} "
                                   f"{answer.text[:200]}")
            body = answer.json()
            return str(body["access_token"]), float(body.get("expires_in", 60))

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.token()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {await self.token(force=True)}"
            yield request


def service_account(settings: ServiceSettings) -> ServiceToken:
    """The token of this service's account (`PZW_<SERVICE>_OIDC_CLIENT_ID`, default `pzw-<service>`, and its
    secret) for calls to other services; a clear error when the secret is not configured. The service is the one
    of the settings' environment prefix (PZW_MATCHING_ -> matching), whatever its process is called."""
    prefix = str(settings.model_config.get("env_prefix", "PZW_"))
    service = prefix.removeprefix("PZW_").strip("_").lower() or "platform"
    client_id = settings.oidc_client_id or f"pzw-{service}"
    if settings.oidc_client_secret is None:
        raise RuntimeError(f"PZW_{service.upper()}_OIDC_CLIENT_SECRET is required: {service} calls other services "
                           f"as the service account {client_id}")
    return ServiceToken(settings.issuer_url(), client_id, settings.oidc_client_secret.get_secret_value())
