"""The processes the local platform runs, with their databases and ports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LocalService:
    """A process: its module, environment prefix, database name and HTTP port (None: no HTTP, e.g. a worker)."""

    name: str
    module: str
    env_prefix: str
    database: str
    port: int | None


IDENTITY = LocalService("identity", "services.identity", "PZW_IDENTITY_", "", 8009)
"""The development OpenID Connect issuer: started first, every service accepts its tokens (no database)."""

SERVICES: tuple[LocalService, ...] = (
    LocalService("clients", "services.clients", "PZW_CLIENTS_", "pzw_clients", 8001),
    LocalService("plans", "services.plans", "PZW_PLANS_", "pzw_plans", 8002),
    LocalService("matching", "services.matching", "PZW_MATCHING_", "pzw_matching", 8003),
    LocalService("conflict-detector", "services.matching.conflicts", "PZW_MATCHING_", "pzw_matching", None),
    LocalService("notifications", "services.notifications", "PZW_NOTIFICATIONS_", "pzw_notifications", 8004),
    LocalService("reporting", "services.reporting", "PZW_REPORTING_", "pzw_reporting", 8005),
)
