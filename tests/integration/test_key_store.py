"""The clients' data keys in PostgreSQL: made once, wrapped by the master key, destroyed for good, re-wrapped."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import asyncpg
import pytest

from libs.events.infra import Infrastructure
from libs.events.key_store import MasterKey, MasterKeyError, PostgresKeyStore
from tests.conftest import create_database

pytestmark = pytest.mark.infra


def test_the_master_key_is_required_outside_development() -> None:
    with pytest.raises(MasterKeyError, match="PZW_MASTER_KEY is not set"):
        MasterKey.from_config(None, "production")
    with pytest.raises(MasterKeyError, match="32 bytes"):
        MasterKey.from_config(base64.b64encode(b"short").decode(), "production")
    assert len(MasterKey.from_config(None, "development").secret) == 32


def test_the_clients_service_does_not_start_without_a_master_key_in_production() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("MASTER_KEY")} | {"PZW_ENV": "production"}
    done = subprocess.run([sys.executable, "-m", "services.clients", "migrate"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "clients service not started: PZW_MASTER_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


async def test_keys_are_made_once_destroyed_for_good_and_rewrapped(infra: Infrastructure) -> None:
    pool = await asyncpg.create_pool(await create_database(infra.postgres_dsn, "keys"), min_size=1, max_size=2)
    assert pool is not None
    old = MasterKey(os.urandom(32))
    try:
        keys = PostgresKeyStore(pool, old)
        await keys.migrate()
        assert await keys.fetch(["a"], create=False) == {}
        made = await keys.fetch(["a", "b"], create=True)
        assert len(made["a"] or b"") == 32
        assert made != {"a": made["b"], "b": made["a"]}
        assert await keys.fetch(["a", "b"], create=True) == made  # never made twice
        stored = await pool.fetchval("SELECT wrapped_key FROM client_keys WHERE client_id = 'a'")
        assert made["a"] not in stored  # only the wrapped form is stored

        await keys.destroy("a")
        assert await keys.fetch(["a"], create=True) == {"a": None}  # a tombstone: no new key after erasure
        assert await keys.is_erased("a")
        await keys.vacuum()

        new = PostgresKeyStore(pool, MasterKey(os.urandom(32)))
        assert await new.rewrap(old) == 1
        assert await new.fetch(["a", "b"], create=False) == {"a": None, "b": made["b"]}
        assert await new.rewrap(old) == 0
    finally:
        await pool.close()
