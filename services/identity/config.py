"""Settings of the development issuer and its directory of demo users and clients (a TOML file)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "directory.toml"


class IdentitySettings(BaseSettings):
    """Environment `PZW_IDENTITY_<NAME>`; the mode is PZW_ENV and the audience PZW_OIDC_AUDIENCE."""

    model_config = SettingsConfigDict(env_prefix="PZW_IDENTITY_", extra="ignore")

    env: str = Field(default="production", validation_alias=AliasChoices("PZW_IDENTITY_ENV", "PZW_ENV"))
    http_host: str = "127.0.0.1"
    http_port: int = 8009
    issuer: str | None = Field(default=None, description="issuer URL; http://<host>:<port> when not set")
    audience: str = Field(default="pzw", validation_alias=AliasChoices("PZW_IDENTITY_AUDIENCE", "PZW_OIDC_AUDIENCE"))
    directory: Path = Field(default=DEFAULT_DIRECTORY, description="TOML file with the demo users and clients")
    signing_key_file: Path | None = Field(default=None, description="PEM RSA private key; generated at start "
                                          "when not set (tokens then do not survive a restart)")
    access_token_seconds: int = Field(default=900, gt=0)
    refresh_token_seconds: int = Field(default=8 * 3600, gt=0)
    code_seconds: int = Field(default=120, gt=0, description="how long an authorization code may be redeemed")

    def issuer_url(self) -> str:
        return (self.issuer or f"http://{self.http_host}:{self.http_port}").rstrip("/")


class DirectoryUser(BaseModel):
    """A demo worker who can sign in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str
    institution: str
    roles: tuple[str, ...]
    region: str | None = Field(default=None, pattern=r"^\d{2}$")
    password: str = Field(min_length=1)


class DirectoryClient(BaseModel):
    """A relying party: the gateway (authorization code), a public client (PKCE) or a service account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    secret: str | None = Field(default=None, description="none: a public client, which must use PKCE S256")
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    service_account: bool = False
    name: str | None = None
    institution: str = "platform"
    roles: tuple[str, ...] = ("service",)

    @property
    def public(self) -> bool:
        return self.secret is None


class Directory(BaseModel):
    """Everyone the development issuer knows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: tuple[DirectoryUser, ...]
    clients: tuple[DirectoryClient, ...]

    @classmethod
    def load(cls, path: Path) -> Directory:
        with path.open("rb") as file:
            return cls.model_validate(tomllib.load(file))

    def user(self, user_id: str) -> DirectoryUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    def client(self, client_id: str) -> DirectoryClient | None:
        return next((c for c in self.clients if c.id == client_id), None)
