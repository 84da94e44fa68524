"""Typed settings every service shares; each service subclasses with its own environment prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Connection and runtime settings read from the environment (`PZW_<SERVICE>_*`, then `PZW_*`)."""

    model_config = SettingsConfigDict(env_prefix="PZW_", extra="ignore")

    database_url: str = Field(default="postgresql://postgres@127.0.0.1:5432/postgres",
                              description="asyncpg DSN of the service's own database")
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    max_body_bytes: int = Field(default=1_000_000, description="requests with a larger body get 413")
    pool_size: int = 20
    run_relay: bool = Field(default=True, description="run the outbox relay in this process")
    run_projections: bool = Field(default=True, description="run this service's projections in this process")
    topic_partitions: int = 4
