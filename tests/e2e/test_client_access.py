"""Who reaches a client record in the clients service: caseload or sharing under an agreement, special-category
sections only for the roles that need them, and every read in the access log for the data protection officer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app
from services.clients.config import ClientsSettings
from tests.conftest import create_database
from tests.support.people import ADDRESS, person, supervisor, worker
from tests.support.services import serving

pytestmark = pytest.mark.infra

PUP_ID, OPS_ID, OTHER_OPS = "PUP-0261", "MOPS-026101", "MOPS-026102"
BROKER = worker(PUP_ID, "anna.nowak@pup-0261", "job_broker")
SOCIAL = worker(OPS_ID, "ewa.lis@mops-026101", "social_worker")
STRANGER = worker(OTHER_OPS, "jan.obcy@mops-026102", "social_worker")
DPO = worker(PUP_ID, "iod@pup-0261", "data_protection_officer")
OTHER_DPO = worker(OTHER_OPS, "iod@mops-026102", "data_protection_officer")
BASIS = {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO", "applies_from": "2025-06-01"}
HEALTH = {"disability_degree": "moderate", "work_restrictions": ["no night shifts"], "notes": "opinia psychologa"}


@pytest.fixture(scope="module")
async def clients(infra: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    settings = ClientsSettings(database_url=await create_database(infra.postgres_dsn, "access"),
                               kafka_bootstrap=infra.kafka_bootstrap)
    async with serving(build_app(settings)) as http:
        yield http


async def shared_client(clients: httpx.AsyncClient) -> str:
    """A client of the PUP and the OPS, shared under their agreement, with health data in the profile."""
    agreement = await clients.post("/agreements", headers=supervisor(PUP_ID), json={
        "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID, "valid": {"from": "2026-01-01"},
        "legal_basis": BASIS})
    assert agreement.status_code in (201, 409), agreement.text
    someone = person("Zofia", "Kruk")
    body = {"identity": someone, "address": ADDRESS, "registered_on": "2026-11-02"}
    at_pup = await clients.post("/clients", headers=BROKER, json={**body, "institution_id": PUP_ID,
                                                                  "institution_kind": "PUP"})
    assert at_pup.status_code == 201, at_pup.text
    at_ops = await clients.post("/clients", headers=SOCIAL, json={**body, "institution_id": OPS_ID,
                                                                  "institution_kind": "OPS"})
    assert at_ops.status_code == 201, at_ops.text
    client_id = str(at_ops.json()["client_id"])
    sections = {"health": HEALTH, "household": {"members": 2, "dependants": 0}}
    profile = await clients.patch(f"/clients/{client_id}/profile", json=sections,
                                  headers={**SOCIAL, "If-Match": at_ops.headers["ETag"]})
    assert profile.status_code == 200, profile.text
    return client_id


async def test_only_institutions_of_the_client_reach_it(clients: httpx.AsyncClient) -> None:
    client_id = await shared_client(clients)
    assert (await clients.get(f"/clients/{client_id}", headers=BROKER)).status_code == 200
    assert (await clients.get(f"/clients/{client_id}", headers=SOCIAL)).status_code == 200
    for path in ("", "/events", "/profile/history"):
        refused = await clients.get(f"/clients/{client_id}{path}", headers=STRANGER)
        assert refused.status_code == 403, refused.text
        assert refused.json()["rule"].startswith("client records")
        assert OTHER_OPS in refused.json()["detail"]


async def test_special_category_sections_only_for_the_roles_that_need_them(clients: httpx.AsyncClient) -> None:
    client_id = await shared_client(clients)
    social = (await clients.get(f"/clients/{client_id}", headers=SOCIAL)).json()
    assert social["profile"]["health"]["notes"] == "opinia psychologa"
    assert social["withheld"] == []
    broker = (await clients.get(f"/clients/{client_id}", headers=BROKER)).json()
    assert broker["profile"]["health"] is None
    assert broker["profile"]["household"]["members"] == 2  # ordinary personal data stays
    assert broker["withheld"] == ["profile.health"]
    history = (await clients.get(f"/clients/{client_id}/profile/history", headers=BROKER)).json()
    assert all("health" not in e["data"] for e in history)
    assert history[0]["withheld"] == ["health"]
    full = (await clients.get(f"/clients/{client_id}/profile/history", headers=SOCIAL)).json()
    assert full[0]["data"]["health"]["notes"] == "opinia psychologa"


async def test_every_read_is_in_the_access_log_for_the_data_protection_officer(clients: httpx.AsyncClient) -> None:
    client_id = await shared_client(clients)
    await clients.get(f"/clients/{client_id}", headers={**BROKER, "X-Purpose": "przygotowanie oferty stazu"})
    await clients.get(f"/clients/{client_id}/events", headers=SOCIAL)
    await clients.get(f"/clients/{client_id}", headers=STRANGER)  # refused: not a read of personal data

    log = await clients.get(f"/clients/{client_id}/access-log", headers=DPO)
    assert log.status_code == 200, log.text
    events_read, record_read = log.json()["items"][:2]
    assert (record_read["user"], record_read["institution"], record_read["role"]) == (
        "anna.nowak@pup-0261", PUP_ID, "job_broker")
    assert record_read["purpose"] == "przygotowanie oferty stazu"
    assert record_read["endpoint"] == "GET /clients/{client_id}"
    assert "identity" in record_read["fields"]
    assert record_read["withheld"] == ["profile.health"]
    assert (events_read["user"], events_read["purpose"]) == ("ewa.lis@mops-026101", "history review")
    assert "ClientProfileUpdated.health" in events_read["fields"]
    assert all(item["institution"] != OTHER_OPS for item in log.json()["items"])

    assert (await clients.get(f"/clients/{client_id}/access-log", headers=BROKER)).json()["rule"] == (
        "personal-data access log: the data protection officer")
    foreign = await clients.get(f"/clients/{client_id}/access-log", headers=OTHER_DPO)
    assert foreign.status_code == 403
    assert "neither registered" in foreign.json()["detail"]
    page = (await clients.get(f"/clients/{client_id}/access-log", headers=DPO, params={"limit": 1})).json()
    assert len(page["items"]) == 1
    older = await clients.get(f"/clients/{client_id}/access-log", headers=DPO,
                              params={"limit": 1, "before": page["next_before"]})
    assert older.json()["items"][0]["read_id"] < page["items"][0]["read_id"]
