"""Conflict rules as data: loaded from TOML, validated, versioned, with the date each applies from."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.events.schemas.conflicts import Severity

DEFAULT_RULES = Path(__file__).with_name("rules.toml")


class RuleConfig(BaseModel):
    """One rule: identity, version, texts, legal basis, severity and thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^R\d+$")
    version: int = Field(ge=1)
    applies_from: date
    severity: Severity
    title_pl: str
    title_en: str
    description_pl: str
    description_en: str
    legal_basis: str
    explanation_pl: str
    explanation_en: str
    enabled: bool = True
    trigger: str = Field(default="event", pattern=r"^(event|timer)$",
                         description="event: checked when an event arrives; timer: checked when a deadline passes")
    thresholds: dict[str, Any] = Field(default_factory=dict)

    def threshold(self, name: str) -> Any:
        try:
            return self.thresholds[name]
        except KeyError:
            raise KeyError(f"rule {self.id} v{self.version} has no threshold {name!r}") from None


class RuleSet(BaseModel):
    """The rules in force; a rule applies from its date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: tuple[RuleConfig, ...]

    def in_force(self, day: date, trigger: str | None = None) -> list[RuleConfig]:
        return [r for r in self.rule if r.enabled and r.applies_from <= day and trigger in (None, r.trigger)]

    def by_id(self, rule_id: str) -> RuleConfig:
        return next(r for r in self.rule if r.id == rule_id)


def load_rules(path: Path | str = DEFAULT_RULES) -> RuleSet:
    """Read and validate a rules file."""
    with open(path, "rb") as handle:
        return RuleSet.model_validate(tomllib.load(handle))


def parse_rules(text: str) -> RuleSet:
    """Validate rules given as TOML text (what-if runs with changed thresholds)."""
    return RuleSet.model_validate(tomllib.loads(text))
