"""The people offered at development sign-in (when no OpenID Connect issuer is configured)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from services.gateway.sessions import User


def load_demo_users(path: Path) -> list[User]:
    """Users of the demo users file ([[user]] with sub, name, institution, role)."""
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("user", [])
    return [User(sub=e["sub"], name=e["name"], institution=e["institution"], roles=(e["role"],)) for e in entries]
