"""A load of commands against the clients and reporting services, with faults injected while it runs.

Kafka is killed with SIGKILL and restarted, the consumer (reporting) and the producer side (clients service with its
outbox relay) are killed mid-batch and restarted, PostgreSQL is stopped without a clean shutdown and restarted.
Afterwards the read model must hold exactly what the commands said: every client once, each with the address of
its last command (per-client order), and every client's stream version applied once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import asyncpg
import httpx

from libs.events.infra import Infrastructure
from libs.events.topics import CLIENTS
from services.reporting.bootstrap import projections
from tests.support.kafka import headers_of, read_topic
from tests.support.people import pesel_for, worker
from tests.support.processes import Process

REPO = Path(__file__).resolve().parents[2]
# The projection that runs the client directory (alone or in a group): its stream versions are what was applied.
DIRECTORY = next(p.name for p in projections()
                 if p.name == "client_directory" or "client_directory" in {q.name for q in getattr(p, "parts", ())})
INSTITUTION = "PUP-7001"
HEADERS = worker(INSTITUTION, "load@pup-7001", "job_broker")


@dataclass
class Result:
    """What the run did and what it found."""

    clients: int = 0
    commands: int = 0
    retried: int = 0
    faults: list[str] = field(default_factory=list)
    events_on_kafka: int = 0
    redelivered_on_kafka: int = 0
    lost: int = 0
    wrong_order: int = 0
    examples: list[str] = field(default_factory=list)
    duplicate_effects: int = 0
    seconds: float = 0.0


def address(client: int, step: int) -> dict[str, str]:
    """A distinct address per command: the postal code tells which command was applied last."""
    return {"gmina": "Gliwice", "teryt": "2466011", "postal_code": f"{44 + step % 50:02d}-{client % 1000:03d}",
            "city": "Gliwice", "street": "Zwycięstwa", "building": str(step + 1)}


async def _call(http: httpx.AsyncClient, method: str, url: str, result: Result, **kw: object) -> httpx.Response:
    """A request retried while the service is down or restarting (connection refused, 5xx, timeouts)."""
    for attempt in range(600):
        try:
            answer = await http.request(method, url, **kw)  # type: ignore[arg-type]
            if answer.status_code < 500:
                return answer
        except httpx.HTTPError:
            pass
        result.retried += attempt == 0
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{method} {url} kept failing")


async def _client_commands(http: httpx.AsyncClient, base: str, n: int, changes: int, result: Result,
                           ids: dict[int, str], progress: list[int]) -> None:
    """Register client n, then change its address `changes` times, in order, each with If-Match."""
    birth = date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    identity = {"pesel": pesel_for(birth, 100 + n, n % 2 == 0), "first_name": "Jan", "last_name": f"Test{n}",
                "birth_date": birth.isoformat()}
    body = {"institution_id": INSTITUTION, "institution_kind": "PUP", "identity": identity,
            "address": address(n, 0), "registered_on": "2026-11-02"}
    answer = await _call(http, "POST", f"{base}/clients", result, json=body, headers=HEADERS)
    if answer.status_code == 409:  # a retry of a registration that was stored before the service died
        answer = await _call(http, "GET", f"{base}/clients", result, params={"pesel": identity["pesel"]},
                             headers=HEADERS)
    ids[n] = answer.json()["client_id"]
    progress[0] += 1
    for step in range(1, changes + 1):
        wanted = address(n, step)
        while True:
            current = await _call(http, "GET", f"{base}/clients/{ids[n]}", result, headers=HEADERS)
            if current.json()["address"]["postal_code"] == wanted["postal_code"] and current.json()["address"][
                    "building"] == wanted["building"]:
                break  # applied by an attempt whose answer was lost
            answer = await _call(http, "PUT", f"{base}/clients/{ids[n]}/address", result, json=wanted,
                                 headers={**HEADERS, "If-Match": current.headers["ETag"]})
            if answer.status_code == 200:
                break
        progress[0] += 1


async def run(infra: Infrastructure, databases: tuple[str, str], logs: Path, clients: int = 2000,
              changes: int = 9, concurrency: int = 32) -> Result:
    """The load with its faults; returns the figures and what was found (lost, reordered, duplicated)."""
    assert infra.kafka is not None, "fault injection needs the local servers"
    assert infra.postgres is not None, "fault injection needs the local servers"
    result = Result(clients=clients, commands=clients * (changes + 1))
    writer = Process("services.clients", "CLIENTS", databases[0], infra, logs)
    reader = Process("services.reporting", "REPORTING", databases[1], infra, logs,
                     env={"PZW_REPORTING_KEY_SERVICE_URL": writer.url})  # the writer gives the data keys
    started = time.monotonic()
    for process in (writer, reader):
        process.start()
    ids: dict[int, str] = {}
    progress = [0]
    try:
        async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=concurrency * 2)) as http:
            await _call(http, "GET", f"{writer.url}/health/ready", result)
            await _call(http, "GET", f"{reader.url}/health/ready", result)
            queue = iter(range(clients))

            async def worker() -> None:
                for n in queue:
                    await _client_commands(http, writer.url, n, changes, result, ids, progress)

            load = asyncio.gather(*(worker() for _ in range(concurrency)))
            faults = asyncio.create_task(_faults(infra, writer, reader, progress, result.commands, result))
            await load
            await faults
            await _settle(http, writer, reader, ids, clients, result)
    finally:
        for process in (writer, reader):
            process.stop()
    await _check(infra, databases, ids, changes, result)
    result.seconds = round(time.monotonic() - started, 1)
    return result


async def _faults(infra: Infrastructure, writer: Process, reader: Process, progress: list[int], total: int,
                  result: Result) -> None:
    assert infra.kafka is not None
    assert infra.postgres is not None

    async def at(share: float) -> None:
        while progress[0] < total * share:
            await asyncio.sleep(0.05)

    await at(0.2)
    infra.kafka.kill()
    result.faults.append(f"Kafka broker killed (SIGKILL) after {progress[0]} commands; restarted after 3 s")
    await asyncio.sleep(3)
    await asyncio.to_thread(infra.kafka.restart)
    await at(0.4)
    reader.kill()
    result.faults.append(f"reporting service (consumer) killed (SIGKILL) after {progress[0]} commands; restarted")
    reader.start()
    await at(0.6)
    writer.kill()
    result.faults.append(f"clients service with its outbox relay killed (SIGKILL) after {progress[0]} commands; "
                         "restarted")
    writer.start()
    await at(0.8)
    await asyncio.to_thread(infra.postgres.crash_restart)
    result.faults.append(f"PostgreSQL stopped without a clean shutdown after {progress[0]} commands; restarted")


async def _settle(http: httpx.AsyncClient, writer: Process, reader: Process, ids: dict[int, str], clients: int,
                  result: Result, within: float = 240) -> None:
    """Wait until the outbox is empty and the read model has every client."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
            ready = (await http.get(f"{writer.url}/health/ready")).json()
            listing = await http.get(f"{reader.url}/institutions/{INSTITUTION}/clients", params={"limit": 1},
                                     headers=HEADERS)
            if ready.get("outbox_backlog") == 0 and listing.status_code == 200:
                return
        await asyncio.sleep(0.5)
    raise AssertionError("the platform did not settle")


