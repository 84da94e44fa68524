"""The reporting service over HTTP, fed by the real clients and plans services through Kafka: a shared client's
PZW (benefit, plan, steps, CIS attendance and bonus) shows in the PUP, OPS and CIS views and in the indicators."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.plans.bootstrap import build_app as plans_app
from services.plans.config import PlansSettings
from services.reporting.bootstrap import build_app as reporting_app
from services.reporting.calendar import today
from services.reporting.config import ReportingSettings
from tests.conftest import create_database
from tests.support.people import administrator, institution_of, person, supervisor, worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

# Institutions of this test only (the topics are shared by every test of the session).
SUFFIX = uuid.uuid4().hex[:6]
PUP_ID, OPS_ID, CIS_ID = f"PUP-5201-{SUFFIX}", f"MOPS-520101-{SUFFIX}", f"CIS-520101-{SUFFIX}"
PUP = worker(PUP_ID, "anna.nowak@pup-5201", "job_broker")
OPS = worker(OPS_ID, "ewa.lis@mops-520101", "social_worker")
CIS = worker(CIS_ID, "olga.wrona@cis-520101", "social_worker")
CIS_HEAD = worker(CIS_ID, "jan.kierownik@cis-520101", "supervisor")
HOME = {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
        "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "7"}


def day(offset: int) -> str:
    return str(today() + timedelta(days=offset))


class Services:
    def __init__(self, clients: httpx.AsyncClient, plans: httpx.AsyncClient, reports: httpx.AsyncClient) -> None:
        self.clients, self.plans, self.reports = clients, plans, reports


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure) -> AsyncIterator[Services]:
    async with AsyncExitStack() as stack:
        async def start(app: Any) -> httpx.AsyncClient:
            return await stack.enter_async_context(serving(app))

        clients = await start(clients_app(ClientsSettings(
            database_url=await create_database(infra.postgres_dsn, "clients"), kafka_bootstrap=infra.kafka_bootstrap)))
        # the clients service gives the data keys of personal fields
        base = {"kafka_bootstrap": infra.kafka_bootstrap, "key_service_url": str(clients.base_url)}
        plans = await start(plans_app(PlansSettings(database_url=await create_database(infra.postgres_dsn, "plans"),
                                                    **base)))
        reports = await start(reporting_app(ReportingSettings(
            database_url=await create_database(infra.postgres_dsn, "reporting"), **base)))
        yield Services(clients, plans, reports)


async def change(plans: httpx.AsyncClient, plan_id: str, path: str, who: dict[str, str], body: dict[str, Any],
                 expect: int = 200) -> dict[str, Any]:
    """A plan change at the version just read (If-Match)."""
    version = (await plans.get(f"/plans/{plan_id}", headers=who)).json()["version"]
    answer = await plans.post(f"/plans/{plan_id}{path}", json=body, headers={**who, "If-Match": f'"{version}"'})
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


async def until(reports: httpx.AsyncClient, path: str, who: dict[str, str], ready: Any,
                params: dict[str, str] | None = None) -> dict[str, Any]:
    """GET a view until `ready(body)` holds (the read models follow Kafka)."""
    async def probe() -> dict[str, Any] | None:
        answer = await reports.get(path, headers=who, params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return body if ready(body) else None

    return dict(await eventually(probe, within=30))


async def test_a_shared_clients_pzw_in_the_views_and_indicators(platform: Services) -> None:
    clients, plans, reports = platform.clients, platform.plans, platform.reports
    assert (await clients.post("/agreements", headers=supervisor(institution_of(PUP)), json={
        "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID, "valid": {"from": "2025-06-01"},
        "legal_basis": {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO",
                        "applies_from": "2025-06-01"}})).status_code == 201
    assert (await clients.post("/regions", headers=administrator(institution_of(OPS)), json={
        "name": "Rejon Centrum", "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID,
        "area": {"gminas": ["2474011"]},
        "workers": {"job_broker": "anna.nowak@pup-5201", "social_worker": "ewa.lis@mops-520101"}})).status_code == 201
    body = {"identity": person("Marek", "Wójcik", date(1979, 4, 2)), "address": HOME, "registered_on": day(-40)}
    await clients.post("/clients", headers=PUP, json={**body, "institution_id": PUP_ID, "institution_kind": "PUP"})
    shared = await clients.post("/clients", headers=OPS, json={**body, "institution_id": OPS_ID,
                                                                "institution_kind": "OPS"})
    client_id = shared.json()["client_id"]
    assert (await clients.post(f"/clients/{client_id}/benefits", headers=OPS, json={
        "kind": "zasiłek okresowy", "basis": "unemployment", "monthly_amount": "418.00",
        "period": {"from": day(-30), "to": day(150)}})).status_code == 201
    assert (await clients.post(f"/clients/{client_id}/unemployment-status", headers=PUP, json={
        "status": "registered", "effective_on": day(-40)})).status_code == 200

    async def sharing_known() -> bool:
        answer = await plans.get(f"/clients/{client_id}/sharing", headers=PUP)
        return answer.status_code == 200 and answer.json()[0]["usable_today"]

    await eventually(sharing_known, within=30)
    plan_id = (await plans.post("/plans", headers=OPS, json={"client_id": client_id})).json()["plan_id"]
    await change(plans, plan_id, "/social-contract", OPS, {"contract_number": "KS/1", "valid": {"from": day(0)}})
    prep = await change(plans, plan_id, "/steps", OPS, {"instrument": "social_work", "title": "Przygotowanie",
                                                        "planned": {"from": day(-10), "to": day(3)},
                                                        "social_preparation": True}, expect=201)
    prep_id = prep["steps"][0]["step_id"]
    await change(plans, plan_id, f"/steps/{prep_id}/schedule", OPS, {"scheduled": {"from": day(-10), "to": day(3)}})
    await change(plans, plan_id, f"/steps/{prep_id}/complete", OPS, {"outcome": "gotowy"})
    internship = await change(plans, plan_id, "/steps", PUP, {"instrument": "internship", "title": "Staż",
                                                              "planned": {"from": day(0), "to": day(10)}},
                              expect=201)
    internship_id = next(s["step_id"] for s in internship["steps"] if s["instrument"] == "internship")
    await change(plans, plan_id, f"/steps/{internship_id}/schedule", PUP, {"scheduled": {"from": day(0),
                                                                                         "to": day(10)}})
    # The CIS: an IPZS from today, this month's attendance and bonus (the new plans routes).
    await change(plans, plan_id, "/ipzs", CIS, {"main_goal": "open_market_employment", "starts_on": day(0)})
    month = today().strftime("%Y-%m")
    await change(plans, plan_id, "/ipzs/attendance", PUP, {"month": month, "days_scheduled": 1,
                                                          "days_present": 1}, expect=403)
    await change(plans, plan_id, "/ipzs/attendance", CIS, {"month": "2026-13", "days_scheduled": 1,
                                                          "days_present": 1}, expect=422)
    await change(plans, plan_id, "/ipzs/attendance", CIS, {"month": month, "days_scheduled": 1,
                                                          "days_present": 1, "days_excused": 0})
    await change(plans, plan_id, "/ipzs/bonus", CIS, {"month": month, "granted": True}, expect=409)
    await change(plans, plan_id, "/ipzs/bonus", CIS, {"month": month, "granted": True, "amount": "250.00"})

    # The PUP sees the client with the OPS side; the OPS sees the benefit next to the PUP status.
    pup_view = await until(reports, f"/pup/{PUP_ID}/shared-clients", PUP,
                           lambda b: b["items"] and (b["items"][0]["ops_steps"] or {}).get("completed"))
    [row] = pup_view["items"]
    assert (row["client_id"], row["contract_number"], row["benefits"][0]["basis"]) == (
        client_id, "KS/1", "unemployment")
    assert row["ops_steps"]["completed"] == 1
    due = await until(reports, f"/pup/{PUP_ID}/steps-due", PUP, lambda b: b["items"] and b["items"][0]["status"]
                      == "scheduled")
    assert [s["step_id"] for s in due["items"]] == [internship_id]
    benefits = await until(reports, f"/ops/{OPS_ID}/benefits", OPS, lambda b: b["items"])
    assert benefits["items"][0]["unemployment_status"] == "registered"
    candidates = await until(reports, f"/cis/{CIS_ID}/bonus-candidates", CIS_HEAD,
                             lambda b: b["items"] and b["items"][0]["bonus_granted"], {"month": month})
    assert (candidates["items"][0]["client_id"], candidates["items"][0]["bonus_amount"]) == (client_id, "250.00")

    # The indicators of the PUP: one plan opened in the period, its first joint step 30 days after registration.
    scope = {"institution_id": PUP_ID, "from": day(-5), "to": day(0)}

    def all_in(body: dict[str, Any]) -> bool:
        figures = {i["id"]: i for i in body["indicators"]}
        return bool(figures["activation_6m_all"]["details"]["activated_so_far"])

    body = await until(reports, "/indicators", PUP, all_in, scope)
    figures = {i["id"]: i for i in body["indicators"]}
    assert figures["activation_6m_all"]["details"]["entered"] == 1
    assert figures["activation_6m_all"]["details"]["activated_so_far"] == 1  # the internship started today
    assert figures["median_days_to_first_step"]["value"] == 30
    assert figures["shared_with_plan"]["value"] == 1.0
    table = list(csv.DictReader(io.StringIO((await reports.get("/indicators", headers=OPS, params={
        **scope, "format": "csv"})).text)))
    assert {r["indicator_id"] for r in table} >= {"activation_6m_all", "median_days_to_first_step"}
    chart = await reports.get("/indicators/chart.svg", params=scope, headers=OPS)
    assert chart.headers["content-type"] == "image/svg+xml"
    assert chart.text.startswith("<svg")

    # Bad input: clear 422s, unknown things 404, other institutions 403.
    assert (await reports.get("/indicators", params={"teryt": "24x"}, headers=OPS)).status_code == 422
    assert (await reports.get("/indicators/nothing", headers=OPS)).status_code == 404
    assert (await reports.get(f"/cis/{CIS_ID}/bonus-candidates", headers=CIS_HEAD,
                              params={"month": "2026-1"})).status_code == 422
    assert (await reports.get(f"/cis/{CIS_ID}/attendance", headers=PUP)).status_code == 403
    assert (await reports.get(f"/cis/{PUP_ID}/attendance", headers=PUP)).status_code == 404


async def test_a_workers_caseload_lists_their_clients_by_name_and_sharing(platform: Services) -> None:
    clients, reports = platform.clients, platform.reports
    suffix = uuid.uuid4().hex[:6]
    pup_id, ops_id = f"PUP-5202-{suffix}", f"MOPS-520201-{suffix}"
    broker, social = worker(pup_id, "jan.maj@pup-5202", "job_broker"), worker(ops_id, "ewa.lis@mops-520201",
                                                                              "social_worker")
    other = worker(pup_id, "olga.baran@pup-5202", "job_broker")
    head = worker(pup_id, "kierownik@pup-5202", "supervisor")
    assert (await clients.post("/agreements", headers=head, json={
        "pup_institution_id": pup_id, "ops_institution_id": ops_id, "valid": {"from": "2025-06-01"},
        "legal_basis": {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO",
                        "applies_from": "2025-06-01"}})).status_code == 201
    assert (await clients.post("/regions", headers=administrator(ops_id), json={
        "name": "Rejon", "pup_institution_id": pup_id, "ops_institution_id": ops_id, "area": {"gminas": ["2474011"]},
        "workers": {"job_broker": "jan.maj@pup-5202", "social_worker": "ewa.lis@mops-520201"}})).status_code == 201
    names = [("Zofia", "Nowicka"), ("Zenon", "Nowak"), ("Adam", "Zięba")]
    for n, (first, last) in enumerate(names):
        body = {"identity": person(first, last, date(1980, 1, 1 + n)), "address": HOME, "registered_on": day(-5)}
        assert (await clients.post("/clients", headers=broker, json={
            **body, "institution_id": pup_id, "institution_kind": "PUP"})).status_code == 201
        if n == 0:
            assert (await clients.post("/clients", headers=social, json={
                **body, "institution_id": ops_id, "institution_kind": "OPS"})).status_code == 201
    mine = await until(reports, f"/caseload/{pup_id}/clients", broker, lambda b: b["total"] == 3)
    assert [(r["last_name"], r["sharing_active"]) for r in mine["items"]] == [
        ("Nowak", False), ("Nowicka", True), ("Zięba", False)]
    found = await reports.get(f"/caseload/{pup_id}/clients", headers=broker, params={"name": "now"})
    assert [r["last_name"] for r in found.json()["items"]] == ["Nowak", "Nowicka"]
    full = await reports.get(f"/caseload/{pup_id}/clients", headers=broker, params={"name": "zofia nowi"})
    assert [r["first_name"] for r in full.json()["items"]] == ["Zofia"]
    shared = await reports.get(f"/caseload/{pup_id}/clients", headers=broker, params={"sharing": "shared"})
    assert [r["last_name"] for r in shared.json()["items"]] == ["Nowicka"]
    # Another broker has no clients here and may not look at this one's; the supervisor sees them all.
    assert (await reports.get(f"/caseload/{pup_id}/clients", headers=other)).json()["total"] == 0
    assert (await reports.get(f"/caseload/{pup_id}/clients", headers=other,
                              params={"worker": "jan.maj@pup-5202"})).status_code == 403
    assert (await reports.get(f"/caseload/{pup_id}/clients", headers=head)).json()["total"] == 3
    assert (await reports.get(f"/caseload/{pup_id}/clients", headers=broker,
                              params={"sharing": "maybe"})).status_code == 422
    cis_staff = worker("CIS-1", "jan.kis@cis-1", "cis_worker")  # the view is for a PUP or OPS, not a CIS
    assert (await reports.get("/caseload/CIS-1/clients", headers=cis_staff)).status_code == 404
    assert (await reports.get("/caseload/CIS-1/clients", headers=broker)).status_code == 403  # not the own
