"""The services, the gateway and a headless Chromium for browser tests: every service on real PostgreSQL and
Kafka in this test's event loop, the gateway signing people in at the development issuer (OpenID Connect with
PKCE), with workers of institutions no other test uses."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, async_playwright

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.gateway.app import build_app as gateway_app
from services.gateway.config import GatewaySettings
from services.identity.config import Directory, DirectoryUser
from services.matching.bootstrap import build_app as matching_app
from services.matching.config import MatchingSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.plans.bootstrap import build_app as plans_app
from services.plans.config import PlansSettings
from services.reporting.bootstrap import build_app as reporting_app
from services.reporting.config import ReportingSettings
from tests.conftest import create_database
from tests.support.identity import DevelopmentIssuer, development_issuer
from tests.support.people import worker
from tests.support.services import serving

# Chromium from Debian (deploy/local/install.sh installs it); never a downloaded browser.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The Debian Chromium binary, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class Worker:
    user: str
    name: str
    institution: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        """An access token of the development issuer, for setting data up over the services' APIs."""
        return worker(self.institution, self.user, self.role)


@dataclass
class Platform:
    """The services' API clients (for setting up data), the gateway's URL and the people of this test."""

    apis: dict[str, httpx.AsyncClient]
    gateway_url: str
    broker: Worker
    social: Worker
    supervisor: Worker
    browser: Browser


def enrol(issuer: DevelopmentIssuer, *workers: Worker) -> None:
    """Make the test's workers demo users of the development issuer (their sign-in buttons on its page)."""
    known = issuer.issuer.directory
    users = tuple(DirectoryUser(id=w.user, name=w.name, institution=w.institution, roles=(w.role,), password="demo")
                  for w in workers)
    issuer.issuer.directory = Directory(users=(*known.users, *users), clients=known.clients)


@asynccontextmanager
async def running_platform(infra: Infrastructure, folder: Path) -> AsyncIterator[Platform]:
    """Every service and the gateway, with institutions no other test uses (the topics are shared)."""
    suffix = uuid.uuid4().hex[:6]
    pup, ops = f"PUP-2473-{suffix}", f"MOPS-2473-{suffix}"
    broker = Worker(f"anna.nowak.{suffix}@pup-2473", "Anna Nowak", pup, "job_broker")
    social = Worker(f"ewa.lis.{suffix}@mops-2473", "Ewa Lis", ops, "social_worker")
    supervisor = Worker(f"tomasz.cal.{suffix}@pup-2473", "Tomasz Cal", pup, "supervisor")
    base: dict[str, Any] = {"kafka_bootstrap": infra.kafka_bootstrap}

    async def db(name: str) -> str:
        return await create_database(infra.postgres_dsn, name)

    async with AsyncExitStack() as stack:
        async def start(app: Any) -> httpx.AsyncClient:
            return await stack.enter_async_context(serving(app))

        # The clients service first: the others open personal fields with data keys from its key API.
        clients = await start(clients_app(ClientsSettings(database_url=await db("clients"), **base)))
        base["key_service_url"] = str(clients.base_url)
        plans = await start(plans_app(PlansSettings(database_url=await db("plans"), **base)))
        apis = {
            "plans": plans,
            "clients": clients,
            "matching": await start(matching_app(MatchingSettings(database_url=await db("matching"),
                                                                  plans_url=str(plans.base_url), **base))),
            "notifications": await start(notifications_app(NotificationsSettings(
                database_url=await db("notifications"), process_name=f"notifications-browser-{suffix}",
                smtp_enabled=False, live_poll_seconds=0.05, live_ping_seconds=1, **base))),
            "reporting": await start(reporting_app(ReportingSettings(database_url=await db("reporting"), **base))),
        }
        issuer = development_issuer()
        enrol(issuer, broker, social, supervisor)
        settings = GatewaySettings(development=True, oidc_issuer=issuer.url,
                                   oidc_client_secret=issuer.client_secret("pzw-gateway"),
                                   **{f"{name}_url": str(api.base_url) for name, api in apis.items()})
        gateway = await start(gateway_app(settings))
        executable = chromium_path()
        assert executable, "Chromium is not installed (apt-get install chromium; make deps does it)"
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            try:
                yield Platform(apis, str(gateway.base_url), broker, social, supervisor, browser)
            finally:
                await browser.close()
