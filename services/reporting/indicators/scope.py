"""What an indicator query covers (institution, region, period, as-of day) and the SQL conditions for it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from libs.events.schemas.common import InstitutionKind, institution_kind
from services.reporting.calendar import add_months, month_start
from services.reporting.sql import Query


@dataclass(frozen=True, slots=True)
class Scope:
    """Filters of an indicator query; `start`..`end` is the period, `as_of` the day the windows are judged on."""

    start: date
    end: date
    as_of: date
    institution_id: str | None = None
    teryt: str | None = None
    gmina: str | None = None
    region_id: uuid.UUID | None = None

    @property
    def kind(self) -> InstitutionKind | None:
        return institution_kind(self.institution_id) if self.institution_id else None

    def buckets(self, monthly: bool) -> list[tuple[date, date]]:
        """The period as one bucket, or as calendar months (the first and last clipped to the period)."""
        if not monthly:
            return [(self.start, self.end)]
        result, month = [], month_start(self.start)
        while month <= self.end:
            following = add_months(month, 1)
            result.append((max(month, self.start), min(self.end, following - timedelta(days=1))))
            month = following
        return result


class IndicatorQuery(Query):
    """A query over the read models restricted to a Scope."""

    def buckets(self, buckets: list[tuple[date, date]]) -> str:
        """A FROM item `b(b_from, b_to)` of the period buckets."""
        return (f"unnest({self.arg([b[0] for b in buckets])}::date[], {self.arg([b[1] for b in buckets])}::date[])"
                " AS b(b_from, b_to)")

    def scope_place(self, scope: Scope, alias: str) -> list[str]:
        """Where the client of `alias` lives, from the place copied onto the row (projections/scope_facts.py)."""
        conditions = []
        if scope.teryt:
            conditions.append(f"{alias}.teryt LIKE {self.arg(scope.teryt + '%')}")
        if scope.gmina:
            conditions.append(f"{alias}.gmina = {self.arg(scope.gmina)}")
        return conditions

    def plan_scope(self, scope: Scope, alias: str = "p") -> list[str]:
        """Conditions selecting the joint plans (rm_plan `alias`) of the scope."""
        conditions = self.scope_place(scope, alias)
        if scope.kind is InstitutionKind.PUP:
            conditions.append(f"{alias}.pup_institution_id = {self.arg(scope.institution_id)}")
        elif scope.kind is InstitutionKind.OPS:
            conditions.append(f"{alias}.ops_institution_id = {self.arg(scope.institution_id)}")
        if scope.region_id:
            conditions.append(
                f"EXISTS (SELECT 1 FROM rm_pair lr WHERE lr.client_id = {alias}.client_id AND lr.pup_institution_id"
                f" = {alias}.pup_institution_id AND lr.ops_institution_id = {alias}.ops_institution_id AND "
                f"lr.region_id = {self.arg(scope.region_id)})")
        return conditions

    def pair_scope(self, scope: Scope, alias: str = "r") -> list[str]:
        """Conditions selecting the PUP-OPS pairs of clients (rm_pair `alias`) of the scope."""
        conditions = self.scope_place(scope, alias)
        if scope.kind is InstitutionKind.PUP:
            conditions.append(f"{alias}.pup_institution_id = {self.arg(scope.institution_id)}")
        elif scope.kind is InstitutionKind.OPS:
            conditions.append(f"{alias}.ops_institution_id = {self.arg(scope.institution_id)}")
        if scope.region_id:
            conditions.append(f"{alias}.region_id = {self.arg(scope.region_id)}")
        return conditions

    def client_scope(self, scope: Scope, alias: str) -> list[str]:
        """Conditions on a client-level row (conflicts): institution named in `institutions`, place, region."""
        conditions = [*self.scope_place(scope, alias), *self.region(alias, scope.region_id)]
        if scope.institution_id:
            conditions.append(f"{self.arg(scope.institution_id)} = ANY({alias}.institutions)")
        return conditions
