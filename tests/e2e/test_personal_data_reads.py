"""Every read of a client's personal data, in any service, reaches the clients service's access log: a worker reads
the client record, the joint plan, the client's matches and a reporting view listing the client, and the data
protection officer of the institution sees all four reads (with service, fields and purpose); another institution's
officer is refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.matching.bootstrap import build_app as matching_app
from services.matching.config import MatchingSettings
from services.plans.bootstrap import build_app as plans_app
from services.plans.config import PlansSettings
from services.reporting.bootstrap import build_app as reporting_app
from services.reporting.config import ReportingSettings
from tests.conftest import create_database
from tests.support.people import ADDRESS, administrator, person, supervisor, worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

SUFFIX = uuid.uuid4().hex[:6]
PUP_ID, OPS_ID, OTHER_PUP = f"PUP-3001-{SUFFIX}", f"MOPS-300101-{SUFFIX}", f"PUP-3002-{SUFFIX}"
BROKER_USER = "adam.mak@pup-3001"
BROKER = worker(PUP_ID, BROKER_USER, "job_broker")
SOCIAL = worker(OPS_ID, "iga.sowa@mops-300101", "social_worker")
DPO = worker(PUP_ID, "iod@pup-3001", "data_protection_officer")
OTHER_DPO = worker(OTHER_PUP, "iod@pup-3002", "data_protection_officer")
BASIS = {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO", "applies_from": "2025-06-01"}


class Platform:
    def __init__(self, clients: httpx.AsyncClient, plans: httpx.AsyncClient, reports: httpx.AsyncClient,
                 reporting_db: str, matching: httpx.AsyncClient) -> None:
        self.clients, self.plans, self.reports, self.reporting_db = clients, plans, reports, reporting_db
        self.matching = matching


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure) -> AsyncIterator[Platform]:
    async with AsyncExitStack() as stack:
        async def start(app: Any) -> httpx.AsyncClient:
            return await stack.enter_async_context(serving(app))

        clients = await start(clients_app(ClientsSettings(
            database_url=await create_database(infra.postgres_dsn, "clients"), kafka_bootstrap=infra.kafka_bootstrap)))
        base = {"kafka_bootstrap": infra.kafka_bootstrap, "key_service_url": str(clients.base_url)}
        plans = await start(plans_app(PlansSettings(database_url=await create_database(infra.postgres_dsn, "plans"),
                                                    **base)))
        reporting_db = await create_database(infra.postgres_dsn, "reporting")
        reports = await start(reporting_app(ReportingSettings(database_url=reporting_db, **base)))
        matching = await start(matching_app(MatchingSettings(
            database_url=await create_database(infra.postgres_dsn, "matching"), plans_url=str(plans.base_url),
            **base)))
        yield Platform(clients, plans, reports, reporting_db, matching)


async def shared_client_with_plan(p: Platform) -> tuple[str, str]:
    assert (await p.clients.post("/agreements", headers=supervisor(PUP_ID), json={
        "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID, "valid": {"from": "2025-06-01"},
        "legal_basis": BASIS})).status_code == 201
    assert (await p.clients.post("/regions", headers=administrator(OPS_ID), json={
        "name": "Rejon Północ", "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID,
        "area": {"gminas": [ADDRESS["teryt"]]},
        "workers": {"job_broker": BROKER_USER, "social_worker": "iga.sowa@mops-300101"}})).status_code == 201
    body = {"identity": person("Lena", "Gajewska", date(1988, 7, 9)), "address": ADDRESS,
            "registered_on": "2026-10-01"}
    at_pup = await p.clients.post("/clients", headers=BROKER, json={**body, "institution_id": PUP_ID,
                                                                     "institution_kind": "PUP"})
    assert at_pup.status_code == 201, at_pup.text
    at_ops = await p.clients.post("/clients", headers=SOCIAL, json={**body, "institution_id": OPS_ID,
                                                                     "institution_kind": "OPS"})
    client_id = str(at_ops.json()["client_id"])

    async def sharing_known() -> bool:
        answer = await p.plans.get(f"/clients/{client_id}/sharing", headers=SOCIAL)
        return answer.status_code == 200 and answer.json()[0]["usable_today"]

    await eventually(sharing_known, within=30)
    opened = await p.plans.post("/plans", headers=SOCIAL, json={"client_id": client_id})
    assert opened.status_code == 201, opened.text
    return client_id, str(opened.json()["plan_id"])


async def test_reads_in_clients_plans_and_reporting_reach_the_officer(platform: Platform) -> None:
    p = platform
    client_id, plan_id = await shared_client_with_plan(p)
    assert (await p.clients.get(f"/clients/{client_id}", headers=BROKER)).status_code == 200
    plan = await p.plans.get(f"/plans/{plan_id}", headers={**BROKER, "X-Purpose": "uzgodnienie krokow planu"})
    assert plan.status_code == 200, plan.text
    matches = await p.matching.get(f"/clients/{client_id}/offers", headers=BROKER)
    assert matches.status_code == 200, matches.text

    async def listed() -> dict[str, Any] | None:
        answer = await p.reports.get(f"/caseload/{PUP_ID}/clients", headers=BROKER)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()) if answer.json()["items"] else None

    caseload = await eventually(listed, within=30)
    assert [row["client_id"] for row in caseload["items"]] == [client_id]
    assert (await p.reports.get("/indicators", headers=BROKER,
                                params={"institution_id": PUP_ID})).status_code == 200

    async def gathered() -> list[dict[str, Any]] | None:
        answer = await p.clients.get(f"/clients/{client_id}/access-log", headers=DPO, params={"limit": 500})
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        services = {i["service"] for i in items if i["user"] == BROKER_USER}
        return items if {"clients", "plans", "reporting", "matching"} <= services else None

    items = await eventually(gathered, within=30)
    by_broker = [i for i in items if i["user"] == BROKER_USER]
    plan_read = next(i for i in by_broker if i["endpoint"] == "GET /plans/{plan_id}")
    assert (plan_read["service"], plan_read["institution"], plan_read["role"], plan_read["purpose"]) == (
        "plans", PUP_ID, "job_broker", "uzgodnienie krokow planu")
    assert {"pup", "ops", "status", "opened_on"} <= set(plan_read["fields"])
    assert "client_id" not in plan_read["fields"]
    report_read = next(i for i in by_broker if i["service"] == "reporting")
    assert report_read["endpoint"] == "GET /caseload/{institution_id}/clients"
    assert {"first_name", "last_name", "birth_year", "gmina", "postal_code"} <= set(report_read["fields"])
    assert report_read["purpose"] == "reporting"
    assert not any("indicators" in i["endpoint"] for i in items)
    match_read = next(i for i in by_broker if i["service"] == "matching")
    assert (match_read["endpoint"], match_read["fields"]) == ("GET /clients/{client_id}/offers",
                                                              ["score", "components"])
    record_read = next(i for i in by_broker if i["service"] == "clients")
    assert record_read["endpoint"] == "GET /clients/{client_id}"

    foreign = await p.clients.get(f"/clients/{client_id}/access-log", headers=OTHER_DPO)
    assert foreign.status_code == 403, foreign.text


async def test_a_listing_records_one_read_per_client_in_the_reporting_database(platform: Platform) -> None:
    """The reporting service keeps its own copy: one entry per client listed, the same event ids as published."""
    conn = await asyncpg.connect(platform.reporting_db)
    try:
        before = await conn.fetchval("SELECT count(*) FROM personal_data_reads")
        answer = await platform.reports.get(f"/caseload/{PUP_ID}/clients", headers=BROKER)
        assert answer.status_code == 200, answer.text
        listed = {row["client_id"] for row in answer.json()["items"]}
        rows = await conn.fetch("SELECT client_id, event_id FROM personal_data_reads ORDER BY read_id OFFSET $1",
                                before)
        assert {str(r["client_id"]) for r in rows} == listed
        assert len(rows) == len(listed) >= 1
        published = await conn.fetchval("SELECT count(*) FROM events WHERE event_id = ANY($1::uuid[])",
                                        [r["event_id"] for r in rows])
        assert published == len(rows)
    finally:
        await conn.close()
