"""Conflicts end to end: events on Kafka -> detector -> inbox over HTTP -> resolution; what-if replay."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import asyncpg
import httpx
import pytest

from libs.events.infra import Infrastructure
from libs.events.schemas import clients as c
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.topics import CLIENTS, CONFLICTS
from services.matching.bootstrap import build_app
from services.matching.config import MatchingSettings
from services.matching.conflicts.ruleset import DEFAULT_RULES
from tests.conftest import create_database
from tests.support.detector import Detector
from tests.support.kafka import headers_of, publish, read_topic
from tests.support.people import ADDRESS, person, worker
from tests.support.recorded import recorded
from tests.support.services import serving

pytestmark = pytest.mark.infra

PUP, OPS = "PUP-2475", "MOPS-2475"
OPS_WORKER = worker(OPS, "ewa.lis@mops", "social_worker")


@pytest.fixture(scope="module")
async def matching(infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory
                   ) -> AsyncIterator[tuple[httpx.AsyncClient, Detector]]:
    database = await create_database(infra.postgres_dsn, "matching")
    detector = Detector(infra, database, tmp_path_factory.mktemp("detector"))
    detector.start()
    detector.pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
    settings = MatchingSettings(database_url=database, kafka_bootstrap=infra.kafka_bootstrap)
    try:
        async with serving(build_app(settings)) as http:
            yield http, detector
    finally:
        detector.stop()
        await detector.pool.close()


def history(client: uuid.UUID, reason: str, income_known: str) -> list:  # type: ignore[type-arg]
    nov = Period(from_=date(2026, 11, 1), to=date(2026, 11, 30))
    events = [c.ClientRegistered(client_id=client, institution_id=PUP, institution_kind=InstitutionKind.PUP,
                                 identity=c.PersonIdentity(**person()), address=ADDRESS,
                                 registered_on=date(2026, 1, 2)),
              c.ClientRegistered(client_id=client, institution_id=OPS, institution_kind=InstitutionKind.OPS,
                                 identity=c.PersonIdentity(**person()), address=ADDRESS,
                                 registered_on=date(2026, 1, 3)),
              c.BenefitGranted(client_id=client, benefit_id=uuid.uuid4(), institution_id=OPS,
                               institution_kind=InstitutionKind.OPS, kind="zasiłek okresowy", basis="unemployment",
                               monthly_amount=Decimal("418.00"), period=Period(from_=date(2026, 10, 1))),
              c.UnemploymentStatusChanged(client_id=client, institution_id=PUP, status="deregistered",
                                          reason=reason, effective_on=date(2026, 11, 20)),
              c.IncomeDeclared(client_id=client, institution_id=OPS, source="other", monthly_amount=Decimal("1000"),
                               period=nov, declared_by_client=True),
              c.IncomeDeclared(client_id=client, institution_id=PUP, source="employment",
                               monthly_amount=Decimal(income_known), period=nov, declared_by_client=False)]
    return [recorded(e, version=n) for n, e in enumerate(events, 1)]


async def test_inbox_resolution_and_no_return_after_dismissal(
    matching: tuple[httpx.AsyncClient, Detector], infra: Infrastructure
) -> None:
    http, detector = matching
    client = uuid.uuid4()
    events = history(client, "refused_offer", income_known="1030")  # R1; R3 is within the 50 PLN tolerance
    await publish(infra.kafka_bootstrap, CLIENTS, events)
    assert await detector.rules_for(client, 1) == ["R1"]

    inbox = (await http.get("/conflicts", params={"institution_id": OPS, "status": "open"}, headers=OPS_WORKER)).json()
    [conflict] = [x for x in inbox if x["client_id"] == str(client)]
    assert conflict["rule_id"] == "R1"
    assert conflict["legal_basis"].startswith("art. 7")

    outsider = await http.post(f"/conflicts/{conflict['conflict_id']}/resolve",
                               headers=worker("PUP-9999", "x", "job_broker"),
                               json={"resolution": "dismissed", "reason": "nie nasz klient"})
    assert outsider.status_code == 403
    dismissed = await http.post(f"/conflicts/{conflict['conflict_id']}/resolve", headers=OPS_WORKER,
                                json={"resolution": "dismissed", "reason": "świadczenie wstrzymane wcześniej"})
    assert dismissed.status_code == 200, dismissed.text
    again = await http.post(f"/conflicts/{conflict['conflict_id']}/resolve", headers=OPS_WORKER,
                            json={"resolution": "confirmed", "reason": "x"})
    assert again.status_code == 409

    await publish(infra.kafka_bootstrap, CLIENTS, events)  # the same evidence once more
    probe = uuid.uuid4()
    await publish(infra.kafka_bootstrap, CLIENTS, history(probe, "took_work", income_known="0"))
    await detector.rules_for(probe, 1)
    [row] = await detector.conflicts(client)
    assert row["status"] == "dismissed"

    published = await read_topic(infra.kafka_bootstrap, CONFLICTS, expected=2, within=15)
    mine = [headers_of(r)["ce_type"].decode() for r in published if r.key.decode() == str(client)]
    assert mine == ["pl.pzw.conflicts.BenefitConflictDetected", "pl.pzw.conflicts.BenefitConflictResolved"]


async def test_what_if_with_a_stricter_threshold_reports_without_emitting(
    matching: tuple[httpx.AsyncClient, Detector], infra: Infrastructure
) -> None:
    http, detector = matching
    client = uuid.uuid4()
    await publish(infra.kafka_bootstrap, CLIENTS, history(client, "refused_offer", income_known="1030"))
    await detector.rules_for(client, 1)
    stricter = DEFAULT_RULES.read_text(encoding="utf-8").replace("tolerance_pln = 50.0", "tolerance_pln = 10.0")
    answer = await http.post("/conflicts/what-if", headers=OPS_WORKER,
                             json={"rules_toml": stricter, "as_of": "2026-11-23"})
    assert answer.status_code == 200, answer.text
    mine = [x for x in answer.json()["conflicts"] if x["client_id"] == str(client)]
    assert sorted((x["rule_id"], x["already_raised"]) for x in mine) == [("R1", True), ("R3", False)]
    assert [r["rule_id"] for r in await detector.conflicts(client)] == ["R1"]  # nothing was emitted

    broken = await http.post("/conflicts/what-if", headers=OPS_WORKER, json={"rules_toml": "[[rule]]\nid = 1"})
    assert broken.status_code == 409
    assert broken.json()["field"] == "rules_toml"

