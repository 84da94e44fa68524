"""End-to-end latency: POST /clients accepted (201) -> visible in the reporting service's read model.

The clients and reporting services run as subprocesses (`python -m services.clients`, `python -m
services.reporting`) on databases of their own, so the load generator does not share their event loop. Requests
go out open-loop at fixed intervals (a request is never held back by a slow answer), each with a new person (unique
valid PESEL). Visibility is detected by querying the reporting service's PostgreSQL table `rm_client` directly,
one query every ~5 ms for all clients still awaited, and is timed at the moment that query's answer arrives (an
upper bound). The baseline is the latency of the POST itself, timed from its scheduled send.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from bench.common import Row, Settings, create_database, drop_database, median, percentile, progress
from bench.data import registration_body
from libs.events.infra.ports import free_port

REPO = Path(__file__).resolve().parent.parent
RATE = 200.0  # commands/s
TARGET_P99_MS = 250.0
POLL_INTERVAL = 0.005


@dataclass
class Service:
    """A service subprocess and its HTTP address."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_service(module: str, prefix: str, database: str, bootstrap: str, logs: Path) -> Service:
    """Start `python -m <module>` with its PZW_<PREFIX>_* settings; its output goes to a log file."""
    port = free_port()
    env = {**os.environ, f"PZW_{prefix}_DATABASE_URL": database, f"PZW_{prefix}_KAFKA_BOOTSTRAP": bootstrap,
           f"PZW_{prefix}_HTTP_PORT": str(port)}
    log = logs / f"{module.rsplit('.', 1)[-1]}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", module], cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    return Service(module, port, process, log)


