"""Indicator definitions as data: loaded from TOML, validated, versioned, with the date each applies from."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.reporting.indicators.forms import ActivationForm

DEFAULT_DEFINITIONS = Path(__file__).with_name("definitions.toml")

Kind = Literal["activation", "shared_with_plan", "duplicates_avoided", "conflicts", "median_days_to_first_step"]


class Reference(BaseModel):
    """A figure to compare with: a seed's result, a baseline or a target."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    value: float
    numerator: int | None = None
    denominator: int | None = None


class Definition(BaseModel):
    """One version of an indicator: what it counts, from when, on which basis."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: int = Field(ge=1)
    applies_from: date
    kind: Kind
    unit: Literal["share", "count", "days"]
    name_pl: str
    name_en: str
    definition_pl: str
    definition_en: str
    legal_basis: str
    window_months: int | None = Field(default=None, ge=1, le=60)
    forms: tuple[ActivationForm, ...] = ()
    rules: tuple[str, ...] = ()
    target: float | None = None
    reference: tuple[Reference, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> Definition:
        if self.kind == "activation" and (self.window_months is None or not self.forms):
            raise ValueError(f"activation indicator {self.id} needs window_months and forms")
        if self.kind == "duplicates_avoided" and not self.rules:
            raise ValueError(f"indicator {self.id} needs the rules whose conflicts it counts")
        return self


class Definitions(BaseModel):
    """Every version of every indicator; `in_force` picks the version applying on a day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator: tuple[Definition, ...]

    @property
    def ids(self) -> list[str]:
        """Indicator ids in the order of the file."""
        return list(dict.fromkeys(d.id for d in self.indicator))

    def in_force(self, indicator_id: str, on: date) -> Definition | None:
        """The latest version of `indicator_id` applying on `on` (None before its first version, or unknown)."""
        versions = [d for d in self.indicator if d.id == indicator_id and d.applies_from <= on]
        return max(versions, key=lambda d: d.version) if versions else None

    def all_in_force(self, on: date) -> list[Definition]:
        """The version in force on `on` of every indicator that applies by then."""
        return [d for d in (self.in_force(i, on) for i in self.ids) if d is not None]


def load_definitions(path: Path | str = DEFAULT_DEFINITIONS) -> Definitions:
    """Read and validate a definitions file."""
    with open(path, "rb") as handle:
        return Definitions.model_validate(tomllib.load(handle))
