"""Erasure by crypto-shredding, on real PostgreSQL and Kafka: after `POST /clients/{id}/erasure` no plaintext of the
person is left in any table of any database the test used (clients, reporting, matching, a replayed read model),
nor in any Kafka topic; matching drops the person's candidate row; another person stays readable;
de-identified facts still count the person; redelivery and replay do not bring the data back."""

from __future__ import annotations

import asyncio
import random
import string
import uuid
from datetime import date

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from libs.events.auth import ServiceToken
from libs.events.infra import Infrastructure
from libs.events.kafka_admin import partitions_of
from libs.events.keyring import HttpKeySource, KeyRing
from libs.events.projection import ProjectionRunner
from libs.events.schemas import registry
from libs.events.sealing import PayloadSealer
from libs.events.topics import CLIENTS
from services.clients.bootstrap import build_app as clients_app
from services.clients.config import ClientsSettings
from services.matching.bootstrap import build_app as matching_app
from services.matching.config import MatchingSettings
from services.reporting.bootstrap import build_app as reporting_app
from services.reporting.config import ReportingSettings
from services.reporting.projections.client_directory import ClientDirectory
from tests.conftest import create_database
from tests.support.identity import development_issuer
from tests.support.people import pesel_for, worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

INSTITUTION = "PUP-2479"
HEADERS = worker(INSTITUTION, "ewa.lis", "job_broker")
DPO = worker(INSTITUTION, "iod.pup2479", "data_protection_officer")
ADDRESS = {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
           "city": "Siemianowice Śląskie", "street": "Niepamięci", "building": "7"}


def unique_name(prefix: str) -> str:
    return prefix + "".join(random.choices(string.ascii_lowercase, k=10))


def registration(first: str, last: str, pesel: str, birth: date) -> dict[str, object]:
    return {"institution_id": INSTITUTION, "institution_kind": "PUP",
            "identity": {"pesel": pesel, "first_name": first, "last_name": last, "birth_date": birth.isoformat()},
            "address": ADDRESS, "registered_on": "2026-11-02"}


async def text_columns_containing(dsn: str, needles: list[str]) -> list[str]:
    """Every text, jsonb and bytea column of every table in the database whose value contains a needle."""
    conn = await asyncpg.connect(dsn)
    found: list[str] = []
    try:
        columns = await conn.fetch(
            """SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
               WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                 AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')""")
        assert columns, "no columns to scan"
        for c in columns:
            column = f'"{c["table_schema"]}"."{c["table_name"]}"'
            value = (f'convert_from("{c["column_name"]}", \'UTF8\')' if c["data_type"] == "bytea"
                     else f'"{c["column_name"]}"::text')
            for needle in needles:
                hit = await conn.fetchval(
                    f"SELECT count(*) FROM {column} WHERE position($1 in {value}) > 0"
                    if c["data_type"] != "bytea" else
                    f"SELECT count(*) FROM {column} WHERE position(convert_to($1, 'UTF8') in \"{c['column_name']}\")"
                    " > 0", needle)
                if hit:
                    found.append(f"{column}.{c['column_name']} contains {needle!r}")
    finally:
        await conn.close()
    return found


