"""The clients service over HTTP on real servers: agreements, regions, shared clients, consent, hand-over."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app
from services.clients.config import ClientsSettings
from tests.conftest import create_database
from tests.support.kafka import headers_of, read_topic
from tests.support.people import ADDRESS, administrator, institution_of, person, supervisor, worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

PUP = worker("PUP-2473", "anna.nowak@pup-2473", "job_broker")
OPS = worker("MOPS-2473", "ewa.lis@mops-2473", "social_worker")
BASIS = {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO", "applies_from": "2025-06-01"}


@pytest.fixture(scope="module")
async def clients(infra: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    settings = ClientsSettings(database_url=await create_database(infra.postgres_dsn, "clients"),
                               kafka_bootstrap=infra.kafka_bootstrap)
    async with serving(build_app(settings)) as http:
        yield http


async def register(http: httpx.AsyncClient, who: dict, headers: dict[str, str], kind: str,
                   address: dict | None = None) -> dict:
    answer = await http.post("/clients", headers=headers, json={
        "institution_id": institution_of(headers), "institution_kind": kind, "identity": who,
        "address": address or ADDRESS, "registered_on": "2026-11-02"})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_shared_client_paired_workers_and_handover(clients: httpx.AsyncClient, infra: Infrastructure) -> None:
    agreement = await clients.post("/agreements", headers=supervisor(institution_of(PUP)), json={
        "pup_institution_id": "PUP-2473", "ops_institution_id": "MOPS-2473", "valid": {"from": "2026-01-01"},
        "legal_basis": BASIS})
    assert agreement.status_code == 201, agreement.text
    region = await clients.post("/regions", headers=administrator(institution_of(OPS)), json={
        "name": "Rejon 1", "pup_institution_id": "PUP-2473", "ops_institution_id": "MOPS-2473",
        "area": {"postal_codes": ["41-100"]},
        "workers": {"job_broker": "anna.nowak@pup-2473", "social_worker": "ewa.lis@mops-2473"}})
    assert region.status_code == 201, region.text

    someone = person("Marek", "Zając")
    at_pup = await register(clients, someone, PUP, "PUP")
    assert at_pup["sharing"] == []
    [assignment] = at_pup["assignments"]  # the PUP's client is assigned by address at once
    assert assignment["workers"]["social_worker"] == "ewa.lis@mops-2473"

    shared = await register(clients, someone, OPS, "OPS")
    assert shared["client_id"] == at_pup["client_id"]
    assert [s["basis"] for s in shared["sharing"]] == ["legal_basis"]
    client_id = shared["client_id"]

    # hand the social worker's caseload over: the client's workers follow (asynchronously, from the events)
    handover = await clients.post("/handovers", headers=OPS, json={
        "institution_id": "MOPS-2473", "from_worker": "ewa.lis@mops-2473", "to_worker": "olga.baran@mops-2473",
        "handed_over_on": "2026-12-01"})
    assert handover.status_code == 200, handover.text

    async def handed_over() -> bool:
        record = (await clients.get(f"/clients/{client_id}", headers=OPS)).json()
        return record["assignments"][0]["workers"]["social_worker"] == "olga.baran@mops-2473"

    await eventually(handed_over)

    # a narrower region defined later takes the client over
    street_region = await clients.post("/regions", headers=administrator(institution_of(PUP)), json={
        "name": "Rejon 2", "pup_institution_id": "PUP-2473", "ops_institution_id": "MOPS-2473",
        "area": {"streets": [{"city": "Siemianowice Śląskie", "street": "Jana Pawła II", "from_number": 1,
                              "to_number": 20}]},
        "workers": {"job_broker": "piotr.wrona@pup-2473", "social_worker": "olga.baran@mops-2473"}})
    assert street_region.status_code == 201

    async def moved_to_street_region() -> bool:
        record = (await clients.get(f"/clients/{client_id}", headers=OPS)).json()
        return record["assignments"][0]["region_id"] == street_region.json()["region_id"]

    await eventually(moved_to_street_region)

    records = await read_topic(infra.kafka_bootstrap, "pzw.clients.v1", expected=1, within=10)
    mine = [headers_of(r)["ce_type"].decode().rsplit(".", 1)[-1] for r in records if r.key.decode() == client_id]
    assert mine.count("SharedClientIdentified") == 1
    assert "CaseWorkersAssigned" in mine


async def test_consent_based_sharing_starts_and_stops(clients: httpx.AsyncClient) -> None:
    pup, ops = worker("PUP-2461", "a@pup", "job_broker"), worker("MOPS-2461", "b@mops", "social_worker")
    answer = await clients.post("/agreements", headers=supervisor(institution_of(pup)), json={
        "pup_institution_id": "PUP-2461", "ops_institution_id": "MOPS-2461", "valid": {"from": "2026-01-01"},
        "legal_basis": BASIS, "requires_consent": True})
    assert answer.status_code == 201
    someone = person("Zofia", "Mazur", male=False)
    await register(clients, someone, pup, "PUP")
    record = await register(clients, someone, ops, "OPS")
    assert record["sharing"] == []
    client_id = record["client_id"]
    given = await clients.post(f"/clients/{client_id}/consents", headers=ops, json={
        "institutions": ["PUP-2461", "MOPS-2461"], "purpose": "PZW", "given_on": "2026-11-03"})
    assert given.status_code == 201
    assert [s["basis"] for s in given.json()["sharing"]] == ["consent"]
    consent_id = given.json()["consents"][0]["consent_id"]
    withdrawn = await clients.post(f"/clients/{client_id}/consents/{consent_id}/withdraw", headers=ops,
                                   json={"withdrawn_on": "2026-11-20"},
                                   )
    assert withdrawn.status_code == 428  # an edit needs If-Match
    withdrawn = await clients.post(f"/clients/{client_id}/consents/{consent_id}/withdraw",
                                   headers={**ops, "If-Match": given.headers["ETag"]},
                                   json={"withdrawn_on": "2026-11-20"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["sharing"] == []
    events = [e["type"] for e in (await clients.get(f"/clients/{client_id}/events", headers=ops)).json()]
    assert events[-2:] == ["ConsentWithdrawn", "SharedClientSharingStopped"]


async def test_status_benefits_income_profile_and_history(clients: httpx.AsyncClient) -> None:
    someone = person("Adam", "Kaczmarek")
    await register(clients, someone, PUP, "PUP")
    record = await register(clients, someone, OPS, "OPS")
    client_id = record["client_id"]
    granted = await clients.post(f"/clients/{client_id}/benefits", headers=OPS, json={
        "kind": "zasiłek okresowy", "basis": "unemployment", "monthly_amount": "418.00",
        "period": {"from": "2026-11-01", "to": "2027-04-30"}})
    assert granted.status_code == 201, granted.text
    status = await clients.post(f"/clients/{client_id}/unemployment-status", headers=PUP, json={
        "status": "deregistered", "reason": "refused_offer", "effective_on": "2026-11-20"})
    assert status.status_code == 200, status.text
    refused = await clients.post(f"/clients/{client_id}/unemployment-status", headers=OPS, json={
        "status": "deregistered", "reason": "refused_offer", "effective_on": "2026-11-20"})
    assert refused.status_code == 403
    income = await clients.post(f"/clients/{client_id}/incomes", headers=PUP, json={
        "source": "internship_stipend", "monthly_amount": "1500.00",
        "period": {"from": "2026-10-01", "to": "2026-10-31"}, "declared_by_client": False})
    assert income.status_code == 201
    bad_period = await clients.post(f"/clients/{client_id}/incomes", headers=PUP, json={
        "source": "employment", "monthly_amount": "1.00", "period": {"from": "2026-10-31", "to": "2026-10-01"},
        "declared_by_client": True})
    assert bad_period.status_code == 422
    assert bad_period.json()["errors"][0]["field"] == "period"

    etag = income.headers["ETag"]
    first = await clients.patch(f"/clients/{client_id}/profile", headers={**OPS, "If-Match": etag}, json={
        "household": {"members": 3, "dependants": 2, "single_parent": True}})
    assert first.status_code == 200, first.text
    stale = await clients.patch(f"/clients/{client_id}/profile", headers={**PUP, "If-Match": etag}, json={
        "education": {"level": "vocational"}})
    assert stale.status_code == 409
    second = await clients.patch(f"/clients/{client_id}/profile",
                                 headers={**PUP, "If-Match": stale.json()["current_version"].__str__()},
                                 json={"education": {"level": "vocational"}})
    assert second.status_code == 200
    history = (await clients.get(f"/clients/{client_id}/profile/history", headers=OPS)).json()
    assert [e["actor"]["institution"] for e in history] == ["MOPS-2473", "PUP-2473"]
    before_profile = history[0]["recorded_at"]
    past = (await clients.get(f"/clients/{client_id}", params={"as_of": before_profile}, headers=OPS)).json()
    assert past["profile"]["household"]["members"] == 3
    assert past["profile"]["education"] is None
    found = await clients.get("/clients", params={"pesel": someone["pesel"]}, headers=PUP)
    assert found.json()["client_id"] == client_id


async def test_many_concurrent_registrations_on_a_small_pool_all_complete(infra: Infrastructure) -> None:
    # A use case holding a pooled connection must never wait for a second one: with 40 registrations at once
    # on a pool of 4, that would hold every connection by a waiter for good.
    import asyncio

    settings = ClientsSettings(database_url=await create_database(infra.postgres_dsn, "clients"),
                               kafka_bootstrap=infra.kafka_bootstrap, pool_size=4, run_relay=False)
    async with serving(build_app(settings)) as http:
        people = [person(f"Imię{n}", f"Nazwisko{n}") for n in range(40)]
        answers = await asyncio.wait_for(asyncio.gather(*(register(http, who, PUP, "PUP") for who in people)), 60)
    assert len({a["client_id"] for a in answers}) == 40
