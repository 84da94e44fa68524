"""Conflict latency: a triggering event reaching Kafka -> BenefitConflictDetected readable on pzw.conflicts.v1.

A steady open-loop load of `RATE` events/s goes to pzw.clients.v1: each client gets four events (registered at a
PUP and an OPS, an OPS benefit granted because of unemployment, and a PUP deregistration for a refused offer,
which triggers rule R1). The detector (faust worker, `python -m services.matching.conflicts`) and an outbox relay
of the matching database (`python -m libs.events.relay_process`) run as subprocesses. Latency is measured from the
moment Kafka acknowledged the triggering deregistration to the moment a consumer receives the conflict. The
baseline is the transit of the triggering event itself (acknowledged -> received by a plain consumer of
pzw.clients.v1), measured in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import Row, Settings, create_database, median, percentile, progress
from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.ids import new_event_id, new_id
from libs.events.kafka_admin import ensure_topics
from libs.events.kafka_codec import encode_recorded, read_envelope
from libs.events.schemas import clients as c
from libs.events.schemas import registry
from libs.events.schemas.common import Address, InstitutionKind, Period
from libs.events.topics import CLIENTS, CONFLICTS, MATCHING, PLANS, event_topic

REPO = Path(__file__).resolve().parent.parent
RATE = 500.0
TARGET_P99_MS = 1000.0
ACTOR = Actor(user="bench", institution="PUP-2473", role="job_broker")
HOME = Address(gmina="Siemianowice Śląskie", teryt="2474011", postal_code="41-100", city="Siemianowice Śląskie")


def _events(client: uuid.UUID) -> list[RecordedEvent]:
    identity = c.PersonIdentity(pesel=None, document=c.IdentityDocument(type="passport",
                                                                        number=client.hex[:10].upper()),
                                first_name="Jan", last_name="Kowalski", birth_date=date(1980, 1, 1))
    payloads = [
        c.ClientRegistered(client_id=client, institution_id="PUP-2473", institution_kind=InstitutionKind.PUP,
                           identity=identity, address=HOME, registered_on=date(2026, 1, 2)),
        c.ClientRegistered(client_id=client, institution_id="MOPS-2473", institution_kind=InstitutionKind.OPS,
                           identity=identity, address=HOME, registered_on=date(2026, 1, 3)),
        c.BenefitGranted(client_id=client, benefit_id=new_id(), institution_id="MOPS-2473",
                         institution_kind=InstitutionKind.OPS, kind="zasiłek okresowy", basis="unemployment",
                         monthly_amount=Decimal("418.00"), period=Period(from_=date(2026, 10, 1))),
        c.UnemploymentStatusChanged(client_id=client, institution_id="PUP-2473", status="deregistered",
                                    reason="refused_offer", effective_on=date(2026, 11, 20)),
    ]
    now = datetime.now(UTC)
    meta = Metadata(actor=ACTOR, correlation_id=new_id(), partition_key=str(client))
    return [RecordedEvent(event_id=new_event_id(), event_type=registry.type_of(p).name, schema_version=1,
                          stream_type="client", stream_id=str(client), stream_version=n, global_position=n,
                          occurred_at=now, recorded_at=now, payload=p, metadata=meta)
            for n, p in enumerate(payloads, 1)]


async def _collect(bootstrap: str, topic: str, name: str, seen: dict[str, float], stop: asyncio.Event) -> None:
    """Record the receipt time of every message of `topic`, by client key and event type."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="latest")
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=50)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    kind = read_envelope(record.headers).event_name
                    if name in ("*", kind):
                        seen.setdefault(record.key.decode(), now)
    finally:
        await consumer.stop()


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    seconds = settings.scaled(30, 6)
    database = await create_database(admin_dsn, "bench_matching")
    specs = [event_topic(t, 4) for t in (CLIENTS, PLANS, MATCHING, CONFLICTS)]
    await ensure_topics(bootstrap, specs + [s.dead_letter for s in specs])
    data_dir = Path(tempfile.mkdtemp(prefix="bench-detector-"))
    env = {**os.environ, "PZW_MATCHING_DATABASE_URL": database, "PZW_MATCHING_KAFKA_BOOTSTRAP": bootstrap,
           "PZW_MATCHING_STREAM_APP_ID": f"bench-detector-{uuid.uuid4().hex[:6]}",
           "PZW_MATCHING_STREAM_DATA_DIR": str(data_dir), "PZW_LOG_LEVEL": "WARNING"}
    log = (data_dir / "processes.log").open("ab")
    detector = subprocess.Popen([sys.executable, "-m", "services.matching.conflicts"], env=env, cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT)
    relay = subprocess.Popen([sys.executable, "-m", "libs.events.relay_process", "--database-url", database,
                              "--kafka-bootstrap", bootstrap, "--source", "/pzw/matching"], env=env, cwd=REPO,
                             stdout=log, stderr=subprocess.STDOUT)
    stop = asyncio.Event()
    conflicts: dict[str, float] = {}
    transits: dict[str, float] = {}
    acked: dict[str, float] = {}
    collectors = [asyncio.create_task(_collect(bootstrap, CONFLICTS, "BenefitConflictDetected", conflicts, stop)),
                  asyncio.create_task(_collect(bootstrap, CLIENTS, "UnemploymentStatusChanged", transits, stop))]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=0)
    await producer.start()
    try:
        await _warm_up(producer, conflicts)
        progress(f"conflict latency: {RATE:.0f} events/s for {seconds}s")
        sent = await _load(producer, seconds, acked)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len([k for k in acked if k in conflicts]) < len(acked):
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await producer.stop()
        for task in collectors:
            with contextlib.suppress(Exception):
                await task
        for process in (detector, relay):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)
    latencies = [(conflicts[k] - t) * 1000 for k, t in acked.items() if k in conflicts]
    transit = [(transits[k] - t) * 1000 for k, t in acked.items() if k in transits]
    p99, base = percentile(latencies, 99), percentile(transit, 99)
    details = {"events_sent": sent, "rate_target": RATE, "seconds": seconds, "conflicts_expected": len(acked),
               "conflicts_seen": len(latencies), "p50_ms": median(latencies), "p99_ms": p99,
               "transit_p50_ms": median(transit), "transit_p99_ms": base}
    return [Row("conflict latency p99 (trigger on Kafka -> conflict on Kafka)", p99, base, "ms",
                "raw Kafka transit p99 of the trigger", f"p99 < {TARGET_P99_MS:.0f} ms at {RATE:.0f} events/s",
                p99 < TARGET_P99_MS and len(latencies) == len(acked), [p99], [base], details)]


