"""Matching over HTTP on real servers: candidates from the clients and plans topics, ranked offers, referrals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from libs.events.infra import Infrastructure
from libs.events.schemas import clients as c
from libs.events.schemas import plans as p
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.topics import CLIENTS, MATCHING, PLANS
from services.matching.bootstrap import build_app
from services.matching.config import MatchingSettings
from tests.conftest import create_database
from tests.support.kafka import headers_of, publish, read_topic
from tests.support.people import ADDRESS, person, worker
from tests.support.recorded import recorded
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

PUP = worker("PUP-2473", "anna.nowak@pup-2473", "job_broker")
INTERNSHIP = {"kind": "internship", "instrument": "internship", "title": "Staż: magazynier",
              "location": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100"},
              "requirements": {"min_education": "primary", "driving_licence": ["B"]}, "capacity": 1,
              "period": {"from": "2026-12-01", "to": "2027-05-31"}}


@pytest.fixture(scope="module")
async def matching(infra: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    settings = MatchingSettings(database_url=await create_database(infra.postgres_dsn, "matching"),
                                kafka_bootstrap=infra.kafka_bootstrap)
    async with serving(build_app(settings)) as http:
        yield http


async def a_client(infra: Infrastructure, *, licence: tuple[str, ...], preparation_pending: bool = False
                   ) -> uuid.UUID:
    client = uuid.uuid4()
    events = [
        recorded(c.ClientRegistered(client_id=client, institution_id="PUP-2473", institution_kind=InstitutionKind.PUP,
                                    identity=c.PersonIdentity(**person()), address=ADDRESS,
                                    registered_on=date(2026, 1, 2)), version=1),
        recorded(c.ClientProfileUpdated(client_id=client, institution_id="PUP-2473",
                                        education=c.Education(level="vocational", driving_licence=licence),
                                        work_history=(c.WorkPeriod(occupation="magazynier",
                                                                   period=Period(from_=date(2019, 1, 1))),)),
                 version=2)]
    await publish(infra.kafka_bootstrap, CLIENTS, events)
    if preparation_pending:
        plan = uuid.uuid4()
        party = {"pup": p.PlanParty(institution_id="PUP-2473", institution_kind="PUP", worker="a"),
                 "ops": p.PlanParty(institution_id="MOPS-2473", institution_kind="OPS", worker="b")}
        await publish(infra.kafka_bootstrap, PLANS, [
            recorded(p.PlanOpened(plan_id=plan, client_id=client, agreement_id=uuid.uuid4(),
                                  social_preparation_first=True, opened_on=date(2026, 11, 1), **party),
                     stream_id=str(plan), version=1),
            recorded(p.PlanStepAdded(plan_id=plan, client_id=client, step_id=uuid.uuid4(), owner=party["ops"],
                                     instrument="social_work", category="social", social_preparation=True,
                                     title="przygotowanie", planned=Period(from_=date(2026, 11, 1))),
                     stream_id=str(plan), version=2)])
    return client


async def test_ranked_offers_referral_capacity_and_refusal(matching: httpx.AsyncClient,
                                                           infra: Infrastructure) -> None:
    driver = await a_client(infra, licence=("B",))
    walker = await a_client(infra, licence=())
    waiting = await a_client(infra, licence=("B",), preparation_pending=True)
    created = await matching.post("/offers", headers=PUP, json=INTERNSHIP)
    assert created.status_code == 201, created.text
    offer_id = created.json()["offer_id"]

    async def ranked() -> list | None:  # type: ignore[type-arg]
        answer = await matching.get(f"/offers/{offer_id}/candidates", headers=PUP)
        scores = [s for s in answer.json() if s["client_id"] in {str(driver), str(walker), str(waiting)}]
        return scores if len(scores) == 3 and any(
            "plan.preparation_pending" in [x["code"] for x in s["components"]] for s in scores) else None

    scores = await eventually(ranked, within=20)
    assert (scores[0]["client_id"], scores[0]["eligible"]) == (str(driver), True)
    assert {(s["client_id"], s["eligible"]) for s in scores[1:]} == {(str(walker), False), (str(waiting), False)}
    assert "experience.occupation" in [x["code"] for x in scores[0]["components"]]

    mine = (await matching.get(f"/clients/{driver}/offers", headers=PUP)).json()
    assert mine[0]["offer_id"] == offer_id
    proposal = await matching.post("/matches", headers=PUP, json={"client_id": str(driver), "offer_id": offer_id})
    assert proposal.status_code == 201
    assert proposal.json()["components"] == mine[0]["components"]

    ineligible = await matching.post("/referrals", headers=PUP, json={"client_id": str(walker), "offer_id": offer_id})
    assert ineligible.status_code == 409
    referral = await matching.post("/referrals", headers=PUP, json={"client_id": str(driver), "offer_id": offer_id})
    assert referral.status_code == 201, referral.text
    full = await matching.get(f"/clients/{driver}/offers", headers=PUP)
    assert "capacity.none" in [x["code"] for x in full.json()[0]["components"]]

    refused = await matching.post(f"/referrals/{referral.json()['referral_id']}/outcome", headers=PUP,
                                  json={"outcome": "refused", "recorded_on": "2026-12-02"})
    assert refused.status_code == 200, refused.text
    freed = await matching.get(f"/clients/{driver}/offers", headers=PUP)
    assert "capacity.left" in [x["code"] for x in freed.json()[0]["components"]]

    records = await read_topic(infra.kafka_bootstrap, MATCHING, expected=4, within=15)
    kinds = [headers_of(r)["ce_type"].decode().rsplit(".", 1)[-1] for r in records if r.key.decode() == str(driver)]
    assert kinds == ["MatchProposed", "ReferralIssued", "ReferralOutcomeRecorded"]


async def test_unknown_client_or_offer(matching: httpx.AsyncClient) -> None:
    assert (await matching.get(f"/clients/{uuid.uuid4()}/offers", headers=PUP)).status_code == 404
    assert (await matching.get(f"/offers/{uuid.uuid4()}/candidates", headers=PUP)).status_code == 404
    bad = await matching.post("/offers", headers=PUP, json={**INTERNSHIP, "capacity": 0})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "capacity"
