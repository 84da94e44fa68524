"""One API for real servers: external (env), testcontainers (Docker reachable) or local processes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from libs.events.infra.local_kafka import LocalKafka
from libs.events.infra.local_postgres import LocalPostgres


@dataclass
class Infrastructure:
    """Connection details of a running PostgreSQL and Kafka, and how to stop them."""

    postgres_dsn: str
    kafka_bootstrap: str
    kind: str
    kafka: LocalKafka | None = None
    postgres: LocalPostgres | None = None
    _stop: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        while self._stop:
            self._stop.pop()()


def docker_reachable() -> bool:
    """True when a Docker engine answers (not merely when the client is installed)."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def start_infrastructure(state_dir: Path | None = None) -> Infrastructure:
    """Start (or find) PostgreSQL and Kafka.

    `PZW_PG_DSN` and `PZW_KAFKA_BOOTSTRAP` point at servers someone else runs; otherwise testcontainers is used
    when a Docker engine answers, and local processes (deploy/local/install.sh puts them in place) when not.
    """
    dsn, bootstrap = os.environ.get("PZW_PG_DSN"), os.environ.get("PZW_KAFKA_BOOTSTRAP")
    if dsn and bootstrap:
        return Infrastructure(dsn, bootstrap, kind="external")
    if os.environ.get("PZW_INFRA", "auto") != "local" and docker_reachable():
        return _start_containers()
    return _start_local(state_dir or Path(tempfile.mkdtemp(prefix="pzw-infra-")))


def _start_local(state_dir: Path) -> Infrastructure:
    postgres = LocalPostgres(state_dir / "postgres")
    kafka = LocalKafka(state_dir / "kafka")
    infra = Infrastructure("", "", kind="local", kafka=kafka, postgres=postgres)
    try:
        infra.postgres_dsn = postgres.start()
        infra._stop.append(postgres.destroy)
        infra.kafka_bootstrap = kafka.start()
        infra._stop.append(kafka.stop)
    except BaseException:
        infra.stop()
        raise
    return infra


def _start_containers() -> Infrastructure:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    postgres = PostgresContainer("postgres:15", driver=None).start()
    kafka = KafkaContainer("confluentinc/cp-kafka:7.6.1").with_kraft().start()
    dsn = postgres.get_connection_url()
    infra = Infrastructure(dsn, kafka.get_bootstrap_server(), kind="testcontainers")
    infra._stop.extend([postgres.stop, kafka.stop])
    return infra
