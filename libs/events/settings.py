"""Typed settings every service shares; each service subclasses with its own environment prefix."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

DEVELOPMENT_ISSUER = "http://127.0.0.1:8009"


class ServiceSettings(BaseSettings):
    """Connection and runtime settings from the environment: `PZW_<SERVICE>_<NAME>`, else `PZW_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="PZW_", extra="ignore")

    database_url: str = Field(default="postgresql://postgres@127.0.0.1:5432/postgres",
                              description="asyncpg DSN of the service's own database")
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    max_body_bytes: int = Field(default=1_000_000, description="requests with a larger body get 413")
    rate_limit_per_minute: int = Field(default=1200, description="requests per user and minute in one process "
                                       "(429 beyond; 0 turns the limit off)")
    pool_size: int = 20
    run_relay: bool = Field(default=True, description="run the outbox relay in this process")
    run_projections: bool = Field(default=True, description="run this service's projections in this process")
    environment: str = Field(default="production", validation_alias="PZW_ENV",
                             description="`development` allows built-in development secrets; anything else does not")
    key_service_url: str | None = Field(default=None, description="base URL of the clients service, whose internal "
                                        "key API gives the data keys that seal and open personal fields")
    oidc_client_id: str | None = Field(default=None, description="this service's account at the issuer for calls to "
                                       "other services (client_credentials; default `pzw-<service>`)")
    oidc_client_secret: SecretStr | None = Field(default=None, description="that account's client secret")
    topic_partitions: int = 4
    topic_replication: int = Field(default=1, description="replicas of the topics this service creates (3 in "
                                   "Kubernetes, where they are also declared as KafkaTopic resources)")
    env: str = Field(default="production", description="`development` lets the issuer default to the local "
                     "development issuer (PZW_ENV)")
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL whose tokens are accepted "
                                    "(PZW_OIDC_ISSUER; required outside development)")
    oidc_audience: str = Field(default="pzw", description="the `aud` every access token must carry")
    oidc_roles_claim: str = Field(default="roles", description="dotted claim path of the roles "
                                  "(`realm_access.roles` for Keycloak)")
    oidc_institution_claim: str = Field(default="institution", description="dotted claim path of the institution")

    def issuer_url(self) -> str:
        """The configured issuer; the local development issuer in development; an error elsewhere."""
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/")
        if self.env == "development":
            return DEVELOPMENT_ISSUER
        raise RuntimeError("PZW_OIDC_ISSUER is not set: outside development (PZW_ENV=development) every service "
                           "needs the URL of the OpenID Connect issuer whose tokens it accepts")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The service's own prefix wins; the platform-wide PZW_ prefix fills in what it does not set.
        shared = EnvSettingsSource(settings_cls, env_prefix="PZW_")
        return init_settings, env_settings, shared, dotenv_settings, file_secret_settings
