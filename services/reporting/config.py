"""Settings of the reporting service (environment prefix PZW_REPORTING_, falling back to PZW_)."""

from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_REPORTING_", extra="ignore")

    http_port: int = 8005
