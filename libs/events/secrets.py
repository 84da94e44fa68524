"""Secrets and the development mode: outside development, a missing secret stops the start-up.

`PZW_ENV=development` (set by `make run`, the tests and the compose file) allows the public development defaults
written in the code; any other value, or none, is production, where every secret must be configured.
"""

from __future__ import annotations

import os

import structlog

log = structlog.get_logger(__name__)

DEVELOPMENT = "development"


class SecretMissing(RuntimeError):
    """A secret is not configured outside development mode."""


def development_mode() -> bool:
    """True when PZW_ENV=development."""
    return os.environ.get("PZW_ENV", "").strip().lower() == DEVELOPMENT


def secret_or_development_default(setting: str, value: bytes | None, development_default: bytes) -> bytes:
    """`value` when configured; the public development default only in development mode; else fail clearly."""
    if value:
        return value
    if development_mode():
        log.warning("using the public development default of a secret", setting=setting)
        return development_default
    raise SecretMissing(f"{setting} is not set: outside development mode (PZW_ENV={DEVELOPMENT}) every secret must "
                        f"be configured; the development default is public")
