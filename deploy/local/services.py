"""The services the local platform runs, with their databases and ports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LocalService:
    """A service process: its module, environment prefix, database name and HTTP port."""

    name: str
    module: str
    env_prefix: str
    database: str
    port: int


SERVICES: tuple[LocalService, ...] = (
    LocalService("clients", "services.clients", "PZW_CLIENTS_", "pzw_clients", 8001),
    LocalService("plans", "services.plans", "PZW_PLANS_", "pzw_plans", 8002),
    LocalService("reporting", "services.reporting", "PZW_REPORTING_", "pzw_reporting", 8005),
)
