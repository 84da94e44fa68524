"""Settings of the matching service and its stream processor (prefix PZW_MATCHING_, falling back to PZW_)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.events.settings import ServiceSettings
from services.matching.conflicts.ruleset import DEFAULT_RULES


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PZW_MATCHING_", extra="ignore")

    http_port: int = 8003
    rules_path: Path = Field(default=DEFAULT_RULES, description="TOML file with the conflict rules")
    timer_interval_seconds: float = Field(default=60.0, description="how often due deadlines (R6) are checked")
    flush_interval_seconds: float = Field(default=0.05, description="how often detected conflicts are committed")
    flush_size: int = Field(default=500, description="commit at once when this many conflicts wait")
    reconcile_interval_seconds: float = Field(default=600.0,
                                              description="how often all stored facts are checked again")
    stream_app_id: str = Field(default="pzw-matching-conflicts", description="Kafka consumer group of the detector")
    stream_data_dir: Path = Field(default=Path(".run/faust"), description="the stream processor's local data")
    plans_url: str = Field(default="http://127.0.0.1:8002", description="plans service, for referral steps")
