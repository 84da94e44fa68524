"""Indicator values as JSON documents and CSV tables (each value next to its definition, basis and references)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from services.reporting.indicators.definitions import Definition
from services.reporting.indicators.scope import Scope
from services.reporting.indicators.service import IndicatorValue


def scope_view(scope: Scope) -> dict[str, Any]:
    """The filters of a query as the answer repeats them."""
    return {"institution_id": scope.institution_id, "teryt": scope.teryt, "gmina": scope.gmina,
            "region_id": str(scope.region_id) if scope.region_id else None, "from": scope.start.isoformat(),
            "to": scope.end.isoformat(), "as_of": scope.as_of.isoformat()}


def definition_view(d: Definition) -> dict[str, Any]:
    """A definition as published: texts, basis, the date it applies from, references and target."""
    return {"id": d.id, "version": d.version, "applies_from": d.applies_from.isoformat(), "kind": d.kind,
            "unit": d.unit, "name_pl": d.name_pl, "name_en": d.name_en, "definition_pl": d.definition_pl,
            "definition_en": d.definition_en, "legal_basis": d.legal_basis, "window_months": d.window_months,
            "forms": [f.value for f in d.forms], "rules": list(d.rules), "target": d.target,
            "references": [r.model_dump(exclude_none=True) for r in d.reference]}


def value_view(v: IndicatorValue) -> dict[str, Any]:
    """One value with its parts and the definition it was computed by."""
    d = v.definition
    return {"id": d.id, "name_pl": d.name_pl, "name_en": d.name_en, "unit": d.unit, "value": v.value,
            "numerator": v.numerator, "denominator": v.denominator, "applicable": v.applicable,
            "period": {"from": v.period[0].isoformat(), "to": v.period[1].isoformat()}, "target": d.target,
            "details": v.details, "definition": definition_view(d)}


def document(values: Sequence[IndicatorValue], scope: Scope) -> dict[str, Any]:
    """The JSON answer of one period."""
    return {"scope": scope_view(scope), "indicators": [value_view(v) for v in values]}


def series_document(values: Sequence[IndicatorValue], scope: Scope) -> dict[str, Any]:
    """The JSON answer of a monthly series: per indicator its definition and its points."""
    series: dict[str, dict[str, Any]] = {}
    for v in values:
        entry = series.setdefault(v.definition.id, {"definition": definition_view(v.definition), "points": []})
        entry["points"].append({"from": v.period[0].isoformat(), "to": v.period[1].isoformat(), "value": v.value,
                                "numerator": v.numerator, "denominator": v.denominator,
                                "applicable": v.applicable, "details": v.details})
    return {"scope": scope_view(scope), "series": list(series.values())}


_COLUMNS = ["indicator_id", "version", "applies_from", "name_en", "unit", "period_from", "period_to", "value",
            "numerator", "denominator", "applicable", "target", "reference_value", "institution_id", "teryt",
            "gmina", "region_id", "as_of", "legal_basis", "details"]


def csv_table(values: Sequence[IndicatorValue], scope: Scope) -> str:
    """One CSV row per indicator and period, with the definition's version, basis and first reference."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    where = scope_view(scope)
    for v in values:
        d = v.definition
        writer.writerow([
            d.id, d.version, d.applies_from.isoformat(), d.name_en, d.unit, v.period[0].isoformat(),
            v.period[1].isoformat(), _number(v.value), _number(v.numerator), _number(v.denominator),
            str(v.applicable).lower(), _number(d.target), _number(d.reference[0].value if d.reference else None),
            where["institution_id"] or "", where["teryt"] or "", where["gmina"] or "", where["region_id"] or "",
            where["as_of"], d.legal_basis, json.dumps(v.details, ensure_ascii=False, sort_keys=True)])
    return out.getvalue()


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
