"""The processes the local platform runs, with their databases and ports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LocalService:
    """A process: its module, environment prefix, database name (None: keeps no data, e.g. the gateway) and HTTP
    port (None: no HTTP, e.g. a worker); `env` is what it needs besides the database and Kafka."""

    name: str
    module: str
    env_prefix: str
    database: str | None
    port: int | None
    env: tuple[tuple[str, str], ...] = ()


IDENTITY = LocalService("identity", "services.identity", "PZW_IDENTITY_", "", 8009)
"""The development OpenID Connect issuer: started first, every service accepts its tokens (no database)."""

SERVICES: tuple[LocalService, ...] = (
    LocalService("clients", "services.clients", "PZW_CLIENTS_", "pzw_clients", 8001),
    LocalService("plans", "services.plans", "PZW_PLANS_", "pzw_plans", 8002),
    LocalService("matching", "services.matching", "PZW_MATCHING_", "pzw_matching", 8003),
    LocalService("conflict-detector", "services.matching.conflicts", "PZW_MATCHING_", "pzw_matching", None),
    LocalService("notifications", "services.notifications", "PZW_NOTIFICATIONS_", "pzw_notifications", 8004),
    LocalService("reporting", "services.reporting", "PZW_REPORTING_", "pzw_reporting", 8005),
    # The web application people open; it signs people in at the development issuer (cookie without Secure).
    LocalService("gateway", "services.gateway", "PZW_GATEWAY_", None, 8080, (("PZW_GATEWAY_DEVELOPMENT", "true"),)),
)
GATEWAY = next(s for s in SERVICES if s.name == "gateway")
