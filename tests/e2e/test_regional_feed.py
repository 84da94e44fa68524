"""End to end: the demo-data generator's HTTP sink drives the clients, plans and matching services in-process; the
reporting service's regional feed reads their topics and answers ROPS over HTTP without any personal data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from libs.events.infra import Infrastructure
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.matching.bootstrap import build_app as matching_app
from services.matching.config import MatchingSettings
from services.plans.bootstrap import build_app as plans_app
from services.plans.config import PlansSettings
from services.reporting.access_policy import POLICY
from services.reporting.config import ReportingSettings
from services.reporting.regional import RegionalFeed, RegionalSettings
from tests.conftest import create_database
from tests.support.identity import development_issuer
from tests.support.people import worker
from tests.support.services import eventually, serving
from tools.demo_data.dataset import DataSet
from tools.demo_data.http_sink import send_over_http
from tools.demo_data.scenario import PRESETS
from tools.demo_data.tokens import ActorTokens

pytestmark = pytest.mark.infra



def regional_app(settings: ReportingSettings, regional: RegionalFeed) -> FastAPI:
    """The reporting service with only the regional feed (services/reporting/bootstrap.py adds it to the rest)."""
    runtime = ServiceRuntime("reporting", settings, registry, projections=[regional.projection])
    return create_app("PZW reporting (regional feed)", "test", settings, runtime, runtime.lifespan, [regional.router],
                      policy=POLICY)


class Platform:
    def __init__(self, urls: dict[str, str], reporting: httpx.AsyncClient, regional: RegionalFeed) -> None:
        self.urls, self.reporting, self.regional = urls, reporting, regional


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure) -> AsyncIterator[Platform]:
    async def db(prefix: str) -> str:
        return await create_database(infra.postgres_dsn, prefix)

    kafka = infra.kafka_bootstrap
    async with AsyncExitStack() as stack:
        clients = await stack.enter_async_context(serving(clients_app(ClientsSettings(
            database_url=await db("clients"), kafka_bootstrap=kafka))))
        keys = str(clients.base_url)  # the clients service gives the data keys of personal fields
        plans = await stack.enter_async_context(serving(plans_app(PlansSettings(
            database_url=await db("plans"), kafka_bootstrap=kafka, key_service_url=keys))))
        matching = await stack.enter_async_context(serving(matching_app(MatchingSettings(
            database_url=await db("matching"), kafka_bootstrap=kafka, plans_url=str(plans.base_url),
            key_service_url=keys))))
        regional = RegionalFeed(RegionalSettings(pseudonym_key="e2e-test-key-of-32-bytes-at-least"))
        reporting = await stack.enter_async_context(serving(regional_app(ReportingSettings(
            database_url=await db("reporting"), kafka_bootstrap=kafka, key_service_url=keys), regional)))
        urls = {"clients": str(clients.base_url), "plans": str(plans.base_url), "matching": str(matching.base_url)}
        yield Platform(urls, reporting, regional)


async def test_a_tiny_pilot_over_http_reaches_the_regional_feed_de_identified(platform: Platform) -> None:
    start = datetime.now(UTC).date() - timedelta(days=183)
    # A seed of its own: the people (PESEL numbers) of a data set can be registered once per platform.
    scenario = PRESETS["tiny"].with_options(seed=uuid.uuid4().int % 100_000, start=start)
    dataset = DataSet(scenario)
    report = await send_over_http(dataset, platform.urls, tokens=ActorTokens(development_issuer().issuer.tokens),
                                  concurrency=3)
    assert report.failures == []
    assert report.clients == scenario.clients

    people = [s[0].payload for s in dataset.stories()]  # each story opens with the PUP registration
    regions = {p.address.teryt[:2] for p in people}  # type: ignore[attr-defined]
    subjects = {platform.regional.pseudonyms.subject(uuid.UUID(c), r) for c in report.client_ids for r in regions}

    async def registered_everywhere() -> list[dict[str, object]] | None:
        items = []
        for region in regions:
            rops = worker(f"ROPS-{region}", f"analityk@rops-{region}", "rops_analyst", region)
            after = None
            while True:  # the topics are shared by the session's tests: page through all, keep ours
                answer = await platform.reporting.get(f"/regional/{region}/feed", headers=rops, params={
                    "limit": 1000, **({"after": after} if after else {})})
                assert answer.status_code == 200, answer.text
                page = answer.json()
                items += [i for i in page["items"] if i["data"].get("subject") in subjects]
                if not (after := page["next_after"]):
                    break
        registered = [i for i in items if i["type"] == "pl.pzw.regional.RegionalClientRegistered"]
        return items if len(registered) >= 2 * scenario.clients else None

    items = await eventually(registered_everywhere, within=200)
    text = str(items)
    for person in people:
        identity = person.identity  # type: ignore[attr-defined]
        for value in (identity.pesel, identity.first_name, identity.last_name, identity.birth_date.isoformat(),
                      person.address.street, str(person.client_id)):  # type: ignore[attr-defined]
            assert value not in text
    assert {i["data"]["region"] for i in items} <= regions
    assert all(len(i["data"]["month"]) == 7 for i in items)
