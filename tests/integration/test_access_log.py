"""The personal-data access log against a real PostgreSQL: a page of reads is one statement and one event stream,
the read events say what the table says, and gathering them twice (redelivery, replay) stores them once."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from libs.events.access_log import AccessLog, AccessLogProjection, PersonalDataRead, Reader
from libs.events.auth import Principal
from libs.events.schemas import access as ev
from libs.events.schemas import registry
from libs.events.store import START, PostgresEventStore
from libs.events.topics import ACCESS

pytestmark = pytest.mark.infra

BROKER = Principal(user="anna.nowak@pup-0261", name="Anna Nowak", institution="PUP-0261", roles=("job_broker",),
                   client_id="pzw-web")


@pytest.fixture
async def store(pool: asyncpg.Pool) -> PostgresEventStore:
    event_store = PostgresEventStore(pool, registry)
    await event_store.migrate()
    return event_store


async def test_a_page_of_fifty_clients_is_one_stream_of_fifty_reads(pool: asyncpg.Pool,
                                                                    store: PostgresEventStore) -> None:
    log = AccessLog(pool, "reporting", store)
    await log.migrate()
    clients = [uuid.uuid4() for _ in range(50)]
    reader = Reader(BROKER, "job_broker", None, log, "GET /caseload/{institution_id}/clients")
    await reader.record([*clients, clients[0]], reader.route, ["first_name", "last_name"], "reporting")

    rows = await pool.fetch("SELECT * FROM personal_data_reads ORDER BY read_id")
    assert [r["client_id"] for r in rows] == clients  # one read per distinct client, in the order listed
    assert {(r["service"], r["user_id"], r["via_client"], r["purpose"]) for r in rows} == {
        ("reporting", BROKER.user, "pzw-web", "reporting")}
    assert rows[0]["fields"] == ["first_name", "last_name"]
    assert rows[0]["withheld"] == []
    published = await store.read_all(START)
    assert len({e.stream_id for _, e in published}) == 1
    assert {e.event_id for _, e in published} == {r["event_id"] for r in rows}
    assert await pool.fetchval("SELECT count(DISTINCT topic) FROM outbox") == 1
    assert await pool.fetchval("SELECT min(topic) FROM outbox") == ACCESS
    first = published[0][1].payload
    assert isinstance(first, ev.PersonalDataRead)
    assert (first.client_id, first.service, first.endpoint) == (clients[0], "reporting", reader.route)


async def test_the_gathered_reads_are_stored_once(pool: asyncpg.Pool, store: PostgresEventStore) -> None:
    plans = AccessLog(pool, "plans", store)
    await plans.migrate()
    client_id = uuid.uuid4()
    await plans.record([PersonalDataRead(client_id=client_id, user="ewa.lis", institution="MOPS-026101",
                                         role="social_worker", endpoint="GET /plans/{plan_id}", fields=("steps",),
                                         purpose="case handling", withheld=("health",), service="plans")])
    events = [e for _, e in await store.read_all(START)]
    await pool.execute("TRUNCATE personal_data_reads")  # now the table stands for the clients service's copy
    projection = AccessLogProjection()
    async with pool.acquire() as conn:
        await projection.apply(conn, events)
        await projection.apply(conn, events)  # redelivered
    [(read_id, read)] = await AccessLog(pool, "clients").of_client(client_id, 10)
    assert (read.service, read.user, read.fields, read.withheld, read.event_id) == (
        "plans", "ewa.lis", ("steps",), ("health",), events[0].event_id)
    assert read.read_at == events[0].occurred_at
    assert await AccessLog(pool, "clients").of_client(client_id, 10, before=read_id) == []