async def wait_ready(http: httpx.AsyncClient, service: Service, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited with {service.process.returncode}; see {service.log}")
        with contextlib.suppress(httpx.HTTPError):
            if (await http.get(f"{service.url}/health/ready")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{service.name} not ready after {timeout}s; see {service.log}")


@dataclass
class Visibility:
    """Watches rm_client for awaited clients; records the delay from 201 to the first poll that sees each."""

    conn: asyncpg.Connection
    awaited: dict[uuid.UUID, float] = field(default_factory=dict)
    delays: list[float] = field(default_factory=list)
    polls: int = 0

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.awaited:
                ids = list(self.awaited)
                rows = await self.conn.fetch("SELECT client_id FROM rm_client WHERE client_id = ANY($1::uuid[])",
                                             ids)
                seen_at = time.perf_counter()
                self.polls += 1
                for row in rows:
                    self.delays.append(seen_at - self.awaited.pop(row["client_id"]))
            await asyncio.sleep(POLL_INTERVAL)


@dataclass
class RoundResult:
    post_latencies: list[float]
    visible_delays: list[float]
    accepted: int
    failed: int
    never_visible: int
    achieved_rate: float
    sample_ids: list[str]


class LoadGenerator:
    """Sends POST /clients open-loop at a fixed rate, with a new person every time."""

    def __init__(self, http: httpx.AsyncClient, clients: Service, visibility: Visibility) -> None:
        self.http = http
        self.clients = clients
        self.visibility = visibility
        self.rng = random.Random(5)
        self.index = random.Random().randrange(1_000) * 100_000  # distinct people on every run

    async def run(self, rate: float, seconds: float) -> RoundResult:
        count = int(rate * seconds)
        latencies: list[float] = []
        failures: list[str] = []
        accepted_ids: list[str] = []
        last_answer = 0.0

        async def one(scheduled: float, body: dict[str, object]) -> None:
            nonlocal last_answer
            headers = {"X-Actor-User": "anna.nowak", "X-Actor-Institution": str(body["institution_id"]),
                       "X-Actor-Role": "case_worker"}
            try:
                answer = await self.http.post(f"{self.clients.url}/clients", json=body, headers=headers)
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
                return
            answered = time.perf_counter()
            last_answer = max(last_answer, answered)
            if answer.status_code != 201:
                failures.append(f"{answer.status_code}: {answer.text[:200]}")
                return
            latencies.append(answered - scheduled)
            client_id = answer.json()["client_id"]
            accepted_ids.append(client_id)
            self.visibility.awaited[uuid.UUID(client_id)] = answered

        bodies = [registration_body(self.index + i, self.rng) for i in range(count)]
        self.index += count
        delays_before = len(self.visibility.delays)
        tasks = []
        start = time.perf_counter() + 0.05
        for i, body in enumerate(bodies):
            scheduled = start + i / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            tasks.append(asyncio.create_task(one(scheduled, body)))
        await asyncio.gather(*tasks)
        deadline = time.perf_counter() + 30
        while self.visibility.awaited and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        never_visible = len(self.visibility.awaited)
        self.visibility.awaited.clear()
        if failures:
            progress(f"end-to-end: {len(failures)} failed requests, first: {failures[0]}")
        return RoundResult(
            post_latencies=latencies, visible_delays=self.visibility.delays[delays_before:],
            accepted=len(latencies), failed=len(failures), never_visible=never_visible,
            achieved_rate=len(latencies) / (last_answer - start) if last_answer > start else 0.0,
            sample_ids=accepted_ids[:: max(1, len(accepted_ids) // 5)][:5],
        )


async def check_over_http(http: httpx.AsyncClient, reporting: Service, client_ids: list[str]) -> bool:
    """Spot check: the reporting service's own GET answers for clients the poller saw."""
    answers = [await http.get(f"{reporting.url}/clients/{client_id}") for client_id in client_ids]
    return all(a.status_code == 200 for a in answers)


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    """p50 and p99 of POST -> visible at 200 commands/s, with the POST's own latency as baseline."""
    seconds = settings.scaled(20, 5)
    clients_db = await create_database(admin_dsn, "bench_clients")
    reporting_db = await create_database(admin_dsn, "bench_reporting")
    logs = Path(tempfile.mkdtemp(prefix="pzw-bench-services-"))
    services: list[Service] = []
    results: list[RoundResult] = []
    try:
        services.append(start_service("services.clients", "CLIENTS", clients_db, bootstrap, logs))
        services.append(start_service("services.reporting", "REPORTING", reporting_db, bootstrap, logs))
        clients, reporting = services
        limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            for service in services:
                await wait_ready(http, service)
            conn = await asyncpg.connect(reporting_db)
            stop = asyncio.Event()
            visibility = Visibility(conn)
            watcher = asyncio.create_task(visibility.watch(stop))
            try:
                generator = LoadGenerator(http, clients, visibility)
                await generator.run(RATE, settings.scaled(3, 1))  # warm-up
                for _ in range(settings.rounds):
                    result = await generator.run(RATE, seconds)
                    results.append(result)
                    progress(f"end-to-end round: p99 {percentile(result.visible_delays, 99) * 1000:.0f} ms "
                             f"(POST p99 {percentile(result.post_latencies, 99) * 1000:.0f} ms), "
                             f"{result.achieved_rate:.0f}/s achieved")
                http_ok = await check_over_http(http, reporting, results[-1].sample_ids)
            finally:
                stop.set()
                await watcher
                await conn.close()
    finally:
        for service in services:
            service.stop()
        await drop_database(admin_dsn, clients_db)
        await drop_database(admin_dsn, reporting_db)
    return _rows(results, seconds, http_ok, logs)


def _rows(results: list[RoundResult], seconds: float, http_ok: bool, logs: Path) -> list[Row]:
    def per_round(values: list[list[float]], pct: float) -> list[float]:
        return [percentile(v, pct) * 1000 for v in values]

    visible = [r.visible_delays for r in results]
    posts = [r.post_latencies for r in results]
    p50, p99 = per_round(visible, 50), per_round(visible, 99)
    post50, post99 = per_round(posts, 50), per_round(posts, 99)
    rates = [r.achieved_rate for r in results]
    details = {
        "rate": RATE, "seconds_per_round": seconds, "visibility": "direct query of rm_client (reporting PostgreSQL) "
        f"every {POLL_INTERVAL * 1000:.0f} ms, timed when the answer arrives", "services": "subprocesses",
        "accepted": [r.accepted for r in results], "failed": [r.failed for r in results],
        "never_visible": [r.never_visible for r in results], "http_spot_check_ok": http_ok,
        "p999_ms": per_round(visible, 99.9), "max_ms": [max(v, default=0) * 1000 for v in visible],
        "service_logs": str(logs),
    }
    complete = all(r.failed == 0 and r.never_visible == 0 for r in results)
    return [
        Row("end-to-end POST -> visible in reporting, p50", median(p50), median(post50), "ms",
            "POST /clients latency, p50", "(report)", None, p50, post50, details),
        Row("end-to-end POST -> visible in reporting, p99", median(p99), median(post99), "ms",
            "POST /clients latency, p99", f"< {TARGET_P99_MS:.0f} ms", median(p99) < TARGET_P99_MS and complete,
            p99, post99, details),
        Row("end-to-end achieved command rate", median(rates), RATE, "commands/s", "scheduled rate",
            f">= {RATE * 0.95:.0f}/s, none lost", median(rates) >= RATE * 0.95 and complete, rates, [RATE] * len(rates),
            details),
    ]
