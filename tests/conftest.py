"""Fixtures shared by every test tier: real PostgreSQL and Kafka, started once per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from libs.events.infra import Infrastructure, start_infrastructure
from tests.support.identity import DevelopmentIssuer, development_issuer, stop_development_issuer

# Tests run the platform in development mode: public development defaults of the secrets are allowed (a test of
# production mode sets PZW_ENV itself). Subprocesses started by tests inherit it.
os.environ.setdefault("PZW_ENV", "development")
# Load tests send thousands of requests a minute in one worker's name; the limit itself is tested in
# tests/unit/test_hardening.py.
os.environ.setdefault("PZW_RATE_LIMIT_PER_MINUTE", "0")

# Services under test use the built-in development master key (production refuses to start without PZW_MASTER_KEY).
os.environ.setdefault("PZW_ENV", "development")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def identity_issuer() -> Iterator[DevelopmentIssuer]:
    """The development OpenID Connect issuer, served over HTTP; PZW_OIDC_ISSUER points every service at it."""
    issuer = development_issuer()
    try:
        yield issuer
    finally:
        stop_development_issuer()


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    """PostgreSQL and Kafka for the whole session (testcontainers with Docker, local processes without)."""
    servers = start_infrastructure()
    try:
        yield servers
    finally:
        servers.stop()


async def create_database(admin_dsn: str, prefix: str = "t") -> str:
    """Create an empty database and return its DSN (each test gets its own: no shared state)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = admin_dsn.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
async def database(infra: Infrastructure) -> str:
    return await create_database(infra.postgres_dsn)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pg_pool = await asyncpg.create_pool(database, min_size=1, max_size=40)
    try:
        yield pg_pool
    finally:
        await pg_pool.close()


@pytest.fixture
def topic_name() -> str:
    """A topic name no other test uses."""
    return f"test.{uuid.uuid4().hex[:10]}"