async def _check(infra: Infrastructure, databases: tuple[str, str], ids: dict[int, str], changes: int,
                 result: Result) -> None:
    writer_db = await asyncpg.connect(databases[0])
    reader_db = await asyncpg.connect(databases[1])
    try:
        versions = {r["stream_id"]: r["version"] for r in await writer_db.fetch(
            "SELECT stream_id, version FROM event_streams WHERE stream_type = 'client'")}
        deadline = time.monotonic() + 300
        while True:  # the projection catches up (ClientDirectory runs in the reporting group "records")
            applied = {r["stream_id"]: r["version"] for r in await reader_db.fetch(
                "SELECT stream_id, version FROM projection_streams WHERE projection = $2 AND stream_id = ANY($1)",
                list(ids.values()), DIRECTORY)}
            if applied == {i: versions[i] for i in ids.values()} or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        result.lost = sum(1 for i in ids.values() if applied.get(i) != versions.get(i))
        rows = {str(r["client_id"]): r["postal_code"] for r in await reader_db.fetch(
            "SELECT client_id, postal_code FROM rm_client WHERE client_id = ANY($1::uuid[])",
            [uuid.UUID(i) for i in ids.values()])}
        mismatched = [(n, i) for n, i in ids.items() if rows.get(i) != address(n, changes)["postal_code"]]
        result.wrong_order = len(mismatched)
        result.examples += [f"read model: client {i} has {rows.get(i)}, expected {address(n, changes)['postal_code']}"
                            for n, i in mismatched[:3]]
        registrations = await reader_db.fetchval(
            "SELECT count(*) FROM rm_client_registration WHERE institution_id = $1", INSTITUTION)
        result.duplicate_effects = registrations - len(ids)
    finally:
        await writer_db.close()
        await reader_db.close()
    expected = sum(versions[i] for i in ids.values())
    records = await read_topic(infra.kafka_bootstrap, CLIENTS, expected=expected, within=60)
    mine = set(ids.values())
    seen: dict[str, list[int]] = {}
    for record in records:
        key = record.key.decode()
        if key in mine:
            result.events_on_kafka += 1
            version = int(headers_of(record)["ce_streamversion"])
            if version in seen.setdefault(key, []):
                result.redelivered_on_kafka += 1
            else:
                seen[key].append(version)
    reordered = [key for key, order in seen.items() if order != list(range(1, len(order) + 1))]
    result.wrong_order += len(reordered)
    result.examples += [f"kafka: client {k} versions in order {seen[k]}" for k in reordered[:3]]
    result.lost += sum(1 for i in mine if len(seen.get(i, [])) != versions[i])
