"""The retention job on real servers: what retention.toml says is due is erased, nothing earlier."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from libs.events.infra import Infrastructure
from libs.events.schemas import plans as p
from libs.events.schemas.common import InstitutionKind
from libs.events.topics import PLANS
from services.clients.bootstrap import build_app
from services.clients.config import ClientsSettings
from tests.conftest import create_database
from tests.support.kafka import publish
from tests.support.people import pesel_for, worker
from tests.support.recorded import recorded
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

HEADERS = worker("PUP-2478", "ewa.lis", "job_broker")


def registration(serial: int) -> dict[str, object]:
    return {"institution_id": "PUP-2478", "institution_kind": "PUP",
            "identity": {"pesel": pesel_for(date(1966, 2, 3), serial, False), "first_name": "Ada",
                         "last_name": "Retencja", "birth_date": "1966-02-03"},
            "address": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
                        "city": "Siemianowice Śląskie"}, "registered_on": "2026-11-02"}


async def test_records_are_erased_when_their_retention_period_ends(infra: Infrastructure) -> None:
    settings = ClientsSettings(database_url=await create_database(infra.postgres_dsn, "clients"),
                               kafka_bootstrap=infra.kafka_bootstrap)
    app = build_app(settings)
    async with serving(app) as clients:
        without_plan = (await clients.post("/clients", json=registration(301), headers=HEADERS)).json()["client_id"]
        with_plan = (await clients.post("/clients", json=registration(302), headers=HEADERS)).json()["client_id"]
        parties = {"pup": p.PlanParty(institution_id="PUP-2478", institution_kind=InstitutionKind.PUP, worker="j"),
                   "ops": p.PlanParty(institution_id="MOPS-2478", institution_kind=InstitutionKind.OPS, worker="s")}
        plan = uuid.uuid4()
        closed_on = datetime.now(UTC).date() - timedelta(days=100)
        await publish(infra.kafka_bootstrap, PLANS, [
            recorded(p.PlanOpened(plan_id=plan, client_id=uuid.UUID(with_plan), agreement_id=uuid.uuid4(),
                                  social_preparation_first=False, opened_on=closed_on - timedelta(days=300),
                                  **parties), stream_id=str(plan)),
            recorded(p.PlanClosed(plan_id=plan, client_id=uuid.UUID(with_plan), closed_on=closed_on,
                                  outcome=p.PlanOutcome.EMPLOYMENT, closed_by="j", institution_id="PUP-2478"),
                     stream_id=str(plan), version=2)])

        async def clock_seen() -> bool:
            return bool(await app.state.runtime.pool.fetchval(
                "SELECT count(*) FROM client_plan_clock WHERE client_id = $1 AND last_closed_on IS NOT NULL",
                uuid.UUID(with_plan)))

        await eventually(clock_seen, within=20)
        job = app.state.retention
        today = datetime.now(UTC).date()
        assert (await job.run(today)).erased == []
        # 10 years after the plan closed: only the client with the plan is due (the other changed more recently).
        due_plan = closed_on + timedelta(days=3651)
        assert (await job.run(due_plan, dry_run=True)).erased == [uuid.UUID(with_plan)]
        # a dry run erases nothing
        assert (await clients.get(f"/clients/{with_plan}", headers=HEADERS)).status_code == 200
        assert (await job.run(due_plan)).erased == [uuid.UUID(with_plan)]
        assert (await clients.get(f"/clients/{with_plan}", headers=HEADERS)).status_code == 410
        events = (await clients.get(f"/clients/{with_plan}/events", headers=HEADERS)).json()
        assert events[-1]["type"] == "ClientErased"
        assert events[-1]["data"]["legal_basis"] == "retention_expired"
        assert (await clients.get(f"/clients/{without_plan}", headers=HEADERS)).status_code == 200
        # 10 years after its last change the client without a plan is due as well, and the erased one not again;
        # import reports older than two years go (a running import stays).
        for status, batch in (("completed", uuid.uuid4()), ("running", uuid.uuid4())):
            await app.state.runtime.pool.execute(
                """INSERT INTO import_batches (batch_id, institution_id, source, format, status, actor, finished_at)
                   VALUES ($1, 'PUP-2478', 'SYRIUSZ', 'csv', $2, '{}', now())""", batch, status)
        report = await job.run(today + timedelta(days=3651))
        assert report.erased == [uuid.UUID(without_plan)]
        assert report.import_reports_pruned == 1
        assert (await clients.get(f"/clients/{without_plan}", headers=HEADERS)).status_code == 410
