"""HTTP hardening: security headers on every answer, the per-user rate limit, and its key."""

from __future__ import annotations

import base64

import orjson
from fastapi import FastAPI
from fastapi.testclient import TestClient

from libs.events.hardening import API_POLICY, DOCS_POLICY, RateLimit, SecurityHeaders, bearer_subject_or_address
from libs.events.http import BodySizeLimit, install_error_handlers


def token_of(subject: str) -> str:
    claims = base64.urlsafe_b64encode(orjson.dumps({"sub": subject})).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{claims}.c2ln"


def app_with(per_minute: int = 3, hsts: bool = True) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/things/{n}")
    async def thing(n: int) -> dict[str, int]:
        return {"n": n}

    @app.post("/things")
    async def create(body: dict[str, str]) -> dict[str, str]:
        return body

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(BodySizeLimit, max_bytes=100)
    app.add_middleware(RateLimit, per_minute=per_minute)
    app.add_middleware(SecurityHeaders, hsts=hsts)
    return TestClient(app)


def test_every_answer_carries_the_security_headers_errors_included() -> None:
    client = app_with(per_minute=100)
    for answer in (client.get("/things/1"), client.get("/things/x"), client.get("/nothing"),
                   client.post("/things", content=b"{" + b" " * 200 + b"}")):
        assert answer.status_code in (200, 404, 413, 422)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["content-security-policy"] == API_POLICY
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert client.get("/docs").headers["content-security-policy"] == DOCS_POLICY
    assert "strict-transport-security" not in app_with(hsts=False).get("/things/1").headers


def test_a_user_over_the_limit_gets_429_with_retry_after_and_others_go_on() -> None:
    client = app_with(per_minute=3)
    anna = {"Authorization": f"Bearer {token_of('anna.nowak')}"}
    assert [client.get("/things/1", headers=anna).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/things/1", headers=anna)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["field"] == "rate"
    assert "3 per minute" in refused.json()["detail"]
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert client.get("/things/1", headers={"Authorization": f"Bearer {token_of('jan.maj')}"}).status_code == 200
    assert client.get("/health/live", headers=anna).status_code == 200  # probes are never limited


def test_the_key_is_the_tokens_subject_else_the_address() -> None:
    scope = {"headers": [(b"authorization", f"Bearer {token_of('ewa')}".encode())], "client": ("10.0.0.7", 5)}
    assert bearer_subject_or_address(scope) == "user:ewa"
    assert bearer_subject_or_address({"headers": [(b"authorization", b"Bearer garbage")],
                                      "client": ("10.0.0.7", 5)}) == "address:10.0.0.7"
    assert bearer_subject_or_address({"headers": []}) == "address:unknown"


def test_a_zero_limit_turns_it_off() -> None:
    client = app_with(per_minute=0)
    assert {client.get("/things/1").status_code for _ in range(20)} == {200}
