"""Real PostgreSQL and Kafka servers for local runs and tests: local processes or testcontainers, one API."""

from libs.events.infra.provider import Infrastructure, start_infrastructure

__all__ = ["Infrastructure", "start_infrastructure"]
