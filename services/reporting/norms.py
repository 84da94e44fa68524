"""Thresholds and deadlines of the read models as versioned data (norms.toml), with the date each applies from."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

DEFAULT_NORMS = Path(__file__).with_name("norms.toml")


class Norm(BaseModel):
    """One version of a threshold or deadline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: int
    applies_from: date
    value: int | float | list[int]
    unit: str
    name_pl: str
    name_en: str
    legal_basis: str
    note: str | None = None


class Norms(BaseModel):
    """Every version of every norm; `on` picks the one in force on a day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    norm: tuple[Norm, ...]

    def on(self, norm_id: str, day: date) -> Norm:
        """The latest version of `norm_id` applying on `day` (KeyError when none applies yet)."""
        versions = [n for n in self.norm if n.id == norm_id and n.applies_from <= day]
        if not versions:
            raise KeyError(f"no version of norm {norm_id!r} applies on {day}")
        return max(versions, key=lambda n: n.version)

    def value(self, norm_id: str, day: date) -> Any:
        return self.on(norm_id, day).value


def load_norms(path: Path | str | None = None) -> Norms:
    """Read and validate a norms file (the packaged one by default)."""
    with open(path or DEFAULT_NORMS, "rb") as handle:
        return Norms.model_validate(tomllib.load(handle))
