"""Proof of de-identification: personal events (PESEL, names, addresses, birth dates, notes, goals, titles, reasons)
went through the real Kafka into the regional projection; no personal or free-text value of theirs appears in the
feed items, the feed table (any table of the feed), the regional topics' messages (keys, values, headers) or the
HTTP answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from services.reporting.access_policy import POLICY
from services.reporting.config import ReportingSettings
from services.reporting.regional import RegionalFeed, RegionalSettings
from services.reporting.regional.deidentify import topic_of
from services.reporting.regional.state import TABLES
from tests.integration.regional.conftest import KEY, Feed
from tests.support.kafka import read_whole_topic
from tests.support.people import worker
from tests.support.services import serving
from tests.unit.regional.personal_values import as_text, leaks

pytestmark = pytest.mark.infra


def rops(region: str) -> dict[str, str]:
    return worker(f"ROPS-{region}", f"analityk@rops-{region}", "rops_analyst", region)


@pytest.fixture(scope="module")
async def api(feed: Feed) -> AsyncIterator[httpx.AsyncClient]:
    """The regional feed's HTTP API over the projection's database (no projection or publisher of its own)."""
    settings = ReportingSettings(database_url=feed.database, kafka_bootstrap=feed.infra.kafka_bootstrap,
                                 run_projections=False)
    regional = RegionalFeed(RegionalSettings(pseudonym_key=KEY, publish=False))
    runtime = ServiceRuntime("reporting", settings, registry, projections=[regional.projection])
    app = create_app("reporting", "regional feed", settings, runtime, runtime.lifespan, [regional.router],
                     policy=POLICY)
    async with serving(app) as client:
        yield client


async def test_the_module_made_personal_events_that_went_into_the_feed(feed: Feed) -> None:
    assert len(feed.forbidden) > 400
    assert any(len(v) == 11 and v.isdigit() for v in feed.forbidden)  # PESEL numbers among them
    assert feed.published >= feed.expected
    count = await feed.pool.fetchval("SELECT count(*) FROM regional_feed WHERE partition_key = ANY($1::text[])",
                                     list(feed.subjects))
    assert count == feed.expected


async def test_no_personal_value_is_in_any_table_of_the_feed(feed: Feed) -> None:
    dump = []
    for table in TABLES:
        rows = await feed.pool.fetch(f"SELECT * FROM {table}")
        dump.append(as_text([dict(r) for r in rows]))
    assert leaks(feed.forbidden, *dump) == []


async def test_no_personal_value_is_in_the_regional_topics(feed: Feed) -> None:
    texts = []
    for region in feed.regions:
        for record in await read_whole_topic(feed.infra.kafka_bootstrap, topic_of(region)):
            texts.append((record.key or b"").decode() + record.value.decode() + as_text(
                [(k, v.decode()) for k, v in record.headers]))
    assert len(texts) >= feed.expected
    assert leaks(feed.forbidden, *texts) == []


async def test_no_personal_value_is_in_the_http_answers(feed: Feed, api: httpx.AsyncClient) -> None:
    answers = []
    for region in feed.regions:
        after: str | None = None
        pages = 0
        while True:  # small pages: the cursor must carry through the whole feed
            answer = await api.get(f"/regional/{region}/feed", headers=rops(region),
                                   params={"limit": 10, **({"after": after} if after else {})})
            assert answer.status_code == 200, answer.text
            answers.append(answer.text)
            pages += 1
            after = answer.json()["next_after"]
            if after is None:
                break
        for period in ("2026", "2026-Q3", "2026-07"):
            answer = await api.get(f"/regional/{region}/aggregates", headers=rops(region), params={"period": period})
            assert answer.status_code == 200, answer.text
            answers.append(answer.text)
    assert leaks(feed.forbidden, *answers) == []


async def test_the_http_feed_pages_through_every_item_once(feed: Feed, api: httpx.AsyncClient) -> None:
    region = sorted(feed.regions)[0]
    seen: list[str] = []
    after = None
    while True:
        page = (await api.get(f"/regional/{region}/feed", headers=rops(region),
                              params={"limit": 37, **({"after": after} if after else {})})).json()
        seen += [i["id"] for i in page["items"]]
        if (after := page["next_after"]) is None:
            break
    stored = await feed.pool.fetchval("SELECT count(*) FROM regional_feed WHERE region = $1", region)
    assert len(seen) == len(set(seen)) == stored


async def test_aggregates_suppress_small_cells(feed: Feed, api: httpx.AsyncClient) -> None:
    region = await feed.pool.fetchval(
        "SELECT region FROM regional_feed WHERE partition_key = ANY($1::text[]) GROUP BY region "
        "ORDER BY count(*) DESC LIMIT 1", list(feed.subjects))
    cells = (await api.get(f"/regional/{region}/aggregates", headers=rops(region),
                           params={"period": "2026"})).json()["cells"]
    assert cells
    for cell in cells:
        assert cell["suppressed"] == (cell["count"] is None)
        if cell["count"] is not None and cell["measure"] != "offers_published":
            assert cell["count"] >= 5
    assert any(c["suppressed"] for c in cells)


async def test_only_the_regions_rops_reads_its_feed(feed: Feed, api: httpx.AsyncClient) -> None:
    region = sorted(feed.regions)[0]
    other = "32" if region != "32" else "30"
    assert (await api.get(f"/regional/{region}/feed", headers=rops(other))).status_code == 403
    pup = worker("PUP-5301", "anna@pup", "job_broker")
    assert (await api.get(f"/regional/{region}/feed", headers=pup)).status_code == 403
    assert (await api.get("/regional/53/feed", headers=rops("53"))).status_code == 422
