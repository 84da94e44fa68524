"""Indicator exports: JSON next to its definition, CSV with basis and reference, and a well-formed SVG chart."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

from services.reporting.indicators import chart, export
from services.reporting.indicators.definitions import load_definitions
from services.reporting.indicators.scope import Scope
from services.reporting.indicators.service import IndicatorValue

SVG = "{http://www.w3.org/2000/svg}"
SCOPE = Scope(date(2026, 1, 1), date(2026, 3, 31), date(2026, 11, 30), institution_id="PUP-2473")


def values() -> list[IndicatorValue]:
    definitions = load_definitions()
    share = definitions.in_force("activation_6m_listed", SCOPE.end)
    days = definitions.in_force("median_days_to_first_step", SCOPE.end)
    assert share is not None
    assert days is not None
    return [IndicatorValue(share, (date(2026, 1, 1), date(2026, 1, 31)), 0.5, 2, 4, {"entered": 4}),
            IndicatorValue(share, (date(2026, 2, 1), date(2026, 2, 28)), None, 0, 0, {"entered": 0}),
            IndicatorValue(share, (date(2026, 3, 1), date(2026, 3, 31)), 0.25, 1, 4, {"entered": 4}),
            IndicatorValue(days, (date(2026, 1, 1), date(2026, 3, 31)), 12.5, None, 8, {"plans": 8})]


def test_json_carries_each_value_with_its_definition_basis_and_references() -> None:
    body = export.document(values(), SCOPE)
    assert body["scope"] == {"institution_id": "PUP-2473", "teryt": None, "gmina": None, "region_id": None,
                             "from": "2026-01-01", "to": "2026-03-31", "as_of": "2026-11-30"}
    first = body["indicators"][0]
    assert (first["value"], first["numerator"], first["denominator"]) == (0.5, 2, 4)
    assert first["definition"]["applies_from"] == "2011-01-01"
    assert first["definition"]["references"][0]["value"] == 0.6143
    series = export.series_document(values(), SCOPE)["series"]
    assert [len(s["points"]) for s in series] == [3, 1]


def test_csv_has_one_row_per_value_with_version_basis_and_reference() -> None:
    rows = list(csv.DictReader(io.StringIO(export.csv_table(values(), SCOPE))))
    assert len(rows) == 4
    assert (rows[0]["indicator_id"], rows[0]["value"], rows[0]["reference_value"]) == (
        "activation_6m_listed", "0.5", "0.6143")
    assert rows[1]["value"] == ""  # nothing to divide by
    assert rows[3]["numerator"] == ""
    assert "ustawa" in rows[0]["legal_basis"]


def test_the_chart_is_well_formed_svg_with_gaps_where_there_is_no_value() -> None:
    points = [(date(2026, 1, 1), 0.5), (date(2026, 2, 1), None), (date(2026, 3, 1), 0.25), (date(2026, 4, 1), 0.3)]
    drawing = chart.svg("PUP-2473 <test> & co", "share", [chart.Line("listed forms", points)],
                        [chart.Level("target: 30%", 0.3)])
    root = ET.fromstring(drawing)
    assert root.find(f"{SVG}title").text == "PUP-2473 <test> & co"  # type: ignore[union-attr]
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points", "").split()) for line in lines] == [1, 2]
    assert "target: 30%" in drawing
    assert "100 %" in drawing  # shares are drawn in percent
    empty = ET.fromstring(chart.svg("nothing", "days", [chart.Line("median", [(date(2026, 1, 1), None)])]))
    assert "no data" in ET.tostring(empty, encoding="unicode")
