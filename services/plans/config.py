"""Settings of the plans service (environment prefix PZW_PLANS_, falling back to PZW_)."""

from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings


class PlansSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_PLANS_", extra="ignore")

    http_port: int = 8002
