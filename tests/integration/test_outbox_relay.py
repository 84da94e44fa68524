"""The outbox relay on real PostgreSQL and Kafka: order per client, CloudEvents headers, crash survival."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime

import asyncpg
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event

from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.ids import new_id
from libs.events.infra import Infrastructure
from libs.events.kafka_admin import TopicSpec, ensure_topics
from libs.events.outbox import OutboxRelay, reliable_producer
from libs.events.schemas import registry
from libs.events.schemas.clients import ClientAddressChanged, ClientRegistered, PersonIdentity
from libs.events.schemas.common import Address, InstitutionKind
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend
from libs.events.tracing import configure_tracing, current_traceparent, tracer
from tests.support.kafka import headers_of, read_topic

pytestmark = pytest.mark.infra

ACTOR = Actor(user="ewa.lis", institution="MOPS-1465", role="social_worker")
HOME = Address(gmina="Warszawa", teryt="1465011", postal_code="00-950", city="Warszawa", street="Marszałkowska",
               building="1")


def registration(client_id: object) -> ClientRegistered:
    return ClientRegistered(
        client_id=client_id, institution_id="MOPS-1465", institution_kind=InstitutionKind.OPS,
        identity=PersonIdentity(first_name="Ewa", last_name="Zielińska", birth_date=date(1980, 1, 2),
                                pesel="80010212345"),
        address=HOME, registered_on=date(2026, 11, 1))


async def append_client_history(store: PostgresEventStore, topic: str, moves: int) -> str:
    """One client: registered, then `moves` address changes, each its own append (own transaction)."""
    client_id = new_id()
    stream = str(client_id)
    meta = Metadata(actor=ACTOR, correlation_id=new_id(), partition_key=stream, traceparent=current_traceparent())
    now = datetime.now(UTC)
    await store.append(StreamAppend("client", stream, NO_STREAM, [NewEvent(registration(client_id), now)], meta,
                                    topic))
    for n in range(moves):
        moved = ClientAddressChanged(client_id=client_id, address=HOME.model_copy(update={"building": str(n)}))
        await store.append(StreamAppend("client", stream, n + 1, [NewEvent(moved, now)], meta, topic))
    return stream


@pytest.fixture
async def store(pool: asyncpg.Pool) -> PostgresEventStore:
    event_store = PostgresEventStore(pool, registry)
    await event_store.migrate()
    return event_store


async def drain(relay: OutboxRelay) -> None:
    await relay.pump()
    assert await relay.pending() == 0


async def test_relay_publishes_each_clients_events_in_order_as_cloudevents(
    infra: Infrastructure, store: PostgresEventStore, pool: asyncpg.Pool, topic_name: str
) -> None:
    configure_tracing("test")
    await ensure_topics(infra.kafka_bootstrap, [TopicSpec(topic_name, partitions=3)])
    with tracer.start_as_current_span("request"):
        streams = await asyncio.gather(*(append_client_history(store, topic_name, moves=4) for _ in range(10)))
    relay = OutboxRelay(pool, lambda: reliable_producer(infra.kafka_bootstrap), registry, source="/pzw/test",
                        batch_size=7)
    await drain(relay)
    assert relay.published == 50

    records = await read_topic(infra.kafka_bootstrap, topic_name, expected=50)
    assert len(records) == 50
    versions: dict[str, list[int]] = defaultdict(list)
    for record in records:
        headers = headers_of(record)
        assert record.key.decode() == headers["ce_subject"].decode()  # key = client id
        versions[record.key.decode()].append(int(headers["ce_streamversion"]))
        assert headers["ce_specversion"] == b"1.0"
        assert headers["ce_source"] == b"/pzw/test"
        assert headers["traceparent"].startswith(b"00-")
        event = from_binary_event(KafkaMessage(headers=headers, key=record.key, value=record.value))
        assert event.get_id() == headers["ce_id"].decode()
        assert event.get_type() in {"pl.pzw.clients.ClientRegistered", "pl.pzw.clients.ClientAddressChanged"}
        assert event.get_time() is not None
        assert event.get_data()["client_id"] == record.key.decode()
    assert sorted(versions) == sorted(streams)
    assert all(v == [1, 2, 3, 4, 5] for v in versions.values())


async def test_relay_killed_mid_batch_loses_and_reorders_nothing(
    infra: Infrastructure, store: PostgresEventStore, pool: asyncpg.Pool, database: str, topic_name: str
) -> None:
    await ensure_topics(infra.kafka_bootstrap, [TopicSpec(topic_name, partitions=4)])
    streams = []
    for _ in range(40):  # 40 clients x 50 events = 2,000 events waiting in the outbox
        streams.append(await append_client_history(store, topic_name, moves=49))
    total = await pool.fetchval("SELECT count(*) FROM outbox")
    assert total == 2000

    command = [sys.executable, "-m", "libs.events.relay_process", "--database-url", database,
               "--kafka-bootstrap", infra.kafka_bootstrap, "--source", "/pzw/test"]
    victim = subprocess.Popen(command, env={**os.environ, "PZW_LOG_LEVEL": "WARNING"})
    try:
        while await pool.fetchval("SELECT count(*) FROM outbox") > total * 0.6:
            await asyncio.sleep(0.005)
        victim.send_signal(signal.SIGKILL)  # no chance to finish the batch or delete its rows
        victim.wait()
        left = await pool.fetchval("SELECT count(*) FROM outbox")
        assert 0 < left < total

        survivor = subprocess.Popen(command, env={**os.environ, "PZW_LOG_LEVEL": "WARNING"})
        try:
            for _ in range(600):
                if await pool.fetchval("SELECT count(*) FROM outbox") == 0:
                    break
                await asyncio.sleep(0.05)
            assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
        finally:
            survivor.terminate()
            survivor.wait(20)
    finally:
        if victim.poll() is None:
            victim.kill()

    records = await read_topic(infra.kafka_bootstrap, topic_name, expected=total)
    assert len(records) >= total  # at least once: the killed batch may be sent twice
    first_seen: dict[str, list[int]] = defaultdict(list)
    for record in records:  # records of one key share a partition, so this is Kafka's order for the client
        key, version = record.key.decode(), int(headers_of(record)["ce_streamversion"])
        if version not in first_seen[key]:
            first_seen[key].append(version)
    assert sorted(first_seen) == sorted(streams)
    assert all(first_seen[s] == list(range(1, 51)) for s in streams)  # nothing lost, never out of order