async def _warm_up(producer: AIOKafkaProducer, conflicts: dict[str, float], within: float = 90) -> None:
    """Wait until the detector has joined its group and a conflict goes all the way through."""
    client = uuid.uuid4()
    deadline = time.monotonic() + within
    for event in _events(client):
        message = encode_recorded(event, registry, topic=CLIENTS, source="/pzw/bench")
        await producer.send_and_wait(CLIENTS, message.value, key=message.key, headers=message.headers)
    while str(client) not in conflicts:
        if time.monotonic() > deadline:
            raise RuntimeError("the detector did not raise the warm-up conflict")
        await asyncio.sleep(0.1)


async def _load(producer: AIOKafkaProducer, seconds: int, acked: dict[str, float]) -> int:
    """Open loop: one event every 1/RATE s; the time a trigger was acknowledged is kept per client."""
    interval = 1 / RATE
    start = time.monotonic()
    sent = 0
    pending: set[asyncio.Task[None]] = set()

    async def send(event: RecordedEvent) -> None:
        message = encode_recorded(event, registry, topic=CLIENTS, source="/pzw/bench")
        await producer.send_and_wait(CLIENTS, message.value, key=message.key, headers=message.headers)
        if event.event_type == "UnemploymentStatusChanged":
            acked[event.stream_id] = time.monotonic()

    while time.monotonic() - start < seconds:
        for event in _events(uuid.uuid4()):
            due = start + sent * interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            task = asyncio.create_task(send(event))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
    await asyncio.gather(*pending)
    return sent
