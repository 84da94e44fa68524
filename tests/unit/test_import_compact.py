"""The compact encoding of repeated groups in one CSV cell (no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.clients.importing import compact


def test_work_history_entries() -> None:
    cell = "2015-03-01..2018-06-30~ślusarz~Huta Łabędy S.A.| 2019-01-07..~magazynier~ |"
    assert compact.work_history(cell) == [
        {"period": {"from": "2015-03-01", "to": "2018-06-30"}, "occupation": "ślusarz",
         "employer": "Huta Łabędy S.A."},
        {"period": {"from": "2019-01-07", "to": None}, "occupation": "magazynier", "employer": None}]
    assert compact.work_history("") == []


def test_escaped_separators_stay_in_values() -> None:
    assert compact.split(r"a\|b~c\~d\\|e") == [["a|b", "c~d\\"], ["e"]]


def test_benefits_and_incomes() -> None:
    assert compact.benefits("zasiłek okresowy~bezrobocie~418,00~01.11.2026..30.04.2027") == [
        {"kind": "zasiłek okresowy", "basis": "bezrobocie", "monthly_amount": "418,00",
         "period": {"from": "01.11.2026", "to": "30.04.2027"}}]
    assert compact.incomes("zatrudnienie~1200~2026-10-01..2026-10-31~oświadczenie|staż~1994,40~2026-09-01..") == [
        {"source": "zatrudnienie", "monthly_amount": "1200", "period": {"from": "2026-10-01", "to": "2026-10-31"},
         "declared_by_client": "oświadczenie"},
        {"source": "staż", "monthly_amount": "1994,40", "period": {"from": "2026-09-01", "to": None},
         "declared_by_client": None}]


@pytest.mark.parametrize(("cell", "message"), [
    ("2015-03-01~ślusarz", "entry 1: period '2015-03-01' is not FROM..TO"),
    ("2015-03-01..~a|x", "entry 2 has 1 fields, expected okres~zawód~[pracodawca]"),
    ("..2015-03-01~a", "is not FROM..TO"),
])
def test_errors_say_which_entry_and_what_is_expected(cell: str, message: str) -> None:
    with pytest.raises(compact.CompactError, match=message.replace("[", r"\[").replace("|", r"\|")):
        compact.work_history(cell)


def test_benefit_needs_all_fields() -> None:
    with pytest.raises(compact.CompactError, match="expected rodzaj~podstawa~kwota~okres"):
        compact.benefits("zasiłek okresowy~bezrobocie~418")


_values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=1).map(
    str.strip).filter(bool)


@given(st.lists(st.lists(_values, min_size=1, max_size=4), min_size=1, max_size=5))
def test_encode_then_split_gives_the_entries_back(entries: list[list[str]]) -> None:
    assert compact.split(compact.encode(entries)) == entries
