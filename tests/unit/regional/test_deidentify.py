"""The de-identification primitives: pseudonyms, regions, months, age bands, periods, small-cell suppression."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from libs.events.schemas.regional import VOIVODESHIPS, AgeBand
from services.reporting.regional.aggregates import Cell, months_of, suppress
from services.reporting.regional.deidentify import (
    Pseudonymiser,
    age_band,
    birth_month,
    month_of,
    month_start,
    region_of,
    topic_of,
)
from services.reporting.regional.settings import DEVELOPMENT_KEY, RegionalSettings

KEY = b"unit-test-pseudonym-key-0123456789"


def test_a_pseudonym_is_stable_per_client_and_region_and_differs_between_regions() -> None:
    client = uuid.uuid4()
    pseudonyms = Pseudonymiser(KEY)
    assert pseudonyms.subject(client, "24") == Pseudonymiser(KEY).subject(client, "24")
    assert pseudonyms.subject(client, "24") != pseudonyms.subject(client, "14")
    assert pseudonyms.subject(client, "24") != pseudonyms.subject(uuid.uuid4(), "24")
    assert len(pseudonyms.subject(client, "24")) == 32
    assert str(client).replace("-", "") not in pseudonyms.subject(client, "24")


def test_a_pseudonym_depends_on_the_key() -> None:
    client = uuid.uuid4()
    assert Pseudonymiser(KEY).subject(client, "24") != Pseudonymiser(KEY + b"x").subject(client, "24")
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonymiser(b"short")


def test_the_key_comes_from_the_secret_then_the_file_then_the_development_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert RegionalSettings(pseudonym_key="k" * 20).key() == b"k" * 20
    secret = tmp_path / "key"
    secret.write_text("file-key-of-enough-length\n")
    assert RegionalSettings(pseudonym_key_file=secret).key() == b"file-key-of-enough-length"
    assert RegionalSettings().key() == DEVELOPMENT_KEY


def test_the_region_is_the_voivodeship_of_the_teryt_code() -> None:
    assert region_of("2474011") == "24"
    assert region_of("1465011") == "14"
    assert region_of("5301011") is None  # no voivodeship 53
    assert region_of(None) is None
    assert topic_of("24") == "pzw.regional.24.v1"
    assert len(VOIVODESHIPS) == 16


def test_dates_are_truncated_to_the_month() -> None:
    assert month_of(date(2026, 3, 17)) == "2026-03"
    assert month_start("2026-03") == datetime(2026, 3, 1, tzinfo=UTC)
    assert birth_month(date(1985, 6, 14)) == date(1985, 6, 1)


@pytest.mark.parametrize(("born", "day", "band"), [
    (date(2001, 6, 1), date(2026, 5, 31), AgeBand.FROM_18),  # 24 until June
    (date(2001, 6, 1), date(2026, 6, 1), AgeBand.FROM_25),
    (date(1961, 1, 1), date(2026, 3, 1), AgeBand.FROM_65),
    (date(2010, 1, 1), date(2026, 3, 1), AgeBand.UNDER_18),
    (date(1980, 12, 1), date(2026, 11, 30), AgeBand.FROM_45),
])
def test_age_bands(born: date, day: date, band: AgeBand) -> None:
    assert age_band(born, day) is band


def test_no_birth_date_no_band() -> None:
    assert age_band(None, date(2026, 1, 1)) is None


def test_periods_are_months_quarters_or_years() -> None:
    assert months_of("2026-03") == ["2026-03"]
    assert months_of("2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    assert len(months_of("2026")) == 12
    with pytest.raises(ValueError, match="period"):
        months_of("2026-13")


def _cell(value: str | None, count: int) -> Cell:
    return Cell("m", "2026-03", "kind" if value else None, value, count)


def test_small_cells_are_suppressed_and_one_more_when_a_single_one_would_follow_from_the_total() -> None:
    group = [_cell("PUP", 40), _cell("OPS", 30), _cell("CIS", 3), _cell(None, 73)]
    suppress(group, 5)
    by_value = {c.value: c for c in group}
    assert by_value["CIS"].count is None
    assert by_value["CIS"].suppressed
    assert by_value["OPS"].count is None  # secondary: the smallest visible one
    assert by_value["OPS"].suppressed
    assert by_value["PUP"].count == 40
    assert by_value[None].count == 73


def test_a_small_total_is_suppressed_too() -> None:
    group = [_cell("PUP", 2), _cell("OPS", 1), _cell(None, 3)]
    suppress(group, 5)
    assert all(c.count is None and c.suppressed for c in group)


def test_nothing_is_suppressed_when_every_cell_is_large_enough() -> None:
    group = [_cell("PUP", 5), _cell("OPS", 9), _cell(None, 14)]
    suppress(group, 5)
    assert [c.count for c in group] == [5, 9, 14]
