"""Services accept only access tokens of the configured issuer: verified against its JWKS fetched over HTTP."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from libs.events.auth import ActorDep, Principal, TokenVerifier, current_principal
from libs.events.auth.dependency import on_behalf_of
from libs.events.envelope import Actor
from libs.events.http import install_error_handlers
from services.identity.signing import Signer
from services.identity.tokens import Subject, TokenFactory
from tests.support.identity import DevelopmentIssuer, start_issuer
from tests.support.people import bearer

ANNA = Subject("anna.nowak", "Anna Nowak", "PUP-2473", ("job_broker",))


def app_for(verifier: TokenVerifier) -> FastAPI:
    """A minimal service: the shared error handlers and one route that needs the caller."""
    app = FastAPI()
    app.state.verifier = verifier
    install_error_handlers(app)

    @app.get("/me")
    async def me(actor: ActorDep, principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, object]:
        return {"actor": actor.model_dump(), "roles": list(principal.roles), "name": principal.name}

    return app


@pytest.fixture
async def api(identity_issuer: DevelopmentIssuer) -> AsyncIterator[httpx.AsyncClient]:
    verifier = TokenVerifier(identity_issuer.url, "pzw")
    transport = httpx.ASGITransport(app=app_for(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        yield http


def token(issuer: DevelopmentIssuer, **changes: object) -> str:
    factory = TokenFactory(issuer.issuer.signer, str(changes.pop("iss", issuer.url)), str(changes.pop("aud", "pzw")))
    return factory.access_token(ANNA, "pzw-gateway", **changes)  # type: ignore[arg-type]


async def test_a_valid_token_names_the_actor(api: httpx.AsyncClient, identity_issuer: DevelopmentIssuer) -> None:
    answer = await api.get("/me", headers=bearer(token(identity_issuer)))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"actor": {"user": "anna.nowak", "institution": "PUP-2473", "role": "job_broker"},
                             "roles": ["job_broker"], "name": "Anna Nowak"}


async def test_no_token_is_401_with_a_bearer_challenge(api: httpx.AsyncClient) -> None:
    answer = await api.get("/me")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="pzw"'
    assert "Authorization: Bearer" in answer.json()["detail"]


async def test_the_old_actor_headers_are_not_an_identity(api: httpx.AsyncClient) -> None:
    forged = {"X-Actor-User": "anna.nowak", "X-Actor-Institution": "PUP-2473", "X-Actor-Role": "job_broker"}
    assert (await api.get("/me", headers=forged)).status_code == 401


@pytest.mark.parametrize(("case", "expected"), [
    ("expired", "expired"), ("wrong_audience", "audience"), ("wrong_issuer", "not issued by"),
    ("foreign_key", "does not publish"), ("forged_signature", "signature"), ("not_a_jwt", "not a JWT"),
])
async def test_invalid_tokens_are_401_naming_the_reason(api: httpx.AsyncClient, identity_issuer: DevelopmentIssuer,
                                                        case: str, expected: str) -> None:
    good = token(identity_issuer)
    stranger = TokenFactory(Signer.generate(), identity_issuer.url, "pzw").access_token(ANNA, "pzw-gateway")
    tokens = {
        "expired": token(identity_issuer, now=int(time.time()) - 3600, lifetime=600),
        "wrong_audience": token(identity_issuer, aud="another-system"),
        "wrong_issuer": token(identity_issuer, iss="http://127.0.0.1:1"),
        "foreign_key": stranger,
        # the header (kid) and claims of a real token, the signature of another key
        "forged_signature": good.rsplit(".", 1)[0] + "." + stranger.rsplit(".", 1)[1],
        "not_a_jwt": "abc",
    }
    answer = await api.get("/me", headers=bearer(tokens[case]))
    assert answer.status_code == 401, answer.text
    assert expected in answer.json()["detail"]
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="pzw", error="invalid_token"')


async def test_a_rotated_key_is_fetched_when_a_token_names_it() -> None:
    issuer = start_issuer()
    try:
        fetched: list[str] = []
        async with httpx.AsyncClient(event_hooks={"request": [_record(fetched)]}) as http:
            verifier = TokenVerifier(issuer.url, "pzw", min_refresh_seconds=0, http=http)
            first = await verifier.verify(issuer.token("PUP-2473", "anna.nowak", "job_broker"))
            await verifier.verify(issuer.token("PUP-2473", "anna.nowak", "job_broker"))
            assert [u.rsplit("/", 1)[-1] for u in fetched] == ["openid-configuration", "jwks"]  # cached
            issuer.issuer.signer.rotate()
            rotated = issuer.token("MOPS-2473", "ewa.lis", "social_worker")
            assert jwt.get_unverified_header(rotated)["kid"] == issuer.issuer.signer.kid
            second = await verifier.verify(rotated)
            assert len(fetched) == 4  # fetched again for the unknown kid
            assert (first.user, second.user) == ("anna.nowak", "ewa.lis")
    finally:
        issuer.stop()


async def test_unknown_key_ids_do_not_make_the_verifier_hammer_the_issuer(identity_issuer: DevelopmentIssuer) -> None:
    fetched: list[str] = []
    async with httpx.AsyncClient(event_hooks={"request": [_record(fetched)]}) as http:
        verifier = TokenVerifier(identity_issuer.url, "pzw", min_refresh_seconds=60, http=http)
        for _ in range(5):
            stranger = TokenFactory(Signer.generate(), identity_issuer.url, "pzw").access_token(ANNA, "x")
            with pytest.raises(Exception, match="does not publish"):
                await verifier.verify(stranger)
    assert len(fetched) == 2  # one discovery and one JWKS fetch for five unknown kids


async def test_keycloak_style_roles_are_mapped_by_configuration(identity_issuer: DevelopmentIssuer) -> None:
    claims = {"iss": identity_issuer.url, "aud": "pzw", "sub": "k.user", "iat": int(time.time()),
              "exp": int(time.time()) + 60, "realm_access": {"roles": ["social_worker"]}, "institution": "OPS-1"}
    verifier = TokenVerifier(identity_issuer.url, "pzw", roles_claim="realm_access.roles")
    principal = await verifier.verify(identity_issuer.issuer.signer.sign(claims))
    assert principal.roles == ("social_worker",)
    assert principal.actor() == Actor(user="k.user", institution="OPS-1", role="social_worker")


async def test_only_a_service_account_may_act_on_behalf_of_a_worker(api: httpx.AsyncClient,
                                                                    identity_issuer: DevelopmentIssuer) -> None:
    ewa = Actor(user="ewa.lis", institution="MOPS-2473", role="social_worker")
    service = identity_issuer.token("platform", "pzw-matching", "service", client_id="pzw-matching")
    answer = await api.get("/me", headers={**bearer(service), **on_behalf_of(ewa)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["actor"] == ewa.model_dump()
    worker = identity_issuer.token("PUP-2473", "anna.nowak", "job_broker")
    refused = await api.get("/me", headers={**bearer(worker), **on_behalf_of(ewa)})
    assert refused.status_code == 403
    assert "service accounts" in refused.json()["detail"]


def _record(urls: list[str]):  # type: ignore[no-untyped-def]
    async def hook(request: httpx.Request) -> None:
        urls.append(str(request.url))
    return hook


async def test_a_token_must_use_the_algorithm_of_its_key(api: httpx.AsyncClient, identity_issuer: DevelopmentIssuer,
                                                         tmp_path: Path) -> None:
    key_file = tmp_path / "key.pem"
    identity_issuer.issuer.signer.write_pem(key_file)  # the issuer's own key, used with another algorithm
    claims = jwt.decode(token(identity_issuer), options={"verify_signature": False})
    other = jwt.encode(claims, key_file.read_bytes(), algorithm="PS256",
                       headers={"kid": identity_issuer.issuer.signer.kid})
    answer = await api.get("/me", headers=bearer(other))
    assert answer.status_code == 401
    assert "RS256 key" in answer.json()["detail"]
