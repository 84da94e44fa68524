"""The development OpenID Connect issuer: the endpoints of the identity contract, over HTTP."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from libs.events.auth import ServiceToken, TokenVerifier
from tests.support.identity import DevelopmentIssuer
from tests.support.processes import REPO

GATEWAY = "pzw-gateway"
CALLBACK = "http://127.0.0.1:8123/auth/callback"  # a loopback redirect: any port of the registered one


@pytest.fixture
async def http(identity_issuer: DevelopmentIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=identity_issuer.url, timeout=10) as client:
        yield client


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": GATEWAY, "redirect_uri": CALLBACK, "scope": "openid",
            "state": "s-123", "nonce": "n-456", "code_challenge": challenge, "code_challenge_method": "S256"}


async def sign_in(http: httpx.AsyncClient, params: dict[str, str], **form: str) -> httpx.Response:
    return await http.post("/authorize", data={**params, **form})


async def test_discovery_names_every_endpoint(http: httpx.AsyncClient, identity_issuer: DevelopmentIssuer) -> None:
    doc = (await http.get("/.well-known/openid-configuration")).json()
    base = identity_issuer.url
    assert doc["issuer"] == base
    assert {doc[k] for k in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint",
                             "end_session_endpoint")} == {f"{base}/authorize", f"{base}/token", f"{base}/jwks",
                                                          f"{base}/userinfo", f"{base}/logout"}
    assert doc["code_challenge_methods_supported"] == ["S256"]
    keys = (await http.get("/jwks")).json()["keys"]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # public keys only


async def test_sign_in_page_is_polish_with_an_english_switch(http: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    polish = await http.get("/authorize", params=authorize_params(challenge))
    assert polish.status_code == 200
    assert '<html lang="pl">' in polish.text
    assert "Zaloguj się" in polish.text
    assert "Anna Nowak" in polish.text
    assert 'for="username"' in polish.text  # labelled inputs and real buttons: usable with the keyboard
    english = await http.get("/authorize", params={**authorize_params(challenge), "lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Sign in" in english.text


async def test_authorization_code_with_pkce_refresh_userinfo_and_logout(http: httpx.AsyncClient,
                                                                       identity_issuer: DevelopmentIssuer) -> None:
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    wrong = await sign_in(http, params, username="anna.nowak", password="not-the-password")
    assert wrong.status_code == 401
    assert "Nieprawidłowy login lub hasło" in wrong.text
    signed_in = await sign_in(http, params, username="anna.nowak", password="demo")
    assert signed_in.status_code == 303
    back = urlsplit(signed_in.headers["location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    assert query["state"] == "s-123"
    secret = identity_issuer.client_secret(GATEWAY)
    exchange = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": CALLBACK}

    refused = await http.post("/token", data={**exchange, "code_verifier": "wrong" * 10}, auth=(GATEWAY, secret))
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    signed_in = await sign_in(http, params, user="anna.nowak")  # the code is spent: sign in again
    code = parse_qs(urlsplit(signed_in.headers["location"]).query)["code"][0]
    tokens = await http.post("/token", data={**exchange, "code": code, "code_verifier": verifier,
                                             "client_id": GATEWAY, "client_secret": secret})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    principal = await TokenVerifier(identity_issuer.url, "pzw").verify(body["access_token"])
    assert (principal.user, principal.institution, principal.roles) == ("anna.nowak", "PUP-2473", ("job_broker",))
    id_claims = identity_issuer.issuer.signer.verify(body["id_token"], identity_issuer.url, GATEWAY)
    assert id_claims["nonce"] == "n-456"
    replayed = await http.post("/token", data={**exchange, "code": code, "code_verifier": verifier},
                               auth=(GATEWAY, secret))
    assert replayed.status_code == 400  # a code works once

    me = await http.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"sub": "anna.nowak", "name": "Anna Nowak", "institution": "PUP-2473",
                         "roles": ["job_broker"]}
    refreshed = await http.post("/token", data={"grant_type": "refresh_token",
                                                "refresh_token": body["refresh_token"]}, auth=(GATEWAY, secret))
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != body["refresh_token"]

    out = await http.get("/logout", params={"post_logout_redirect_uri": "http://127.0.0.1:8123/",
                                            "id_token_hint": body["id_token"], "state": "bye"})
    assert out.status_code == 303
    assert out.headers["location"] == "http://127.0.0.1:8123/?state=bye"
    after = await http.post("/token", data={"grant_type": "refresh_token",
                                            "refresh_token": refreshed.json()["refresh_token"]},
                            auth=(GATEWAY, secret))
    assert after.status_code == 400  # signed out: refresh tokens no longer work


async def test_requests_the_issuer_refuses(http: httpx.AsyncClient, identity_issuer: DevelopmentIssuer) -> None:
    _, challenge = pkce()
    unknown = await http.get("/authorize", params={**authorize_params(challenge), "client_id": "nobody"})
    assert unknown.status_code == 400
    elsewhere = await http.get("/authorize", params={**authorize_params(challenge),
                                                     "redirect_uri": "https://evil.example/cb"})
    assert elsewhere.status_code == 400
    plain = await http.get("/authorize", params={**authorize_params(challenge), "code_challenge_method": "plain"})
    assert plain.status_code == 303
    assert "code_challenge_method" in parse_qs(urlsplit(plain.headers["location"]).query)["error_description"][0]
    bad_secret = await http.post("/token", data={"grant_type": "client_credentials"}, auth=(GATEWAY, "nope"))
    assert bad_secret.status_code == 401
    assert bad_secret.headers["WWW-Authenticate"].startswith("Basic")
    not_a_service = await http.post("/token", data={"grant_type": "client_credentials"},
                                    auth=(GATEWAY, identity_issuer.client_secret(GATEWAY)))
    assert not_a_service.json()["error"] == "unauthorized_client"
    assert (await http.get("/userinfo")).status_code == 401


async def test_a_service_account_gets_and_reuses_a_client_credentials_token(
        identity_issuer: DevelopmentIssuer) -> None:
    auth = ServiceToken(identity_issuer.url, "pzw-matching", identity_issuer.client_secret("pzw-matching"))
    first = await auth.token()
    assert await auth.token() == first  # cached until shortly before it expires
    principal = await TokenVerifier(identity_issuer.url, "pzw").verify(first)
    assert (principal.user, principal.roles, principal.is_service) == ("pzw-matching", ("service",), True)
    wrong = ServiceToken(identity_issuer.url, "pzw-matching", "wrong-secret")
    with pytest.raises(RuntimeError, match="refused a token for pzw-matching"):
        await wrong.token()


def test_the_issuer_refuses_to_start_outside_development() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PZW_")} | {"PZW_ENV": "production"}
    run = subprocess.run([sys.executable, "-m", "services.identity"], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 1
    assert "refuses to run with PZW_ENV='production'" in run.stderr
