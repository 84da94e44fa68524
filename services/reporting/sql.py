"""Building read-model queries: numbered placeholders, and the filters every view shares (place, region).

The subqueries of the filters use the aliases `lc` and `lr`, which no query of the read models uses itself.
"""

from __future__ import annotations

import uuid
from typing import Any


class Query:
    """A SQL statement being built: placeholders for its arguments, in order."""

    def __init__(self) -> None:
        self.args: list[Any] = []

    def arg(self, value: Any) -> str:
        """A placeholder for `value` ($1, $2, ...)."""
        self.args.append(value)
        return f"${len(self.args)}"

    def place(self, alias: str, teryt: str | None = None, gmina: str | None = None) -> list[str]:
        """The client of `alias` (a row with client_id) lives in the TERYT area (prefix) and/or the gmina."""
        if not teryt and not gmina:
            return []
        checks = [f"lc.client_id = {alias}.client_id"]
        if teryt:
            checks.append(f"lc.teryt LIKE {self.arg(teryt + '%')}")
        if gmina:
            checks.append(f"lc.gmina = {self.arg(gmina)}")
        return [f"EXISTS (SELECT 1 FROM rm_client lc WHERE {' AND '.join(checks)})"]

    def region(self, alias: str, region_id: uuid.UUID | None) -> list[str]:
        """The client of `alias` is in the clients-context region (in any of its PUP-OPS pairs)."""
        if region_id is None:
            return []
        return [f"EXISTS (SELECT 1 FROM rm_pair lr WHERE lr.client_id = {alias}.client_id AND "
                f"lr.region_id = {self.arg(region_id)})"]


def where(conditions: list[str]) -> str:
    """`AND`-joined conditions, or TRUE."""
    return " AND ".join(conditions) if conditions else "TRUE"
