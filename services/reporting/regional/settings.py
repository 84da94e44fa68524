"""Settings of the regional feed (environment prefix PZW_REGIONAL_): the pseudonym key and disclosure control."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.events.secrets import secret_or_development_default

# Why a development key exists at all: `make run` and the tests must work without secrets. It is public (it is in
# this file), so pseudonyms made with it are not secret; production sets PZW_REGIONAL_PSEUDONYM_KEY(_FILE).
DEVELOPMENT_KEY = b"pzw-regional-feed-development-key-not-secret"


class RegionalSettings(BaseSettings):
    """Where the pseudonym key comes from and how the feed is published and aggregated."""

    model_config = SettingsConfigDict(env_prefix="PZW_REGIONAL_", extra="ignore")

    pseudonym_key: SecretStr | None = Field(default=None, description="platform key of the pseudonyms (HMAC)")
    pseudonym_key_file: Path | None = Field(default=None, description="file holding the key (a mounted secret)")
    min_cell: int = Field(default=5, ge=2, description="aggregate cells counting fewer people are suppressed")
    source: str = Field(default="/pzw/reporting/regional", description="CloudEvents source of the feed items")
    publish: bool = Field(default=True, description="run the publisher of the regional topics in this process")

    def key(self) -> bytes:
        """The pseudonym key: the secret, else the secret file, else (development mode only) the public key."""
        configured = None
        if self.pseudonym_key is not None:
            configured = self.pseudonym_key.get_secret_value().encode()
        elif self.pseudonym_key_file is not None:
            configured = self.pseudonym_key_file.read_bytes().strip()
        return secret_or_development_default("PZW_REGIONAL_PSEUDONYM_KEY", configured, DEVELOPMENT_KEY)
