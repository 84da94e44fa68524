"""Settings of the clients service (environment prefix PZW_CLIENTS_, falling back to PZW_)."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings
from services.clients.application.retention import DEFAULT_RETENTION


class ClientsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_CLIENTS_", extra="ignore")

    http_port: int = 8001
    max_import_bytes: int = Field(default=200_000_000, description="import files (POST /imports/...) with a larger "
                                  "body get 413; other requests keep max_body_bytes")
    master_key: SecretStr | None = Field(default=None, description="base64 of the 32-byte master key that wraps "
                                         "the clients' data keys (PZW_MASTER_KEY); required unless PZW_ENV=development")
    previous_master_key: SecretStr | None = Field(default=None, description="the master key being rotated out "
                                                  "(PZW_PREVIOUS_MASTER_KEY), read only by `rewrap-keys`")
    retention_path: Path = Field(default=DEFAULT_RETENTION, description="retention periods per kind of data (TOML)")
    retention_interval_seconds: float = Field(default=86400.0, gt=0, description="how often the retention job runs "
                                              "inside the service")
