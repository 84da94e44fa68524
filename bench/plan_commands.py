"""Plan commands under concurrency: 16 workers adding steps to joint plans over HTTP, with If-Match.

The plans service runs as a subprocess. Shared clients are announced on pzw.clients.v1 (SharedClientIdentified,
as the clients service publishes it) and a plan is opened for each. Then 16 concurrent writers loop for a fixed
time: read the plan (GET, ETag), add a step (POST with If-Match); a 409 means another writer changed the plan in
between, and the writer reads again. Figure: accepted commands/s with the 16 writers spread over 4 plans
(contention) and the share of 409 answers; baseline: the same writers each on a plan of its own (no contention),
in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench.common import Row, Settings, create_database, median, progress
from bench.end_to_end import start_service, wait_ready
from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.ids import new_event_id, new_id
from libs.events.kafka_codec import encode_recorded
from libs.events.outbox import reliable_producer
from libs.events.schemas import clients as c
from libs.events.schemas import registry
from libs.events.topics import CLIENTS
from tests.support.people import worker

WRITERS = 16
PUP, OPS = "PUP-9001", "MOPS-900101"
BROKER_ID = "bench@pup-9001"
BROKER = worker(PUP, BROKER_ID, "job_broker")  # a token of the development issuer


def _shared(client: uuid.UUID, agreement: uuid.UUID) -> list[RecordedEvent]:
    """A shared client with its paired workers, as the clients service announces them."""
    payloads = [
        c.SharedClientIdentified(client_id=client, pup_institution_id=PUP, ops_institution_id=OPS,
                                 agreement_id=agreement, basis=c.SharingBasis.LEGAL_BASIS,
                                 identified_on=date(2026, 1, 5)),
        c.CaseWorkersAssigned(client_id=client, pup_institution_id=PUP, ops_institution_id=OPS,
                              workers=c.CaseWorkers(job_broker=BROKER_ID, social_worker="bench@ops"),
                              reason=c.AssignmentReason.ADDRESS),
    ]
    now = datetime.now(UTC)
    meta = Metadata(actor=Actor.system("bench"), correlation_id=new_id(), partition_key=str(client))
    return [RecordedEvent(event_id=new_event_id(), event_type=registry.type_of(p).name, schema_version=1,
                          stream_type="client", stream_id=str(client), stream_version=n, global_position=n,
                          occurred_at=now, recorded_at=now, payload=p, metadata=meta)
            for n, p in enumerate(payloads, 1)]


async def _open_plans(http: httpx.AsyncClient, url: str, bootstrap: str, count: int) -> list[str]:
    clients = [uuid.uuid4() for _ in range(count)]
    producer = reliable_producer(bootstrap)
    await producer.start()
    try:
        agreement = uuid.uuid4()
        for client in clients:
            for event in _shared(client, agreement):
                message = encode_recorded(event, registry, topic=CLIENTS, source="/pzw/bench")
                await producer.send_and_wait(CLIENTS, message.value, key=message.key, headers=message.headers)
    finally:
        await producer.stop()
    plans = []
    for client in clients:
        for _ in range(300):
            answer = await http.post(f"{url}/plans", headers=BROKER, json={"client_id": str(client)})
            if answer.status_code == 201:
                plans.append(answer.json()["plan_id"])
                break
            await asyncio.sleep(0.1)  # the plans service has not seen the sharing on Kafka yet
        else:
            raise RuntimeError(f"could not open a plan: {answer.status_code} {answer.text}")
    return plans


async def _load(http: httpx.AsyncClient, url: str, plans: list[str], seconds: float) -> tuple[int, int]:
    """WRITERS writers, writer n on plan n % len(plans); returns (accepted, refused with 409)."""
    accepted = refused = 0
    stop_at = time.monotonic() + seconds
    start = date.today() + timedelta(days=7)
    body = {"instrument": "career_counselling", "title": "Rozmowa z doradcą zawodowym",
            "planned": {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}}

    async def writer(n: int) -> None:
        nonlocal accepted, refused
        plan = plans[n % len(plans)]
        while time.monotonic() < stop_at:
            etag = (await http.get(f"{url}/plans/{plan}", headers=BROKER)).headers["ETag"]
            answer = await http.post(f"{url}/plans/{plan}/steps", json=body, headers={**BROKER, "If-Match": etag})
            if answer.status_code == 201:
                accepted += 1
            elif answer.status_code == 409:
                refused += 1
            else:
                raise RuntimeError(f"unexpected answer {answer.status_code}: {answer.text}")

    await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    return accepted, refused


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    seconds = settings.scaled(15, 3)
    logs = Path(tempfile.mkdtemp(prefix="bench-plans-"))
    service = start_service("services.plans", "PLANS", await create_database(admin_dsn, "bench_plans"), bootstrap,
                            logs)
    contended, alone, conflict_rates = [], [], []
    try:
        limits = httpx.Limits(max_connections=WRITERS * 2, max_keepalive_connections=WRITERS * 2)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            await wait_ready(http, service)
            plans = await _open_plans(http, service.url, bootstrap, WRITERS * settings.rounds + 4 * settings.rounds)
            await _load(http, service.url, plans[:4], 1)  # warm-up
            for round_ in range(settings.rounds):
                shared = plans[WRITERS * settings.rounds + 4 * round_: WRITERS * settings.rounds + 4 * round_ + 4]
                accepted, refused = await _load(http, service.url, shared, seconds)
                contended.append(accepted / seconds)
                conflict_rates.append(refused / max(1, accepted + refused))
                own = plans[WRITERS * round_: WRITERS * (round_ + 1)]
                accepted_alone, _ = await _load(http, service.url, own, seconds)
                alone.append(accepted_alone / seconds)
                progress(f"plan commands: round {round_ + 1}: {contended[-1]:.0f}/s contended "
                         f"({conflict_rates[-1]:.0%} 409), {alone[-1]:.0f}/s alone")
    finally:
        service.process.terminate()
        with contextlib.suppress(Exception):
            service.process.wait(20)
    return [
        Row(f"plan commands, {WRITERS} writers on 4 plans (If-Match)", median(contended), median(alone),
            "commands/s", f"{WRITERS} writers on a plan each", "(report)", None, contended, alone,
            {"conflict_rate_409": median(conflict_rates), "seconds": seconds}),
        Row(f"plan commands: share of 409 answers, {WRITERS} writers on 4 plans", median(conflict_rates) * 100,
            None, "%", "", "(report; never a lost update)", None, [r * 100 for r in conflict_rates]),
    ]
