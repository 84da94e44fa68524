"""Settings of the notifications service (environment prefix PZW_NOTIFICATIONS_, falling back to PZW_)."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings
from services.notifications.domain.rules import DEFAULT_ROUTING


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_NOTIFICATIONS_", extra="ignore")

    http_port: int = 8004
    process_name: str = Field(default="notifications", description="consumer groups are '<name>.<projection>'; "
                              "replicas share it, a second independent instance needs its own")
    routing_path: Path = Field(default=DEFAULT_ROUTING, description="TOML file with the routing rules")
    timer_interval_seconds: float = Field(default=15.0, description="how often due reminders are looked for")
    timer_batch: int = Field(default=200, description="reminders fired per transaction")
    digest_interval_seconds: float = Field(default=30.0, description="how often due digests are looked for")
    mail_interval_seconds: float = Field(default=2.0, description="how often pending e-mails are looked for")
    mail_retry_seconds: float = Field(default=30.0, description="first pause before a failed e-mail is retried; "
                                      "doubles up to mail_retry_max_seconds")
    mail_retry_max_seconds: float = 900.0
    mail_lease_seconds: float = Field(default=120.0, description="an e-mail being sent is not taken by another "
                                      "replica for this long; a crash while sending means a resend after it")
    live_poll_seconds: float = Field(default=0.1, description="how often the live stream looks for new "
                                     "notifications in the store")
    live_ping_seconds: float = Field(default=15.0, description="keep-alive comment on idle live streams")
    smtp_enabled: bool = Field(default=True, description="false: e-mails stay queued and are never sent")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "pzw-powiadomienia@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=False, description="upgrade the connection with STARTTLS")
    smtp_timeout_seconds: float = 20.0
