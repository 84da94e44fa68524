"""What sealing personal fields costs: append throughput and projection-side decoding, with and without a sealer.

`python -m bench.erasure_overhead [events]`: one local PostgreSQL (no Kafka needed). Appends client events (a
registration and a profile update per client: both carry sealed fields) from 8 concurrent writers, 10 events per
append, to two databases in turns; then decodes the same events as Kafka messages the way a projection runner does
(key look-up for the batch, then `decode_event`), with the keys served by the clients' own key store.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.infra.local_postgres import LocalPostgres
from libs.events.kafka_codec import decode_event, encode_recorded, read_envelope, sealed_items
from libs.events.key_store import DEVELOPMENT_MASTER_KEY, MasterKey, PostgresKeyStore
from libs.events.keyring import KeyRing
from libs.events.schemas import registry
from libs.events.schemas.clients import (
    ClientProfileUpdated,
    ClientRegistered,
    Household,
    PersonIdentity,
)
from libs.events.schemas.common import Address, InstitutionKind
from libs.events.sealing import PayloadSealer
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend

ACTOR = Actor(user="bench", institution="PUP-2473", role="job_broker")
WRITERS = 8


def registration(client: uuid.UUID) -> NewEvent:
    return NewEvent(ClientRegistered(
        client_id=client, institution_id="PUP-2473", institution_kind=InstitutionKind.PUP,
        identity=PersonIdentity(pesel="44051401359", first_name="Jan", last_name="Kowalski",
                                birth_date=date(1944, 5, 14)),
        address=Address(gmina="Siemianowice Śląskie", teryt="2474011", postal_code="41-100",
                        city="Siemianowice Śląskie", street="Jana Pawła II", building="10"),
        registered_on=date(2026, 11, 2)), datetime.now(UTC))


def profile_update(client: uuid.UUID) -> NewEvent:
    return NewEvent(ClientProfileUpdated(client_id=client, institution_id="MOPS-2473",
                                         household=Household(members=3, dependants=1, notes="rodzina w kryzysie")),
                    datetime.now(UTC))


async def append_rate(store: PostgresEventStore, clients: list[uuid.UUID], make: Callable[[uuid.UUID], NewEvent],
                      expected: int) -> float:
    """Events per second appended by WRITERS concurrent writers, one event per append (per client)."""
    queue = list(clients)

    async def writer() -> None:
        while queue:
            client = queue.pop()
            await store.append(StreamAppend("client", str(client), expected, [make(client)],
                                            Metadata.for_command(ACTOR, client), topic="pzw.clients.v1"))

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return len(clients) / (time.perf_counter() - started)


async def decode_rate(store: PostgresEventStore, pool: asyncpg.Pool, keys: PostgresKeyStore | None) -> float:
    """Events per second decoded from their Kafka messages, in batches of 5000 as a projection runner does
    (a cold key cache: every client's key is looked up once, a batch at a time)."""
    recorded = [e for _, e in await store.read_all(limit=1_000_000)]
    raw_rows = await pool.fetch("SELECT payload::text AS payload FROM events ORDER BY transaction_id, global_position")
    messages = []
    for event, row in zip(recorded, raw_rows, strict=True):
        message = encode_recorded(event, registry, topic="pzw.clients.v1", source="/pzw/clients")
        messages.append((message.headers, row["payload"].encode()))  # the value as the relay sends it
    sealer = PayloadSealer(registry, KeyRing(keys)) if keys is not None else None
    started = time.perf_counter()
    for start in range(0, len(messages), 5000):
        batch = messages[start:start + 5000]
        if sealer is not None:
            await sealer.prepare(sealed_items(batch))
        for headers, value in batch:
            decode_event(read_envelope(headers), value, registry, sealer)
    return len(messages) / (time.perf_counter() - started)


async def main(clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        postgres = LocalPostgres(Path(tmp) / "pg")
        admin = postgres.start()
        try:
            results: dict[str, list[float]] = {f"{what} {label}": [] for what in ("new client", "known client",
                                                                                  "decode") for label in
                                               ("plain", "sealed")}
            for round_ in range(3):
                for sealed in (False, True):
                    name = f"bench_{'sealed' if sealed else 'plain'}_{round_}"
                    conn = await asyncpg.connect(admin)
                    await conn.execute(f'CREATE DATABASE "{name}"')
                    await conn.close()
                    pool = await asyncpg.create_pool(admin.rsplit("/", 1)[0] + f"/{name}", min_size=2, max_size=10)
                    assert pool is not None
                    keys, sealer = None, None
                    if sealed:
                        keys = PostgresKeyStore(pool, MasterKey.from_config(DEVELOPMENT_MASTER_KEY, "production"))
                        await keys.migrate()
                        sealer = PayloadSealer(registry, KeyRing(keys))
                    store = PostgresEventStore(pool, registry, sealer)
                    await store.migrate()
                    label = "sealed" if sealed else "plain"
                    ids = [uuid.uuid4() for _ in range(clients)]
                    results[f"new client {label}"].append(await append_rate(store, ids, registration, NO_STREAM))
                    results[f"known client {label}"].append(await append_rate(store, ids, profile_update, 1))
                    results[f"decode {label}"].append(await decode_rate(store, pool, keys))
                    await pool.close()
            for what, rates in results.items():
                print(f"{what:19s} median {sorted(rates)[1]:9.0f} events/s  (rounds: "
                      + ", ".join(f"{r:.0f}" for r in rates) + ")")
            for kind in ("new client", "known client", "decode"):
                plain, sealed_ = sorted(results[f"{kind} plain"])[1], sorted(results[f"{kind} sealed"])[1]
                print(f"{kind}: sealed runs at {100 * sealed_ / plain:.0f}% of plain "
                      f"({1e6 / sealed_ - 1e6 / plain:+.1f} µs per event)")
        finally:
            postgres.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
