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
from deploy.local.services import GATEWAY, IDENTITY, SERVICES, LocalService
from libs.events.infra import Infrastructure, start_infrastructure
from services.identity.config import DEFAULT_DIRECTORY, Directory
from services.identity.signing import Signer
from tools.demo_data.tokens import ActorTokens

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / ".run"
RUNNING = (IDENTITY, *SERVICES)


async def create_databases(admin_dsn: str) -> dict[str, str]:
    """One database per service (services never share one); returns service name -> DSN."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        for database in sorted({s.database for s in SERVICES if s.database}):
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
                await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    base = admin_dsn.rsplit("/", 1)[0]
    return {s.name: f"{base}/{s.database}" for s in SERVICES if s.database}


ISSUER = f"http://127.0.0.1:{IDENTITY.port}"
SIGNING_KEY = STATE / "identity" / "signing-key.pem"


def identity_environment() -> dict[str, str]:
    """What every process needs to know of the development issuer (and matching, its service account)."""
    directory = Directory.load(DEFAULT_DIRECTORY)
    accounts = {c.id: c.secret or "" for c in directory.clients if c.service_account or c.id == "pzw-gateway"}
    # No per-user rate limit in the services here: the demo data is loaded over HTTP in a few workers' names
    # (the gateway, the way in for people, keeps its limit).
    clients = next(s for s in SERVICES if s.name == "clients")
    # The clients service gives the other services the data keys of personal fields (decision 0010); on this
    # machine it uses the public development master key.
    return {"PZW_ENV": "development", "PZW_OIDC_ISSUER": ISSUER, "PZW_RATE_LIMIT_PER_MINUTE": "0",
            "PZW_KEY_SERVICE_URL": f"http://127.0.0.1:{clients.port}",
            # each service's account at the issuer: PZW_<SERVICE>_OIDC_CLIENT_SECRET
            **{f"PZW_{client.removeprefix('pzw-').upper()}_OIDC_CLIENT_SECRET": secret
               for client, secret in accounts.items()}}


def start_identity() -> subprocess.Popen[bytes]:
    """The development issuer, with a signing key kept in .run/ (the demo loader signs its workers' tokens)."""
    SIGNING_KEY.parent.mkdir(parents=True, exist_ok=True)
    Signer.generate().write_pem(SIGNING_KEY)
    env = {**os.environ, **identity_environment(), "PZW_IDENTITY_HTTP_PORT": str(IDENTITY.port),
           "PZW_IDENTITY_SIGNING_KEY_FILE": str(SIGNING_KEY)}
    log = (STATE / f"{IDENTITY.name}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", IDENTITY.module], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=REPO)


def start_service(service: LocalService, dsn: str | None, infra: Infrastructure) -> subprocess.Popen[bytes]:
    env = {**os.environ, **identity_environment(), f"{service.env_prefix}KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
           "PZW_MATCHING_STREAM_DATA_DIR": str(STATE / "faust"), **dict(service.env)}
    if dsn is not None:
        env[f"{service.env_prefix}DATABASE_URL"] = dsn
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
        processes.append(start_identity())
        wait_ready(IDENTITY, processes[0])
        for service in SERVICES:
            processes.append(start_service(service, dsns.get(service.name), infra))
        for service, process in zip(RUNNING, processes, strict=True):
            wait_ready(service, process)
        print("Loading demo data ...", flush=True)
        summary = asyncio.run(load_demo_data({s.name: f"http://127.0.0.1:{s.port}" for s in SERVICES if s.port},
                                             ActorTokens.from_key_file(SIGNING_KEY, ISSUER)))
        print(summary)
        print(f"\nOpen the PZW web application: http://127.0.0.1:{GATEWAY.port}  (sign in as a demo user)")
        print("\nThe platform is running:")
        print(f"  {'PostgreSQL':<18} {infra.postgres_dsn}")
        print(f"  {'Kafka':<18} {infra.kafka_bootstrap}")
        print(f"  {IDENTITY.name:<18} {ISSUER}  (development sign-in; demo users in "
              f"{DEFAULT_DIRECTORY.relative_to(REPO)}, password \"demo\")")
        for service in SERVICES:
            if service.port is None:
                print(f"  {service.name:<18} (stream processor, no HTTP)")
            elif service.name == "gateway":
                print(f"  {service.name:<18} http://127.0.0.1:{service.port}  (the web application; its API door is "
                      f"/api/<service>/...)")
            else:
                print(f"  {service.name:<18} http://127.0.0.1:{service.port}  "
                      f"(API docs: http://127.0.0.1:{service.port}/docs)")
        print(f"  {'logs':<18} {STATE}/*.log\nPress Ctrl-C to stop.", flush=True)
        while not stopping:
            for service, process in zip(RUNNING, processes, strict=True):
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