async def kafka_containing(bootstrap: str, needles: list[str]) -> list[str]:
    """Every record of every topic, read from the beginning, whose key, value or headers contain a needle."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    partitions = await partitions_of(bootstrap, topics)
    assert any(tp.topic == CLIENTS for tp in partitions)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    found: list[str] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        encoded = [n.encode() for n in needles]
        while remaining:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batches.items():
                for r in records:
                    blob = b"".join([r.key or b"", r.value or b"", *(v for _, v in r.headers or ())])
                    found += [f"{tp.topic}@{r.offset} contains {n!r}" for n in encoded if n in blob]
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return found


async def test_erasure_leaves_no_plaintext_and_keeps_the_counts(infra: Infrastructure) -> None:
    clients_db = await create_database(infra.postgres_dsn, "clients")
    reporting_db = await create_database(infra.postgres_dsn, "reporting")
    replay_db = await create_database(infra.postgres_dsn, "replay")
    matching_db = await create_database(infra.postgres_dsn, "matching")
    first, last, note = unique_name("Erazm"), unique_name("Zapomniany"), unique_name("notatka")
    pesel = pesel_for(date(1971, 7, 23), random.randrange(1000), True)
    kept_first, kept_last = unique_name("Pamela"), unique_name("Pamietana")
    clients_settings = ClientsSettings(database_url=clients_db, kafka_bootstrap=infra.kafka_bootstrap)
    async with serving(clients_app(clients_settings)) as clients:
        reporting_settings = ReportingSettings(database_url=reporting_db, kafka_bootstrap=infra.kafka_bootstrap,
                                               key_service_url=str(clients.base_url))
        matching_settings = MatchingSettings(database_url=matching_db, kafka_bootstrap=infra.kafka_bootstrap,
                                             key_service_url=str(clients.base_url),
                                             plans_url="http://127.0.0.1:9")  # no referral in this test
        async with serving(reporting_app(reporting_settings)) as reports, serving(matching_app(matching_settings)):
            created = await clients.post("/clients", json=registration(first, last, pesel, date(1971, 7, 23)),
                                         headers=HEADERS)
            assert created.status_code == 201, created.text
            erased_id = created.json()["client_id"]
            profile = await clients.patch(
                f"/clients/{erased_id}/profile", headers={**HEADERS, "If-Match": created.headers["ETag"]},
                json={"household": {"members": 3, "dependants": 2, "notes": note}})
            assert profile.status_code == 200, profile.text
            kept = await clients.post("/clients", json=registration(
                kept_first, kept_last, pesel_for(date(1990, 1, 2), random.randrange(1000), False), date(1990, 1, 2)),
                headers=HEADERS)
            kept_id = kept.json()["client_id"]

            async def in_read_model(client_id: str) -> bool:
                return (await reports.get(f"/clients/{client_id}", headers=HEADERS)).status_code == 200

            await eventually(lambda: in_read_model(erased_id), within=20)
            await eventually(lambda: in_read_model(kept_id), within=20)
            await eventually(lambda: candidates(matching_db, [erased_id, kept_id], 2), within=20)
            assert (await reports.get(f"/clients/{erased_id}", headers=HEADERS)).json()["last_name"] == last
            # Before erasure the plaintext exists nowhere but in memory: Kafka carries ciphertext only.
            assert await kafka_containing(infra.kafka_bootstrap, [pesel, last, note]) == []

            assert (await clients.post(f"/clients/{erased_id}/erasure", headers=HEADERS, json={
                "legal_basis": "data_subject_request"})).status_code == 403  # a case worker may not erase
            erasure = await clients.post(f"/clients/{erased_id}/erasure", headers=DPO,
                                         json={"legal_basis": "data_subject_request"})
            assert erasure.status_code == 201, erasure.text
            again = await clients.post(f"/clients/{erased_id}/erasure", headers=DPO,
                                       json={"legal_basis": "data_subject_request"})
            assert again.status_code == 410
            bad = await clients.post(f"/clients/{kept_id}/erasure", headers=DPO, json={"legal_basis": "whim"})
            assert bad.status_code == 422
            assert "legal_basis" in bad.text
            assert (await clients.get(f"/clients/{erased_id}", headers=HEADERS)).status_code == 410
            history = (await clients.get(f"/clients/{erased_id}/events", headers=HEADERS)).json()
            assert history[0]["data"]["identity"] is None  # the old events remain, unreadable
            assert history[0]["erased"] == ["identity", "address", "contact"]
            assert history[0]["data"]["institution_id"] == INSTITUTION

            async def dropped() -> bool:
                return (await reports.get(f"/clients/{erased_id}", headers=HEADERS)).status_code == 404

            await eventually(dropped, within=20)
            await eventually(lambda: candidates(matching_db, [erased_id], 0), within=20)
            assert await candidates(matching_db, [kept_id], 1)
            kept_view = await clients.get(f"/clients/{kept_id}", headers=HEADERS)
            assert kept_view.json()["identity"]["last_name"] == kept_last
            assert (await reports.get(f"/clients/{kept_id}", headers=HEADERS)).json()["last_name"] == kept_last

            # Redelivery: the relay sends the erased client's messages again (as after a crash).
            await redeliver(infra.kafka_bootstrap, erased_id)
            await asyncio.sleep(2)
            assert (await reports.get(f"/clients/{erased_id}", headers=HEADERS)).status_code == 404

            needles = [pesel, first, last, note]
            assert await text_columns_containing(clients_db, needles) == []
            assert await text_columns_containing(reporting_db, needles) == []
            assert await text_columns_containing(matching_db, needles) == []
            assert await kafka_containing(infra.kafka_bootstrap, needles) == []
            await counts_the_person(reporting_db, erased_id)

            # Replay from the beginning of the topic into a fresh read model: nothing comes back.
            await replay(infra.kafka_bootstrap, replay_db, str(clients.base_url), [erased_id, kept_id])
            assert await text_columns_containing(replay_db, needles) == []
            await counts_the_person(replay_db, erased_id)
            conn = await asyncpg.connect(replay_db)
            try:
                assert await conn.fetchval("SELECT last_name FROM rm_client WHERE client_id = $1",
                                           uuid.UUID(kept_id)) == kept_last
            finally:
                await conn.close()


async def candidates(dsn: str, client_ids: list[str], expected: int) -> bool:
    """Whether matching's candidates read model holds `expected` of the clients."""
    conn = await asyncpg.connect(dsn)
    try:
        found = await conn.fetchval("SELECT count(*) FROM match_candidates WHERE client_id = ANY($1::uuid[])",
                                    [uuid.UUID(c) for c in client_ids])
    except asyncpg.UndefinedTableError:
        return False
    finally:
        await conn.close()
    return bool(found == expected)


