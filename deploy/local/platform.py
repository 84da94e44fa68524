"""`make run`: PostgreSQL, Kafka and every service on this machine, demo data loaded, URLs printed.

Ctrl-C (or SIGTERM) stops the services, then Kafka and PostgreSQL. Each run starts from empty state in `.run/`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from deploy.local.demo_data import load_demo_data
from deploy.local.services import SERVICES, LocalService
from libs.events.infra import Infrastructure, start_infrastructure

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / ".run"


async def create_databases(admin_dsn: str) -> dict[str, str]:
    """One database per service (services never share one); returns service name -> DSN."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        for database in sorted({s.database for s in SERVICES}):
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
                await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    base = admin_dsn.rsplit("/", 1)[0]
    return {s.name: f"{base}/{s.database}" for s in SERVICES}


def start_service(service: LocalService, dsn: str, infra: Infrastructure) -> subprocess.Popen[bytes]:
    clients = next(s for s in SERVICES if s.name == "clients")
    # On this machine the clients service uses the built-in development master key (never in production), and
    # gives the other services the data keys of personal fields.
    env = {"PZW_ENV": "development", "PZW_KEY_SERVICE_URL": f"http://127.0.0.1:{clients.port}", **os.environ,
           f"{service.env_prefix}DATABASE_URL": dsn, f"{service.env_prefix}KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
           "PZW_MATCHING_STREAM_DATA_DIR": str(STATE / "faust")}
    if service.port is not None:
        env[f"{service.env_prefix}HTTP_PORT"] = str(service.port)
    log = (STATE / f"{service.name}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", service.module], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=REPO)


def wait_ready(service: LocalService, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    if service.port is None:
        return  # a worker without HTTP: it is ready when it runs (checked below while the platform is up)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{service.name} exited; see {STATE / (service.name + '.log')}")
        try:
            if httpx.get(f"http://127.0.0.1:{service.port}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{service.name} not ready after {timeout}s")


def main() -> int:
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    print("Starting PostgreSQL and Kafka ...", flush=True)
    infra = start_infrastructure(STATE)
    processes: list[subprocess.Popen[bytes]] = []
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    try:
        dsns = asyncio.run(create_databases(infra.postgres_dsn))
        for service in SERVICES:
            processes.append(start_service(service, dsns[service.name], infra))
        for service, process in zip(SERVICES, processes, strict=True):
            wait_ready(service, process)
        print("Loading demo data ...", flush=True)
        summary = asyncio.run(load_demo_data({s.name: f"http://127.0.0.1:{s.port}" for s in SERVICES if s.port}))
        print(summary)
        print("\nThe platform is running:")
        print(f"  {'PostgreSQL':<18} {infra.postgres_dsn}")
        print(f"  {'Kafka':<18} {infra.kafka_bootstrap}")
        for service in SERVICES:
            if service.port is None:
                print(f"  {service.name:<18} (stream processor, no HTTP)")
            else:
                print(f"  {service.name:<18} http://127.0.0.1:{service.port}  "
                      f"(API docs: http://127.0.0.1:{service.port}/docs)")
        print(f"  {'logs':<18} {STATE}/*.log\nPress Ctrl-C to stop.", flush=True)
        while not stopping:
            for service, process in zip(SERVICES, processes, strict=True):
                if process.poll() is not None:
                    print(f"{service.name} stopped unexpectedly; see {STATE / (service.name + '.log')}")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping ...", flush=True)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        infra.stop()
        print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
