"""The plans service over HTTP on real PostgreSQL and Kafka, fed by clients-context events on pzw.clients.v1:
the joint plan of a shared client from both sides, in the PZW order, with the CIS, under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from libs.events.infra import Infrastructure
from libs.events.topics import PLANS
from services.plans.bootstrap import build_app
from services.plans.config import PlansSettings
from services.plans.domain.calendar import one_month_from
from tests.conftest import create_database
from tests.integration.plans.clients_feed import ClientsFeed, Pair, clients_feed, sharing_stopped
from tests.support.kafka import headers_of, read_topic
from tests.support.people import worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

# Institutions of their own: pzw.clients.v1 is shared by every test of the session, and other services' tests
# list clients per institution (e.g. MOPS-2473 in the walking skeleton), so these clients must not show up there.
PAIR = Pair(pup="PUP-1461", ops="MOPS-146101", job_broker="anna.nowak@pup-1461", social_worker="ewa.lis@mops-146101",
            agreement_id=uuid.UUID("0190b7a2-0000-7000-8000-0000000e2e01"))
PUP = worker(PAIR.pup, PAIR.job_broker, "job_broker")
OPS = worker(PAIR.ops, PAIR.social_worker, "social_worker")
CIS = worker("CIS-1461", "olga.wrona@cis-1461", "social_worker")
OUTSIDER = worker("PUP-9999", "x@pup-9999", "job_broker")


def today() -> date:
    return datetime.now(ZoneInfo("Europe/Warsaw")).date()


def period(start: int, end: int) -> dict[str, str]:
    return {"from": str(today() + timedelta(days=start)), "to": str(today() + timedelta(days=end))}


class Platform:
    """The running plans service and the feed of clients-context events it consumes."""

    def __init__(self, api: httpx.AsyncClient, feed: ClientsFeed, kafka_bootstrap: str) -> None:
        self.api, self.feed, self.kafka_bootstrap = api, feed, kafka_bootstrap

    async def shared_client(self, pair: Pair | None = None) -> uuid.UUID:
        """A client the clients context shares between the PUP and the OPS; waits until the plans service knows."""
        client_id = uuid.uuid4()
        await self.feed.share(client_id, pair or PAIR)

        async def known() -> bool:
            answer = await self.api.get(f"/clients/{client_id}/sharing", headers=PUP)
            return answer.status_code == 200 and answer.json()[0]["usable_today"]

        await eventually(known, within=30)
        return client_id

    async def open_plan(self, who: dict[str, str] = PUP) -> Plan:
        client_id = await self.shared_client()
        answer = await self.api.post("/plans", json={"client_id": str(client_id)}, headers=who)
        assert answer.status_code == 201, answer.text
        return Plan(self.api, answer.json())


class Plan:
    """A plan as a worker holds it: its id and the version (ETag) last read, sent back in If-Match."""

    def __init__(self, api: httpx.AsyncClient, body: dict[str, Any]) -> None:
        self.api, self.body = api, body
        self.plan_id, self.version = body["plan_id"], body["version"]

    async def post(self, path: str, who: dict[str, str], json: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        """POST a change with If-Match; on success remember the new version (from the ETag)."""
        answer = await self.api.post(f"/plans/{self.plan_id}{path}", json=json,
                                     headers={**who, "If-Match": f'"{self.version}"'})
        assert answer.status_code == expect, answer.text
        if answer.status_code in (200, 201):
            self.body, self.version = answer.json(), int(answer.headers["ETag"].strip('"'))
        body: dict[str, Any] = answer.json()
        return body

    async def add_step(self, who: dict[str, str], instrument: str, **extra: Any) -> str:
        body = {"instrument": instrument, "title": f"{instrument} step", "planned": period(1, 60), **extra}
        answer = await self.api.post(f"/plans/{self.plan_id}/steps", json=body,
                                     headers={**who, "If-Match": f'"{self.version}"'})
        assert answer.status_code == 201, answer.text
        self.body, self.version = answer.json(), int(answer.headers["ETag"].strip('"'))
        return answer.headers["Location"].rsplit("/", 1)[-1]

    def step(self, step_id: str) -> dict[str, Any]:
        return next(s for s in self.body["steps"] if s["step_id"] == step_id)


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure) -> AsyncIterator[Platform]:
    settings = PlansSettings(database_url=await create_database(infra.postgres_dsn, "plans"),
                             kafka_bootstrap=infra.kafka_bootstrap)
    async with clients_feed(infra) as feed, serving(build_app(settings)) as api:
        await feed.sign_agreement(PAIR)
        yield Platform(api, feed, infra.kafka_bootstrap)


async def test_a_plan_opens_once_for_a_shared_client_and_never_for_others(platform: Platform) -> None:
    api = platform.api
    unknown = await api.post("/plans", json={"client_id": str(uuid.uuid4())}, headers=PUP)
    assert unknown.status_code == 409
    assert "is not a shared client" in unknown.json()["detail"]
    assert unknown.json()["field"] == "client_id"

    client_id = await platform.shared_client()
    assert (await api.post("/plans", json={"client_id": str(client_id)}, headers=OUTSIDER)).status_code == 403
    opened = await api.post("/plans", json={"client_id": str(client_id)}, headers=OPS)
    assert opened.status_code == 201
    plan = opened.json()
    assert (opened.headers["ETag"], opened.headers["Location"]) == ('"1"', f"/plans/{plan['plan_id']}")
    assert (plan["pup"]["worker"], plan["ops"]["worker"]) == (PAIR.job_broker, PAIR.social_worker)
    assert plan["social_preparation"] == {"first": True, "waived_on": None, "waived_by": None,
                                          "vocational_scheduling_allowed": False}
    again = await api.post("/plans", json={"client_id": str(client_id)}, headers=PUP)
    assert again.status_code == 409
    assert again.json()["existing_plan_id"] == plan["plan_id"]
    assert (await api.get(f"/clients/{client_id}/plan", headers=PUP)).json()["plan_id"] == plan["plan_id"]

    stopped = await platform.shared_client()
    await platform.feed.append(str(stopped), [sharing_stopped(stopped, PAIR)])

    async def stop_known() -> bool:
        sharing = await api.get(f"/clients/{stopped}/sharing", headers=PUP)
        return not sharing.json()[0]["usable_today"]

    await eventually(stop_known, within=30)
    no_longer = await api.post("/plans", json={"client_id": str(stopped)}, headers=PUP)
    assert no_longer.status_code == 409
    assert "not shared any more" in no_longer.json()["detail"]
    assert "consent withdrawn" in no_longer.json()["detail"]


async def test_the_pzw_process_social_preparation_first_then_the_vocational_part(platform: Platform) -> None:
    plan = await platform.open_plan()
    await plan.post("/social-contract", OPS, {"contract_number": "KS/2026/117", "valid": period(0, 180),
                                              "goals": ["stable housing"]})
    await plan.post("/ipd", PUP, {"ipd_number": "IPD/2026/88", "valid": period(0, 180)})
    await plan.post("/social-contract", PUP, {"contract_number": "KS/X", "valid": period(0, 1)}, expect=403)
    preparation = await plan.add_step(OPS, "social_work", social_preparation=True)
    internship = await plan.add_step(PUP, "internship")  # proposing waits for nobody
    assert plan.step(internship)["category"] == "vocational"
    assert plan.step(preparation)["owner"] == {"institution_id": PAIR.ops, "institution_kind": "OPS",
                                               "worker": PAIR.social_worker}

    refused = await plan.post(f"/steps/{internship}/schedule", PUP, {"scheduled": period(14, 74)}, expect=409)
    assert "PZW order rule" in refused["detail"]
    forbidden = await plan.post(f"/steps/{preparation}/schedule", PUP, {"scheduled": period(1, 10)}, expect=403)
    assert f"belongs to {PAIR.ops}" in forbidden["detail"]

    await plan.post(f"/steps/{preparation}/schedule", OPS, {"scheduled": period(1, 10)})
    await plan.post(f"/steps/{preparation}/complete", OPS, {"outcome": "budgeting and daily routine in place"})
    assert plan.body["social_preparation"]["vocational_scheduling_allowed"]
    await plan.post(f"/steps/{internship}/schedule", PUP, {"scheduled": period(14, 74)})
    before_completion = datetime.now(UTC)

    offer = await plan.add_step(PUP, "job_offer")
    await plan.post(f"/steps/{offer}/schedule", PUP, {"scheduled": period(2, 3)})
    await plan.post(f"/steps/{offer}/fail", PUP, {"reason": "refused", "note": "shift work"})
    assert (plan.step(offer)["status"], plan.step(offer)["failure_reason"]) == ("failed", "refused")
    await plan.post(f"/steps/{internship}/complete", PUP, {"outcome": "internship completed, job offered"})
    await plan.post("/review", OPS, {"summary": "internship done"})
    await plan.post("/close", PUP, {"outcome": "employment"})
    assert (plan.body["status"], plan.body["closure"]["outcome"]) == ("closed", "employment")

    closed = await plan.post("/review", OPS, {"summary": "one more"}, expect=409)
    assert "a closed plan never changes" in closed["detail"]
    await plan.post(f"/steps/{offer}/cancel", PUP, {"reason": "late"}, expect=409)

    then = await plan.api.get(f"/plans/{plan.plan_id}", params={"as_of": before_completion.isoformat()},
                              headers=OPS)
    assert then.status_code == 200
    assert then.json()["status"] == "open"
    assert {s["step_id"]: s["status"] for s in then.json()["steps"]} == {preparation: "completed",
                                                                         internship: "scheduled"}
    events = (await plan.api.get(f"/plans/{plan.plan_id}/events", headers=PUP)).json()
    assert [e["type"] for e in events][:4] == ["PlanOpened", "SocialContractConcluded", "IpdConcluded",
                                               "PlanStepAdded"]
    assert events[-1]["type"] == "PlanClosed"
    assert [e["stream_version"] for e in events] == list(range(1, plan.version + 1))



async def test_plan_events_reach_kafka_keyed_by_the_client_in_order(platform: Platform) -> None:
    plan = await platform.open_plan()
    await plan.add_step(OPS, "housing")
    await plan.post("/review", PUP, {"summary": "housing first"})

    async def published() -> list[Any]:
        records = await read_topic(platform.kafka_bootstrap, PLANS, expected=1, within=2)
        return [r for r in records if headers_of(r)["ce_subject"].decode() == plan.plan_id]

    records = await eventually(lambda: _at_least(published, 3), within=30)
    assert {r.key.decode() for r in records} == {plan.body["client_id"]}
    assert [int(headers_of(r)["ce_streamversion"]) for r in records] == [1, 2, 3]
    assert [headers_of(r)["ce_type"].decode() for r in records] == [
        "pl.pzw.plans.PlanOpened", "pl.pzw.plans.PlanStepAdded", "pl.pzw.plans.PlanReviewed"]


async def _at_least(probe: Any, count: int) -> list[Any] | None:
    found: list[Any] = await probe()
    return found if len(found) >= count else None


async def test_the_social_worker_may_waive_the_preparation(platform: Platform) -> None:
    plan = await platform.open_plan(OPS)
    training = await plan.add_step(PUP, "training")
    await plan.post(f"/steps/{training}/schedule", PUP, {"scheduled": period(7, 30)}, expect=409)
    await plan.post("/waive-social-preparation", PUP, {"reason": "mine to decide?"}, expect=403)
    assistant = worker(PAIR.ops, "jan.maj@mops-146101", "assistant")
    await plan.post("/waive-social-preparation", assistant, {"reason": "not a social worker"}, expect=403)
    await plan.post("/waive-social-preparation", OPS, {"reason": "already works informally; ready now"})
    assert plan.body["social_preparation"]["waived_by"] == PAIR.social_worker
    await plan.post(f"/steps/{training}/schedule", PUP, {"scheduled": period(7, 30)})
    assert plan.step(training)["status"] == "scheduled"


async def test_two_workers_changing_the_plan_at_once_one_wins_the_other_gets_409(platform: Platform) -> None:
    plan = await platform.open_plan()
    headers = {"If-Match": f'"{plan.version}"'}
    body = {"instrument": "therapy", "title": "therapy", "planned": period(1, 30)}
    answers = await asyncio.gather(
        plan.api.post(f"/plans/{plan.plan_id}/steps", json={**body, "instrument": "training"},
                      headers={**PUP, **headers}),
        plan.api.post(f"/plans/{plan.plan_id}/steps", json=body, headers={**OPS, **headers}))
    assert sorted(a.status_code for a in answers) == [201, 409]
    conflict = next(a for a in answers if a.status_code == 409)
    assert conflict.json()["current_version"] == plan.version + 1
    current = await plan.api.get(f"/plans/{plan.plan_id}", headers=PUP)
    assert len(current.json()["steps"]) == 1
    assert current.headers["ETag"] == f'"{plan.version + 1}"'


async def test_the_cis_signs_renews_and_ends_an_ipzs(platform: Platform) -> None:
    plan = await platform.open_plan()
    await plan.post("/ipzs", PUP, {"main_goal": "social_cooperative"}, expect=403)
    await plan.post("/ipzs", CIS, {"main_goal": "open_market_employment"})
    first_term = one_month_from(today())
    ipzs = plan.body["ipzs"]
    assert ipzs["term"] == {"from": str(first_term.from_), "to": str(first_term.to)}
    assert (ipzs["active"], ipzs["cis"]["institution_kind"]) == (True, "CIS")

    classes = await plan.add_step(CIS, "cis_classes")
    await plan.post(f"/steps/{classes}/schedule", CIS, {"scheduled": period(1, 20)})
    await plan.post(f"/steps/{classes}/schedule", PUP, {"scheduled": period(1, 20)}, expect=403)
    await plan.post("/ipzs/renew", OPS, {"assessment": "not mine"}, expect=403)
    await plan.post("/ipzs/renew", CIS, {"assessment": "attends regularly"})
    assert first_term.to is not None
    renewed = one_month_from(first_term.to + timedelta(days=1))
    assert plan.body["ipzs"]["term"] == {"from": str(renewed.from_), "to": str(renewed.to)}
    assert plan.body["ipzs"]["renewals"] == 1
    refused = await plan.post("/ipzs/renew", CIS, {}, expect=409)
    assert "only while active" in refused["detail"]

    await plan.post("/ipzs/end", CIS, {"reason": "employment"})
    assert (plan.body["ipzs"]["active"], plan.body["ipzs"]["end_reason"]) == (False, "employment")
    await plan.add_step(PUP, "job_offer")  # graduates are followed up by the PUP (IPD)
    no_ipzs = await plan.api.post(f"/plans/{plan.plan_id}/steps", headers={**CIS, "If-Match": f'"{plan.version}"'},
                                  json={"instrument": "cis_work_practice", "title": "x", "planned": period(1, 9)})
    assert no_ipzs.status_code == 409
    assert "no support without an active IPZS" in no_ipzs.json()["detail"]


async def test_bad_requests_get_clear_answers(platform: Platform) -> None:
    plan = await platform.open_plan()
    api, url = plan.api, f"/plans/{plan.plan_id}"
    bad_period = await api.post(f"{url}/steps", headers={**PUP, "If-Match": '"1"'},
                                json={"instrument": "training", "title": "t", "planned": period(10, 1)})
    assert bad_period.status_code == 422
    assert bad_period.json()["errors"][0]["field"] == "planned"
    bad_instrument = await api.post(f"{url}/steps", headers={**PUP, "If-Match": '"1"'},
                                    json={"instrument": "magic", "title": "t", "planned": period(1, 10)})
    assert bad_instrument.json()["errors"][0]["field"] == "instrument"
    no_if_match = await api.post(f"{url}/review", headers=PUP, json={"summary": "s"})
    assert (no_if_match.status_code, no_if_match.json()["field"]) == (428, "If-Match")
    stale = await api.post(f"{url}/review", headers={**PUP, "If-Match": '"7"'}, json={"summary": "s"})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 1)
    unknown = await api.post(f"/plans/{uuid.uuid4()}/review", headers={**PUP, "If-Match": '"1"'},
                             json={"summary": "s"})
    assert unknown.status_code == 404
    assert (await api.get(f"/plans/{uuid.uuid4()}", headers=PUP)).status_code == 404
    too_early = await api.get(url, params={"as_of": "2020-01-01T00:00:00Z"}, headers=PUP)
    assert too_early.status_code == 404
    assert (await api.get(url)).status_code == 401  # who is asking must be proven (a bearer token)
    outsider = await api.get(url, headers=OUTSIDER)  # an institution that is not a party of the plan
    assert (outsider.status_code, outsider.json()["rule"]) == (403, "reading joint plans: case staff")
    assert (await api.get(f"{url}/events", headers=OUTSIDER)).status_code == 403
    docs = (await api.get("/openapi.json")).json()
    assert docs["components"]["schemas"]["StepAddRequest"]["examples"][0]["instrument"] == "social_work"