async def counts_the_person(dsn: str, client_id: str) -> None:
    """The facts the indicators count by (registration, birth year, gmina) remain; the name does not."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow("SELECT * FROM rm_client WHERE client_id = $1", uuid.UUID(client_id))
        assert row is not None
        assert row["erased"]
        assert (row["first_name"], row["last_name"], row["postal_code"]) == (None, None, None)
        assert (row["birth_year"], row["teryt"]) == (1971, "2474011")
        assert await conn.fetchval(
            "SELECT count(*) FROM rm_client_registration WHERE client_id = $1 AND institution_id = $2",
            uuid.UUID(client_id), INSTITUTION) == 1
    finally:
        await conn.close()


async def redeliver(bootstrap: str, client_id: str) -> None:
    consumer = AIOKafkaConsumer(CLIENTS, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    mine = []
    try:
        for _ in range(20):
            for records in (await consumer.getmany(timeout_ms=300)).values():
                mine += [r for r in records if r.key == client_id.encode()]
    finally:
        await consumer.stop()
    assert mine
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for r in mine:
            await producer.send_and_wait(CLIENTS, r.value, key=r.key, headers=list(r.headers))
    finally:
        await producer.stop()


async def replay(bootstrap: str, dsn: str, key_service: str, client_ids: list[str]) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    issuer = development_issuer()  # a replay elsewhere opens the fields with a service account's token
    source = HttpKeySource(key_service, auth=ServiceToken(issuer.url, "pzw-reporting",
                                                          issuer.client_secret("pzw-reporting")))
    runner = ProjectionRunner(pool, bootstrap, ClientDirectory(), registry, group_id=f"replay-{uuid.uuid4()}",
                              sealer=PayloadSealer(registry, KeyRing(source)))
    await runner.setup()
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async def both() -> bool:
            return await pool.fetchval("SELECT count(*) FROM rm_client WHERE client_id = ANY($1::uuid[])",
                                       client_ids) == 2 and await pool.fetchval(
                "SELECT count(*) FROM rm_client WHERE erased") >= 1

        await eventually(both, within=30)
    finally:
        stop.set()
        await task
        await source.close()
        await pool.close()
