"""Settings of the reporting service (environment prefix PZW_REPORTING_, falling back to PZW_)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_REPORTING_", extra="ignore")

    http_port: int = 8005
    norms_path: Path | None = Field(default=None, description="norms TOML (thresholds with legal basis); default: "
                                    "services/reporting/norms.toml")
    indicators_path: Path | None = Field(default=None, description="indicator definitions TOML; default: "
                                         "services/reporting/indicators/definitions.toml")
    supervisor_roles: list[str] = Field(
        default=["supervisor"],
        description="actor roles that see every worker's clients of their institution and the supervisor views")
