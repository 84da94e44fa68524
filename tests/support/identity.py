"""The real development issuer for tests: served over HTTP once per process, services pointed at it.

Tokens are minted in-process with the issuer's own signer (fast); services still verify them against the issuer's
JWKS, fetched over HTTP.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import uvicorn

from libs.events.infra.ports import free_port
from services.identity.app import Issuer, build_app
from services.identity.config import IdentitySettings
from services.identity.tokens import Subject

TEST_TOKEN_SECONDS = 4 * 3600  # module-level test headers are made at import time and used for the whole run


@dataclass
class DevelopmentIssuer:
    """The running issuer: its URL and its state (signer, directory, grants)."""

    url: str
    issuer: Issuer
    server: uvicorn.Server
    thread: threading.Thread

    def token(self, institution: str, user: str, role: str | tuple[str, ...], *, region: str | None = None,
              lifetime: int = TEST_TOKEN_SECONDS, client_id: str = "pzw-gateway") -> str:
        roles = (role,) if isinstance(role, str) else role
        return self.issuer.tokens.access_token(Subject(user, user, institution, roles, region), client_id,
                                               lifetime=lifetime)

    def client_secret(self, client_id: str) -> str:
        client = self.issuer.directory.client(client_id)
        if client is None or client.secret is None:
            raise LookupError(f"{client_id} is not a confidential client of the development issuer")
        return client.secret

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


_running: DevelopmentIssuer | None = None
_lock = threading.Lock()


def development_issuer() -> DevelopmentIssuer:
    """Start the issuer on a free port (once per process) and point every service setting at it."""
    global _running
    with _lock:
        if _running is None:
            _running = start_issuer()
            configure_services(_running)
        return _running


# The services that call others (plans over HTTP, the clients service's key API) with an account of their own.
SERVICE_ACCOUNTS = ("matching", "plans", "notifications", "reporting")


def start_issuer() -> DevelopmentIssuer:
    """Serve a development issuer (its own key) on a free port; `stop()` it when done."""
    port = free_port()
    settings = IdentitySettings(env="development", http_port=port, issuer=None)
    app = build_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="development-issuer", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the development issuer did not start")
        time.sleep(0.01)
    issuer: Issuer = app.state.issuer
    return DevelopmentIssuer(issuer.url, issuer, server, thread)


def configure_services(running: DevelopmentIssuer) -> None:
    """Point every service setting (this process and the subprocesses it starts) at the issuer."""
    os.environ["PZW_OIDC_ISSUER"] = running.url
    for service in SERVICE_ACCOUNTS:
        os.environ[f"PZW_{service.upper()}_OIDC_CLIENT_SECRET"] = running.client_secret(f"pzw-{service}")


def stop_development_issuer() -> None:
    global _running
    with _lock:
        if _running is not None:
            _running.stop()
            _running = None
