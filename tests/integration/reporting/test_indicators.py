"""Indicators over a known small history on real Kafka and PostgreSQL: the SQL gives the numbers computed by hand,
and the pure formulas agree with it; JSON, CSV and SVG exports; bad input."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from services.reporting.indicators import formulas
from services.reporting.indicators.definitions import load_definitions
from tests.integration.reporting import scenario
from tests.integration.reporting.conftest import Feed
from tests.integration.reporting.history import Office
from tests.support.people import worker

pytestmark = pytest.mark.infra

ANALYST = worker("ROPS-24", "analityk@rops-24", "rops_analyst", "24")


@pytest.fixture
def reporting(reporting: httpx.AsyncClient) -> httpx.AsyncClient:
    """The reporting service, called by a ROPS analyst (indicators need an access token too)."""
    reporting.headers.update(ANALYST)
    return reporting


PERIOD = {"from": scenario.START.isoformat(), "to": scenario.END.isoformat(), "as_of": scenario.AS_OF.isoformat()}


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in body["indicators"]}


async def test_indicators_of_a_known_history(reporting: httpx.AsyncClient, feed: Feed, office: Office) -> None:
    known = scenario.build(office)
    await feed(known.history)

    for institution in (office.pup, office.ops):
        answer = await reporting.get("/indicators", params={**PERIOD, "institution_id": institution})
        assert answer.status_code == 200, answer.text
        got = by_id(answer.json())
        assert {k: (got[k]["numerator"], got[k]["denominator"]) for k in got if k.startswith("activation")} == {
            "activation_6m_all": (3, 5), "activation_6m_listed": (2, 5), "activation_6m_project_target": (3, 5),
            "activation_12m_all": (4, 5)}
        assert got["activation_6m_all"]["value"] == pytest.approx(0.6)
        assert got["activation_6m_all"]["definition"]["version"] == 2  # in force on the period's last day
        assert (got["shared_with_plan"]["numerator"], got["shared_with_plan"]["denominator"]) == (5, 7)
        assert got["median_days_to_first_step"]["value"] == 76
        assert got["median_days_to_first_step"]["denominator"] == 5
        assert got["conflicts"]["details"]["detected"] == 5
        assert {k: got["conflicts"]["details"][k] for k in ("confirmed", "dismissed", "open")} == {
            "confirmed": 3, "dismissed": 1, "open": 1}
        assert got["conflicts"]["details"]["by_rule"]["R2"]["detected"] == 3
        assert got["duplicates_avoided"]["details"] == {"conflicts": 1, "steps_cancelled": 1, "rules": ["R2"]}

    cis = by_id((await reporting.get("/indicators", params={**PERIOD, "institution_id": office.cis})).json())
    assert (cis["activation_6m_all"]["numerator"], cis["activation_6m_all"]["denominator"]) == (1, 2)
    assert cis["activation_6m_listed"]["numerator"] == 0
    assert cis["activation_6m_all"]["details"]["cohort"] == "ipzs"
    assert cis["shared_with_plan"]["applicable"] is False

    # With the plan opened in October 2026 inside the period: its window is still open, and it is activated so far.
    wider = by_id((await reporting.get("/indicators", params={
        **PERIOD, "to": "2026-11-30", "institution_id": office.pup})).json())
    details = wider["activation_6m_all"]["details"]
    assert (details["entered"], details["window_closed"], details["pending"], details["activated_so_far"]) == (
        6, 5, 1, 1)


async def test_the_pure_formulas_agree_with_the_sql(reporting: httpx.AsyncClient, feed: Feed,
                                                    office: Office) -> None:
    known = scenario.build(office)
    await feed(known.history)
    definitions = load_definitions()
    got = by_id((await reporting.get("/indicators", params={**PERIOD, "institution_id": office.pup})).json())
    for indicator in ("activation_6m_all", "activation_6m_listed", "activation_6m_project_target",
                      "activation_12m_all"):
        d = definitions.in_force(indicator, scenario.END)
        assert d is not None
        expected = formulas.activation(known.entries, d.window_months or 0, d.forms, scenario.AS_OF)
        assert (got[indicator]["numerator"], got[indicator]["denominator"]) == (
            expected.activated, expected.window_closed), indicator
    shared = formulas.shared_with_plan(known.sharings, scenario.START, scenario.END)
    assert (got["shared_with_plan"]["numerator"], got["shared_with_plan"]["denominator"]) == (
        shared.numerator, shared.denominator)
    assert got["median_days_to_first_step"]["value"] == formulas.median(known.days_to_first_step)
    counts = formulas.conflict_counts(known.conflicts, scenario.START, scenario.END)
    assert got["conflicts"]["details"]["detected"] == counts["all"]["detected"]
    assert formulas.duplicates_avoided(known.conflicts, ["R2"], scenario.START, scenario.END) == (
        got["duplicates_avoided"]["details"]["conflicts"], got["duplicates_avoided"]["details"]["steps_cancelled"])


async def test_exports_series_and_chart(reporting: httpx.AsyncClient, feed: Feed, office: Office) -> None:
    await feed(scenario.build(office).history)
    params = {**PERIOD, "institution_id": office.pup}

    as_csv = await reporting.get("/indicators", params={**params, "format": "csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    listed = next(r for r in rows if r["indicator_id"] == "activation_6m_listed")
    assert (listed["numerator"], listed["denominator"], listed["value"]) == ("2", "5", "0.4")
    assert listed["reference_value"] == "0.6143"
    assert "Dz.U. 2025 poz. 620" in next(r for r in rows if r["indicator_id"] == "activation_6m_all")["legal_basis"]

    series = await reporting.get("/indicators/series", params={**params, "ids": "activation_6m_all,conflicts"})
    assert series.status_code == 200
    points = {s["definition"]["id"]: s["points"] for s in series.json()["series"]}
    assert len(points["activation_6m_all"]) == 6  # July to December
    july = points["activation_6m_all"][0]
    assert (july["from"], july["numerator"], july["denominator"]) == ("2025-07-01", 2, 3)
    assert [p["value"] for p in points["conflicts"]] == [0, 0, 2, 2, 1, 0]

    series_csv = await reporting.get("/indicators/series", params={**params, "format": "csv", "ids": "conflicts"})
    assert len(list(csv.DictReader(io.StringIO(series_csv.text)))) == 6

    svg = await reporting.get("/indicators/chart.svg", params=params)
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(svg.text)
    assert root.tag.endswith("svg")
    assert "target: 30%" in svg.text
    assert len(root.findall(".//{http://www.w3.org/2000/svg}polyline")) >= 3

    one = await reporting.get("/indicators/median_days_to_first_step", params=params)
    assert one.json()["value"] == 76
    assert one.json()["scope"]["institution_id"] == office.pup


@pytest.mark.parametrize(("path", "params", "status", "field"), [
    ("/indicators", {"from": "2026-02-01", "to": "2026-01-01"}, 422, "from"),
    ("/indicators", {"institution_id": "ROPS-24"}, 422, "institution_id"),
    ("/indicators", {"teryt": "24731"}, 422, "teryt"),
    ("/indicators", {"format": "xml"}, 422, "format"),
    ("/indicators", {"as_of": "yesterday"}, 422, "as_of"),
    ("/indicators/series", {"from": "2015-01-01", "to": "2026-01-01"}, 422, "from"),
    ("/indicators/chart.svg", {"ids": "activation_6m_all,conflicts"}, 422, "ids"),
    ("/indicators/no_such_indicator", {}, 404, None),
    ("/indicators", {"ids": "activation_6m_all,nothing"}, 404, None),
])
async def test_bad_input(reporting: httpx.AsyncClient, path: str, params: dict[str, str], status: int,
                         field: str | None) -> None:
    answer = await reporting.get(path, params=params)
    assert answer.status_code == status, answer.text
    if field:
        assert answer.json()["errors"][0]["field"] == field
