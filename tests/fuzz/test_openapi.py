"""Property-based fuzzing of every service from its own OpenAPI document (schemathesis): whatever the input,
no answer is a server error and every answer conforms to the documented schema."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from libs.events.infra import Infrastructure
from tests.conftest import create_database
from tests.support.people import worker
from tests.support.processes import REPO, Process
from tests.support.services import eventually

pytestmark = pytest.mark.infra

SERVICES = [("services.clients", "CLIENTS"), ("services.plans", "PLANS"), ("services.matching", "MATCHING"),
            ("services.notifications", "NOTIFICATIONS"), ("services.reporting", "REPORTING")]
HEADERS = [f"{name}: {value}" for name, value in worker("PUP-8001", "fuzz@pup-8001", "job_broker").items()]


@pytest.mark.timeout(900)
@pytest.mark.parametrize(("module", "prefix"), SERVICES)
async def test_no_server_error_and_schema_conformance(infra: Infrastructure, tmp_path: Path, module: str,
                                                      prefix: str) -> None:
    service = Process(module, prefix, await create_database(infra.postgres_dsn, "fuzz"), infra, tmp_path)
    service.start()
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            await eventually(lambda: _ready(http, service.url), within=90)
        command = [str(Path(sys.executable).with_name("schemathesis")) if shutil.which("schemathesis") is None
                   else "schemathesis", "run", f"{service.url}/openapi.json",
                   "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
                   "--max-examples", "8", "--generation-deterministic", "--request-timeout", "20",
                   "--phases", "examples,coverage,fuzzing",
                   *[arg for header in HEADERS for arg in ("-H", header)]]
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(REPO)}
        process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.STDOUT, env=env, cwd=REPO)
        output, _ = await asyncio.wait_for(process.communicate(), 800)
        report = output.decode(errors="replace")
        (tmp_path / "schemathesis.txt").write_text(report)
        assert process.returncode == 0, report[-6000:]
    finally:
        service.stop()


async def _ready(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(f"{url}/health/ready")).status_code == 200
    except httpx.HTTPError:
        return False
