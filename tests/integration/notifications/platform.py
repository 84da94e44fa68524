"""The running notifications service of the end-to-end tests, with the plans service, the feeds, the SMTP
server and a clock the tests move."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from libs.events.envelope import Actor
from libs.events.infra import Infrastructure
from libs.events.topics import CLIENTS
from services.notifications.config import NotificationsSettings
from tests.integration.notifications.harness import EventFeed, MovableClock, routing_file
from tests.integration.notifications.smtp_server import SmtpServer
from tests.integration.plans.clients_feed import Pair, shared_client_history
from tests.support.services import eventually
from tests.unit.notifications.builders import JOB_BROKER, OPS, PUP, SOCIAL_WORKER, deregistered

PAIR = Pair(pup=PUP, ops=OPS, job_broker=JOB_BROKER, social_worker=SOCIAL_WORKER, career_counsellor=None,
            agreement_id=uuid.UUID("0190b7a2-0000-7000-8000-000000005101"))
SYSTEM = Actor.system("tests.notifications")


def settings_for(infra: Infrastructure, database: str, folder: Path, smtp_port: int, name: str
                 ) -> NotificationsSettings:
    """Short intervals so that the tests stay fast; a consumer group of its own."""
    return NotificationsSettings(
        database_url=database, kafka_bootstrap=infra.kafka_bootstrap, process_name=name,
        routing_path=routing_file(folder), timer_interval_seconds=0.2, digest_interval_seconds=0.2,
        mail_interval_seconds=0.1, mail_retry_seconds=0.2, mail_retry_max_seconds=1, live_poll_seconds=0.05,
        live_ping_seconds=1, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_from="pzw@test.example")


def unique(who: str) -> str:
    """A worker id no other test uses (the service's database lives for the whole module)."""
    name, _, domain = who.partition("@")
    return f"{name}.{uuid.uuid4().hex[:6]}@{domain}"


@dataclasses.dataclass
class Platform:
    """The running notifications and plans services, the feeds, the SMTP server and the moving clock."""

    api: httpx.AsyncClient
    plans: httpx.AsyncClient
    feed: EventFeed
    smtp: SmtpServer
    clock: MovableClock
    db: asyncpg.Pool
    kafka: str

    async def client(self, job_broker: str = JOB_BROKER, social_worker: str = SOCIAL_WORKER) -> uuid.UUID:
        """A client shared by the PUP and the OPS with these workers; waits until the service knows them."""
        client_id = uuid.uuid4()
        pair = dataclasses.replace(PAIR, job_broker=job_broker, social_worker=social_worker)
        await self.feed.append(client_id, shared_client_history(client_id, pair), topic=CLIENTS, actor=SYSTEM,
                               stream_type="client")

        async def known() -> bool:
            return bool(await self.db.fetchval(
                "SELECT count(*) FROM notify_client_workers WHERE client_id = $1", client_id))

        await eventually(known, within=60)
        return client_id

    async def inbox(self, who: dict[str, str], **params: Any) -> dict[str, Any]:
        answer = await self.api.get("/inbox", headers=who, params=params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def items_about(self, who: dict[str, str], client_id: uuid.UUID, count: int = 1) -> list[dict[str, Any]]:
        """Wait until `count` inbox items of the worker concern the client; return them, newest first."""
        async def found() -> list[dict[str, Any]] | None:
            items = [i for i in (await self.inbox(who, limit=200))["items"] if i["client_id"] == str(client_id)]
            return items if len(items) >= count else None

        result: list[dict[str, Any]] = await eventually(found, within=30)
        return result

    async def prefer(self, who: dict[str, str], **body: Any) -> dict[str, Any]:
        answer = await self.api.put("/preferences", headers=who, json=body)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def status_change(self, client_id: uuid.UUID, version: int) -> None:
        await self.feed.append(client_id, [deregistered(client_id)], topic=CLIENTS, actor=SYSTEM,
                               stream_type="client")
        await self.applied(client_id, version)

    async def applied(self, stream_id: uuid.UUID | str, version: int, projection: str = "notify_clients") -> None:
        """Wait until the service's projection applied the stream up to `version`."""
        async def done() -> bool:
            value = await self.db.fetchval(
                "SELECT version FROM projection_streams WHERE projection = $1 AND stream_id = $2", projection,
                str(stream_id))
            return value is not None and value >= version

        await eventually(done, within=60)


def worker_actor(institution: str, user: str) -> Actor:
    return Actor(user=user, institution=institution, role="supervisor")
