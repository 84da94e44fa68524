"""Settings of the clients service (environment prefix PZW_CLIENTS_, falling back to PZW_)."""

from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings


class ClientsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_CLIENTS_", extra="ignore")

    http_port: int = 8001
