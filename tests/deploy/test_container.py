"""The image's entry points and the compose file, checked without Docker (these machines have no engine): the
entry point starts the right module, and compose runs every process of deploy/local/services.py the same way."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.local.services import SERVICES

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "deploy" / "docker" / "entrypoint.sh"
COMPOSE = REPO / "deploy" / "compose" / "compose.yaml"


def run_entrypoint(tmp_path: Path, *args: str) -> str:
    """Run the entry point with a stand-in `python` that prints how it was called."""
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "python $*"\n')
    fake.chmod(0o755)
    done = subprocess.run(["sh", str(ENTRYPOINT), *args], capture_output=True, text=True, check=True,
                          env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    return done.stdout.strip()


@pytest.mark.parametrize(("args", "expected"), [
    (["clients"], "python -m services.clients"),
    (["plans", "migrate"], "python -m services.plans migrate"),
    (["notifications", "migrate"], "python -m services.notifications migrate"),
    (["conflict-detector"], "python -m services.matching.conflicts"),
    (["python", "-m", "services.reporting", "rebuild"], "python -m services.reporting rebuild"),
])
def test_entrypoint_starts_the_named_process(tmp_path: Path, args: list[str], expected: str) -> None:
    assert run_entrypoint(tmp_path, *args) == expected


def test_entrypoint_without_arguments_prints_usage(tmp_path: Path) -> None:
    assert run_entrypoint(tmp_path).startswith("usage: clients|plans|matching|notifications|reporting")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def test_compose_runs_every_local_process_with_its_own_database(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for local in SERVICES:
        service = services[local.name]
        assert service["command"][0] == local.name
        if local.database is None:  # the gateway keeps no data: nothing to migrate
            assert "PZW_DATABASE_URL" not in service["environment"]
            assert f"127.0.0.1:{local.port}:8080" in service["ports"]
            continue
        assert service["environment"]["PZW_DATABASE_URL"].endswith(f"/{local.database}")
        if local.port is not None:
            assert f"127.0.0.1:{local.port}:8080" in service["ports"]
            assert service["depends_on"][f"{local.name}-migrate"] == {"condition": "service_completed_successfully"}
            assert services[f"{local.name}-migrate"]["command"] == [local.name, "migrate"]
    databases = (REPO / "deploy" / "compose" / "initdb" / "01-databases.sql").read_text()
    for local in SERVICES:
        assert local.database is None or f"CREATE DATABASE {local.database};" in databases


def test_compose_includes_notifications_and_the_detector(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "127.0.0.1:8004:8080" in services["notifications"]["ports"]
    assert services["conflict-detector"]["healthcheck"] == {"disable": True}  # no HTTP
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft


def test_dockerfile_runs_as_non_root_from_the_lock_file() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "USER 10001:10001" in dockerfile
    assert "/health/live" in dockerfile
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") + 1:][:5] == ["!pyproject.toml", "!uv.lock", "!libs/", "!services/",
                                                    "!deploy/docker/"]
