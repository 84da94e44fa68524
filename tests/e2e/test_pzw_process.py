"""The whole PZW over real Kafka and PostgreSQL, across the clients, plans and matching services:
PUP registration, OPS client, shared client identified, workers paired by region, the joint plan with steps from
both sides in the PZW order, a referral that becomes a plan step and is refused, completion, a CIS with an IPZS
and its renewal, and the plan closed with an outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.matching.bootstrap import build_app as matching_app
from services.matching.config import MatchingSettings
from services.plans.bootstrap import build_app as plans_app
from services.plans.config import PlansSettings
from tests.conftest import create_database
from tests.support.people import administrator, institution_of, person, supervisor, worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

PUP_ID, OPS_ID, CIS_ID = "PUP-3061", "MOPS-306101", "CIS-306101"
PUP = worker(PUP_ID, "anna.nowak@pup-3061", "job_broker")
OPS = worker(OPS_ID, "ewa.lis@mops-306101", "social_worker")
CIS = worker(CIS_ID, "olga.wrona@cis-306101", "social_worker")
HOME = {"gmina": "Bielsko-Biała", "teryt": "2461011", "postal_code": "43-300", "city": "Bielsko-Biała",
        "street": "Cieszyńska", "building": "12"}


def day(offset: int) -> str:
    return str(datetime.now(ZoneInfo("Europe/Warsaw")).date() + timedelta(days=offset))


def period(start: int, end: int) -> dict[str, str]:
    return {"from": day(start), "to": day(end)}


class Services:
    def __init__(self, clients: httpx.AsyncClient, plans: httpx.AsyncClient, matching: httpx.AsyncClient) -> None:
        self.clients, self.plans, self.matching = clients, plans, matching


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure) -> AsyncIterator[Services]:
    async with AsyncExitStack() as stack:
        clients = await stack.enter_async_context(serving(clients_app(ClientsSettings(
            database_url=await create_database(infra.postgres_dsn, "clients"),
            kafka_bootstrap=infra.kafka_bootstrap))))
        keys = str(clients.base_url)  # the clients service gives the data keys of personal fields
        plans = await stack.enter_async_context(serving(plans_app(PlansSettings(
            database_url=await create_database(infra.postgres_dsn, "plans"), kafka_bootstrap=infra.kafka_bootstrap,
            key_service_url=keys))))
        matching = await stack.enter_async_context(serving(matching_app(MatchingSettings(
            database_url=await create_database(infra.postgres_dsn, "matching"), kafka_bootstrap=infra.kafka_bootstrap,
            plans_url=str(plans.base_url), key_service_url=keys))))
        yield Services(clients, plans, matching)


class Plan:
    """The joint plan as the workers hold it: changes carry the version last read (If-Match)."""

    def __init__(self, api: httpx.AsyncClient, body: dict[str, Any]) -> None:
        self.api, self.id, self.version = api, body["plan_id"], body["version"]

    async def change(self, path: str, who: dict[str, str], body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        await self.refresh(who)
        answer = await self.api.post(f"/plans/{self.id}{path}", json=body,
                                     headers={**who, "If-Match": f'"{self.version}"'})
        assert answer.status_code == expect, answer.text
        if answer.status_code < 300:
            self.version = answer.json()["version"]
        return dict(answer.json())

    async def refresh(self, who: dict[str, str]) -> dict[str, Any]:
        answer = await self.api.get(f"/plans/{self.id}", headers=who)
        assert answer.status_code == 200
        self.version = answer.json()["version"]
        return dict(answer.json())

    async def step(self, step_id: str, who: dict[str, str]) -> dict[str, Any]:
        return dict((await self.api.get(f"/plans/{self.id}/steps/{step_id}", headers=who)).json())


async def test_the_pzw_from_registration_to_a_closed_plan(platform: Services) -> None:
    clients, plans, matching = platform.clients, platform.plans, platform.matching
    # The cooperation agreement and a region pairing the job broker with the social worker.
    agreement = await clients.post("/agreements", headers=supervisor(institution_of(PUP)), json={
        "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID, "valid": {"from": "2026-01-01"},
        "legal_basis": {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO", "applies_from": "2025-06-01"}})
    assert agreement.status_code == 201, agreement.text
    region = await clients.post("/regions", headers=administrator(institution_of(OPS)), json={
        "name": "Rejon Cieszyńska", "pup_institution_id": PUP_ID, "ops_institution_id": OPS_ID,
        "area": {"streets": [{"city": "Bielsko-Biała", "street": "Cieszyńska", "from_number": 1, "to_number": 99}]},
        "workers": {"job_broker": "anna.nowak@pup-3061", "social_worker": "ewa.lis@mops-306101"}})
    assert region.status_code == 201

    # 1. PUP registration, 2. the same person is an OPS client: one record, shared, workers paired by address.
    someone = person("Tomasz", "Lis", date(1985, 6, 1))
    body = {"identity": someone, "address": HOME, "registered_on": day(-30)}
    at_pup = await clients.post("/clients", headers=PUP, json={**body, "institution_id": PUP_ID,
                                                                "institution_kind": "PUP"})
    assert at_pup.status_code == 201
    shared = await clients.post("/clients", headers=OPS, json={**body, "institution_id": OPS_ID,
                                                                "institution_kind": "OPS"})
    record = shared.json()
    client_id = record["client_id"]
    assert record["sharing"][0]["basis"] == "legal_basis"
    assert record["assignments"][0]["workers"]["job_broker"] == "anna.nowak@pup-3061"

    # 3. The plans service learns of the shared client from Kafka; the joint plan opens.
    async def sharing_known() -> bool:
        answer = await plans.get(f"/clients/{client_id}/sharing", headers=PUP)
        return answer.status_code == 200 and answer.json()[0]["usable_today"]

    await eventually(sharing_known, within=30)
    opened = await plans.post("/plans", headers=OPS, json={"client_id": client_id})
    assert opened.status_code == 201, opened.text
    plan = Plan(plans, opened.json())
    await plan.change("/social-contract", OPS, {"contract_number": "KS/306101/1", "valid": period(0, 180),
                                                "goals": ["stabilna sytuacja mieszkaniowa"]})
    await plan.change("/ipd", PUP, {"ipd_number": "IPD/3061/1", "valid": period(0, 180), "goals": ["praca"]})

    # 4. The social worker acts first; the job broker's vocational step waits for the social preparation.
    preparation = await plan.change("/steps", OPS, {"instrument": "social_work", "title": "Przygotowanie społeczne",
                                                    "planned": period(0, 14), "social_preparation": True},
                                    expect=201)
    prep_id = next(s["step_id"] for s in preparation["steps"] if s["social_preparation"])
    training = await plan.change("/steps", PUP, {"instrument": "training", "title": "Szkolenie: operator wózka",
                                                 "planned": period(20, 40)}, expect=201)
    training_id = next(s["step_id"] for s in training["steps"] if s["instrument"] == "training")
    refused = await plan.change(f"/steps/{training_id}/schedule", PUP, {"scheduled": period(20, 40)}, expect=409)
    assert "preparation" in refused["detail"]
    await plan.change(f"/steps/{prep_id}/schedule", OPS, {"scheduled": period(0, 14)})
    await plan.change(f"/steps/{prep_id}/complete", PUP, {"outcome": "x"}, expect=403)  # not the PUP's step
    await plan.change(f"/steps/{prep_id}/complete", OPS, {"outcome": "gotowy do szkolenia"})
    await plan.change(f"/steps/{training_id}/schedule", PUP, {"scheduled": period(20, 40)})

    # 5. A referral to an internship becomes a plan step; the client refuses it; the step fails with the refusal.
    offer = await matching.post("/offers", headers=PUP, json={
        "kind": "internship", "instrument": "internship", "title": "Staż: magazynier",
        "location": {"gmina": "Bielsko-Biała", "teryt": "2461011", "postal_code": "43-300"}, "capacity": 2,
        "period": period(45, 120)})
    assert offer.status_code == 201

    async def candidate_known() -> bool:
        answer = await matching.get(f"/clients/{client_id}/offers", headers=PUP)
        return answer.status_code == 200 and any(s["eligible"] for s in answer.json())

    await eventually(candidate_known, within=30)
    referral = await matching.post("/referrals", headers=PUP, json={
        "client_id": client_id, "offer_id": offer.json()["offer_id"], "plan_id": plan.id})
    assert referral.status_code == 201, referral.text
    step_id = referral.json()["step_id"]

    async def step_scheduled() -> bool:
        return (await plan.step(step_id, PUP)).get("status") == "scheduled"

    await eventually(step_scheduled, within=30)
    outcome = await matching.post(f"/referrals/{referral.json()['referral_id']}/outcome", headers=PUP,
                                  json={"outcome": "refused", "recorded_on": day(1), "note": "praca zmianowa"})
    assert outcome.status_code == 200

    async def step_failed() -> dict[str, Any] | None:
        step = await plan.step(step_id, PUP)
        return step if step.get("status") == "failed" else None

    failed = await eventually(step_failed, within=30)
    assert failed["failure_reason"] == "refused"
    assert failed["note"] == "praca zmianowa"

    # 6. The CIS: an IPZS for one month, renewed for another.
    ipzs = await plan.change("/ipzs", CIS, {"main_goal": "open_market_employment", "starts_on": day(0)})
    assert ipzs["ipzs"]["term"]["from"] == day(0)
    renewed = await plan.change("/ipzs/renew", CIS, {"assessment": "regularna obecność"})
    assert renewed["ipzs"]["term"]["from"] > ipzs["ipzs"]["term"]["to"]
    await plan.change("/ipzs/end", CIS, {"reason": "employment"})

    # 7. Completion and the measured outcome; a closed plan never changes again.
    await plan.change(f"/steps/{training_id}/complete", PUP, {"outcome": "uprawnienia UDT"})
    closed = await plan.change("/close", PUP, {"outcome": "employment"})
    assert closed["status"] == "closed"
    assert closed["closure"]["outcome"] == "employment"
    await plan.change("/review", OPS, {"summary": "po zamknięciu"}, expect=409)
    kinds = [e["type"] for e in (await plans.get(f"/plans/{plan.id}/events", headers=OPS)).json()]
    assert kinds[0] == "PlanOpened"
    assert kinds[-1] == "PlanClosed"
    assert {"SocialContractConcluded", "IpdConcluded", "PlanStepFailed", "IpzsSigned", "IpzsRenewed",
            "IpzsEnded"} <= set(kinds)
