"""Settings of the gateway (environment prefix PZW_GATEWAY_, falling back to PZW_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.events.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Where the services are, how people sign in, and how long a session lives."""

    model_config = SettingsConfigDict(env_prefix="PZW_GATEWAY_", extra="ignore")

    http_port: int = 8080
    clients_url: str = "http://127.0.0.1:8001"
    plans_url: str = "http://127.0.0.1:8002"
    matching_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"
    reporting_url: str = "http://127.0.0.1:8005"
    public_url: str = Field(default="", description="the address people open (for the OIDC redirect URI); "
                            "default: taken from each request")
    development: bool = Field(default=False, description="session cookie without Secure (plain http on loopback)")
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL (PZW_OIDC_ISSUER)")
    oidc_client_id: str = "pzw-gateway"
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid profile"
    session_idle_minutes: int = Field(default=480, ge=1, description="a session unused this long ends")
    upstream_timeout_seconds: float = 30.0
    max_body_bytes: int = Field(default=1_000_000, description="requests with a larger body get 413 (imports have "
                                "max_import_bytes)")
    max_import_bytes: int = Field(default=210_000_000, description="largest import upload passed on")
    rate_limit_per_minute: int = Field(default=600, description="requests per session (else address) and minute "
                                       "in one replica; 429 beyond; 0 turns the limit off")

    def service_urls(self) -> dict[str, str]:
        """The API prefix under /api/ of each service, and its base URL."""
        return {"clients": self.clients_url, "plans": self.plans_url, "matching": self.matching_url,
                "notifications": self.notifications_url, "reporting": self.reporting_url}


class OidcEnvironment(BaseSettings):
    """The platform-wide issuer setting (PZW_OIDC_ISSUER) the services also read."""

    model_config = SettingsConfigDict(env_prefix="PZW_OIDC_", extra="ignore")

    issuer: str | None = None


def load_settings() -> GatewaySettings:
    """Settings from the environment; PZW_GATEWAY_OIDC_ISSUER, else PZW_OIDC_ISSUER."""
    settings = GatewaySettings()
    if settings.oidc_issuer is None:
        settings.oidc_issuer = OidcEnvironment().issuer
    return settings
