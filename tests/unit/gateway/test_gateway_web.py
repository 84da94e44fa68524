"""The gateway without servers: sessions and their cookie, CSRF on forms and API calls, the /api door's headers,
redirect targets, catalogues, PKCE and token claims. Sign-in goes through the development issuer's real app,
in process (authorization code with PKCE, token exchange, ID token checked against its JWKS)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from services.gateway.app import build_app
from services.gateway.config import GatewaySettings
from services.gateway.i18n import catalogue
from services.gateway.oidc import SignInError, pkce_pair, user_from_claims
from services.gateway.web import local_path
from services.identity.app import build_app as build_issuer
from services.identity.config import IdentitySettings

ISSUER = "http://issuer.test"
GATEWAY = "http://127.0.0.1:8000"  # an address the issuer's directory accepts for the gateway's redirect


def echo_service() -> FastAPI:
    """A stand-in service answering with the headers and body it received."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(path: str, request: Request) -> dict[str, Any]:
        return {"path": path, "query": str(request.url.query), "headers": dict(request.headers),
                "body": (await request.body()).decode()}

    return app


@pytest.fixture
def issuer() -> TestClient:
    return TestClient(build_issuer(IdentitySettings(env="development", issuer=ISSUER)), base_url=ISSUER)


@pytest.fixture
def gateway(issuer: TestClient) -> TestClient:
    app = build_app(GatewaySettings(development=True, oidc_issuer=ISSUER, public_url=GATEWAY,
                                    oidc_client_secret="pzw-gateway-development-secret"))
    http = httpx.AsyncClient(mounts={ISSUER: httpx.ASGITransport(app=issuer.app),  # type: ignore[arg-type]
                                     "all://": httpx.ASGITransport(app=echo_service())})
    app.state.upstream.http = app.state.oidc.http = http
    client = TestClient(app, base_url=GATEWAY)
    client.issuer = issuer  # type: ignore[attr-defined]
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def sign_in(client: TestClient, user: str = "anna.nowak") -> str:
    """The authorization-code flow: gateway -> issuer's sign-in page (a demo worker picked) -> callback."""
    to_issuer = client.get("/auth/login?next=/conflicts", follow_redirects=False)
    assert to_issuer.status_code == 302
    authorize = urlsplit(to_issuer.headers["location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == ISSUER
    params = dict(parse_qsl(authorize.query))
    assert params["code_challenge_method"] == "S256"
    back = client.issuer.post("/authorize", data={**params, "user": user},  # type: ignore[attr-defined]
                              follow_redirects=False)
    assert back.status_code == 303
    callback = urlsplit(back.headers["location"])
    answer = client.get(f"{callback.path}?{callback.query}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/conflicts"
    return csrf_of(client.get("/conflicts").text)


def test_the_session_cookie_is_http_only_lax_and_rotated_at_sign_in(gateway: TestClient) -> None:
    first = gateway.get("/signin")
    assert re.search(r"pzw_session=[^;]+; HttpOnly; Path=/; SameSite=Lax$", first.headers["set-cookie"])
    before = gateway.cookies["pzw_session"]
    sign_in(gateway)
    assert gateway.cookies["pzw_session"] != before


def test_outside_development_the_cookie_is_secure_and_an_issuer_is_required() -> None:
    with pytest.raises(RuntimeError, match="PZW_OIDC_ISSUER"):
        build_app(GatewaySettings(development=False, oidc_issuer=None))
    app = build_app(GatewaySettings(development=False, oidc_issuer="https://issuer.example"))
    assert "Secure" in TestClient(app).get("/signin").headers["set-cookie"]


def test_a_form_without_the_sessions_csrf_token_is_refused(gateway: TestClient) -> None:
    token = sign_in(gateway)
    assert gateway.post("/signout", data={"csrf_token": "forged"}).status_code == 403
    assert gateway.post("/signout", data={}).status_code == 403
    signed_out = gateway.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith(f"{ISSUER}/logout?")  # and out at the issuer too
    assert gateway.get("/", follow_redirects=False).headers["location"] == "/signin?next=/"


def test_the_api_door_needs_a_sign_in_and_the_csrf_header_for_changes(gateway: TestClient) -> None:
    assert gateway.get("/api/clients/clients/1").status_code == 401
    token = sign_in(gateway)
    assert gateway.post("/api/plans/plans", json={}).status_code == 403
    answer = gateway.post("/api/plans/plans?x=1", json={"a": 1}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    assert answer.json()["path"] == "plans"
    assert answer.json()["query"] == "x=1"
    assert json.loads(answer.json()["body"]) == {"a": 1}
    assert gateway.get("/api/nothing/x").status_code == 404


def test_the_api_door_sends_the_sessions_identity_and_never_the_browsers(gateway: TestClient) -> None:
    sign_in(gateway)
    seen = gateway.get("/api/clients/clients", headers={
        "X-Actor-User": "mallory", "X-Actor-Role": "supervisor", "Authorization": "Bearer forged"}).json()["headers"]
    token = seen["authorization"].removeprefix("Bearer ")
    assert token != "forged"
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert (claims["sub"], claims["institution"], claims["roles"]) == ("anna.nowak", "PUP-2473", ["job_broker"])
    assert "x-actor-user" not in seen
    assert "x-actor-role" not in seen
    assert "cookie" not in seen


def test_redirect_targets_stay_on_the_site() -> None:
    assert local_path("/clients/1?x=2") == "/clients/1?x=2"
    for outside in ("https://evil.example/", "//evil.example", "/\\evil.example", "", None, "javascript:x"):
        assert local_path(outside) == "/"


def test_the_language_switch_is_a_cookie_and_both_catalogues_say_the_same_things(gateway: TestClient) -> None:
    assert set(catalogue("pl")) == set(catalogue("en"))
    switched = gateway.get("/language?set=en&next=https://evil.example", follow_redirects=False)
    assert switched.headers["location"] == "/"
    assert gateway.get("/signin").text.count('lang="en"') >= 1
    assert "Sign in to PZW" in gateway.get("/signin").text


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    verifier, challenge = pkce_pair()
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == digest
    assert 43 <= len(verifier) <= 128


def test_users_come_from_contract_or_keycloak_claims() -> None:
    user = user_from_claims({"sub": "anna.nowak", "name": "Anna Nowak", "institution": "PUP-2474",
                             "roles": ["job_broker"]})
    assert (user.sub, user.institution, user.role) == ("anna.nowak", "PUP-2474", "job_broker")
    keycloak = user_from_claims({"sub": "e", "institution": "MOPS-2474", "realm_access": {"roles": ["supervisor"]}})
    assert keycloak.supervisor
    with pytest.raises(SignInError):
        user_from_claims({"sub": "x"})


def test_screens_carry_the_page_policy_and_bodies_are_limited(gateway: TestClient) -> None:
    page = gateway.get("/signin")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert f"form-action 'self' {ISSUER}" in policy
    assert page.headers["x-frame-options"] == "DENY"
    token = sign_in(gateway)
    too_big = gateway.post("/api/plans/plans", content=b"x" * 1_000_001,
                           headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert too_big.status_code == 413
    upload = gateway.post("/api/clients/imports/syriusz", content=b"x" * 1_000_001,
                          headers={"X-CSRF-Token": token, "Content-Type": "text/csv"})
    assert upload.status_code == 200  # imports have their own, larger limit (the echo service answered)
