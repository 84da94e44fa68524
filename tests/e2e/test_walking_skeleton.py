"""POST /clients -> ClientRegistered -> outbox -> Kafka -> reporting projection -> GET, on real servers."""

from __future__ import annotations

import time

import pytest

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.reporting.bootstrap import build_app as reporting_app
from services.reporting.config import ReportingSettings
from tests.conftest import create_database
from tests.support.people import worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

# Institutions of this test only: other tests register clients on the same topics.
HEADERS = worker("PUP-2471", "anna.nowak", "job_broker")
MOPS = worker("MOPS-2471", "ewa.lis", "social_worker")
REGISTRATION = {
    "institution_id": "PUP-2471", "institution_kind": "PUP",
    "identity": {"pesel": "44051401359", "first_name": "Jan", "last_name": "Kowalski", "birth_date": "1944-05-14"},
    "address": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
                "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "10"},
    "registered_on": "2026-11-02",
}


async def test_a_registered_client_becomes_visible_in_the_reporting_read_model(infra: Infrastructure) -> None:
    clients_db = await create_database(infra.postgres_dsn, "clients")
    reporting_db = await create_database(infra.postgres_dsn, "reporting")
    clients_settings = ClientsSettings(database_url=clients_db, kafka_bootstrap=infra.kafka_bootstrap)
    async with serving(clients_app(clients_settings)) as clients, serving(reporting_app(ReportingSettings(
            database_url=reporting_db, kafka_bootstrap=infra.kafka_bootstrap,
            key_service_url=str(clients.base_url)))) as reports:
        created = await clients.post("/clients", json=REGISTRATION, headers=HEADERS)
        assert created.status_code == 201, created.text
        client_id = created.json()["client_id"]
        accepted_at = time.monotonic()

        async def visible() -> dict | None:  # type: ignore[type-arg]
            answer = await reports.get(f"/clients/{client_id}", headers=HEADERS)
            return answer.json() if answer.status_code == 200 else None

        view = await eventually(visible, within=10)
        assert time.monotonic() - accepted_at < 10  # read-your-writes within a bounded wait
        assert view["last_name"] == "Kowalski"
        assert view["registrations"] == [
            {"institution_id": "PUP-2471", "institution_kind": "PUP", "registered_on": "2026-11-02"}]

        # The same person registered at the OPS joins the same record; the read model follows.
        ops = {**REGISTRATION, "institution_id": "MOPS-2471", "institution_kind": "OPS"}
        joined = await clients.post("/clients", json=ops, headers=MOPS)
        assert joined.status_code == 201
        assert joined.json()["client_id"] == client_id

        async def both_registrations() -> bool:
            answer = await reports.get(f"/clients/{client_id}", headers=HEADERS)
            return len(answer.json()["registrations"]) == 2

        await eventually(both_registrations)
        listing = await reports.get("/institutions/MOPS-2471/clients", headers=MOPS)
        assert [c["client_id"] for c in listing.json()["items"]] == [client_id]


async def test_bad_input_gets_clear_errors(infra: Infrastructure) -> None:
    settings = ClientsSettings(database_url=await create_database(infra.postgres_dsn, "clients"),
                               kafka_bootstrap=infra.kafka_bootstrap, max_body_bytes=4000)
    async with serving(clients_app(settings)) as clients:
        bad_pesel = {**REGISTRATION, "identity": {**REGISTRATION["identity"], "pesel": "44051401358"}}
        answer = await clients.post("/clients", json=bad_pesel, headers=HEADERS)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "identity"
        assert "checksum" in answer.json()["detail"]

        missing = {k: v for k, v in REGISTRATION.items() if k != "address"}
        answer = await clients.post("/clients", json=missing, headers=HEADERS)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "address"

        answer = await clients.post("/clients", content=b"{not json", headers={**HEADERS,
                                                                              "content-type": "application/json"})
        assert answer.status_code == 422

        answer = await clients.post("/clients", json={**REGISTRATION, "padding": "x" * 5000}, headers=HEADERS)
        assert answer.status_code == 413

        created = await clients.post("/clients", json=REGISTRATION, headers=HEADERS)
        client_id = created.json()["client_id"]
        again = await clients.post("/clients", json=REGISTRATION, headers=HEADERS)
        assert again.status_code == 409
        assert again.json()["existing_client_id"] == client_id

        new_address = {**REGISTRATION["address"], "street": "Bytomska", "building": "3"}
        answer = await clients.put(f"/clients/{client_id}/address", json=new_address, headers=HEADERS)
        assert answer.status_code == 428
        answer = await clients.put(f"/clients/{client_id}/address", json=new_address,
                                   headers={**HEADERS, "If-Match": '"1"'})
        assert answer.status_code == 200
        assert answer.headers["ETag"] == '"2"'
        stale = await clients.put(f"/clients/{client_id}/address", json={**new_address, "building": "4"},
                                  headers={**HEADERS, "If-Match": '"1"'})
        assert stale.status_code == 409
        assert stale.json()["current_version"] == 2

        unknown = await clients.get("/clients/0190b7a2-0000-7000-8000-000000000000", headers=HEADERS)
        assert unknown.status_code == 404
        morning = created.json()["registrations"][0]["registered_on"] + "T00:00:00Z"
        past = await clients.get(f"/clients/{client_id}", headers=HEADERS, params={"as_of": morning})
        assert past.status_code == 404  # the record did not exist yet on that morning
