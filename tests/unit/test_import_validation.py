"""Validation of import rows: the normalised row, or a rejection naming the CSV column or JSON path (no I/O)."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from services.clients.importing import csv_format
from services.clients.importing.records import ClientRow, SourceSystem, row_hash, section_hashes
from services.clients.importing.validation import Rejection, validate

PESEL = "44051401359"  # born 1944-05-14


def client(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "external_id": "P-1", "identity": {"pesel": PESEL, "first_name": "Jan", "last_name": "Kowalski",
                                          "birth_date": "1944-05-14"},
        "address": {"gmina": "Bytom", "teryt": "2462011", "postal_code": "41-902", "city": "Bytom",
                    "street": "Rycerska", "building": "12"},
        "education": {"level": "vocational", "profession": "ślusarz"},
        "household": {"members": 3, "dependants": 1, "single_parent": False},
        "benefits": [{"kind": "zasiłek okresowy", "basis": "poverty", "monthly_amount": "418.00",
                      "period": {"from": "2026-11-01", "to": "2027-04-30"}}]}
    row.update(changes)
    return row


def valid(source: SourceSystem, row: Any) -> ClientRow:
    result = validate(source, 1, row)
    assert isinstance(result, ClientRow), result
    return result


def rejected(source: SourceSystem, row: Any, name: Any = None) -> Rejection:
    result = validate(source, 7, row, name) if name else validate(source, 7, row)
    assert isinstance(result, Rejection), result
    return result


def test_polish_labels_and_formats_are_normalised() -> None:
    row = valid(SourceSystem.POMOST, client(
        identity={"pesel": " 4405 1401359 ", "first_name": "JAN", "last_name": "KOWALSKI"},
        address={"gmina": "Bytom", "postal_code": "41902", "city": " Bytom ", "street": "ul. Rycerska"},
        education={"level": "Zasadnicze zawodowe"},
        benefits=[{"kind": "zasiłek okresowy", "basis": "ubóstwo", "monthly_amount": "418,5",
                   "period": {"from": "01.11.2026", "to": "30.04.2027"}}],
        incomes=[{"source": "zatrudnienie", "monthly_amount": 1200, "period": {"from": "2026-10-01"},
                  "declared_by_client": "ewidencja"}]))
    assert row.identity.birth_date == date(1944, 5, 14)  # taken from the PESEL
    assert (row.identity.first_name, row.identity.last_name) == ("Jan", "Kowalski")
    assert (row.address.postal_code, row.address.city, row.address.street) == ("41-902", "Bytom", "Rycerska")
    assert row.education is not None
    assert row.education.level.value == "vocational"
    assert row.benefits is not None
    assert row.benefits[0].monthly_amount == Decimal("418.50")
    assert str(row.benefits[0].monthly_amount) == "418.50"
    assert row.benefits[0].period.to == date(2027, 4, 30)
    assert row.incomes is not None
    assert row.incomes[0].declared_by_client is False


def test_the_same_person_hashes_the_same_whatever_the_spelling() -> None:
    plain = valid(SourceSystem.POMOST, client())
    spelled = valid(SourceSystem.POMOST, client(
        identity={"pesel": PESEL, "first_name": " JAN ", "last_name": "KOWALSKI", "birth_date": "14.05.1944"},
        address={"gmina": "Bytom", "teryt": "2462 011", "postal_code": "41902", "city": "Bytom",
                 "street": "ul. Rycerska", "building": "12"},
        education={"level": "zasadnicze zawodowe", "profession": "ślusarz"},
        benefits=[{"kind": "zasiłek okresowy", "basis": "ubóstwo", "monthly_amount": "418",
                   "period": {"from": "01.11.2026", "to": "2027-04-30"}}]))
    assert row_hash(plain) == row_hash(spelled)
    assert len(row_hash(plain)) == 64
    moved = valid(SourceSystem.POMOST, client(address={**client()["address"], "building": "14"}))
    changed = {k for k, h in section_hashes(moved).items() if section_hashes(plain)[k] != h}
    assert changed == {"address"}


def test_json_rejections_name_the_path() -> None:
    rejection = rejected(SourceSystem.POMOST, client(
        identity={"pesel": "44051401358", "first_name": "Jan", "last_name": "K"},
        address={"gmina": "Bytom", "postal_code": "41-9020", "city": "Bytom"},
        benefits=[{"kind": "zasiłek", "basis": "dobrobyt", "monthly_amount": "-1",
                   "period": {"from": "2026-11-01", "to": "2026-10-01"}}]))
    assert rejection.row_number == 7
    assert rejection.external_id == "P-1"
    fields = [e.field for e in rejection.errors]
    assert fields == ["identity.pesel", "address.postal_code", "benefits[1].basis", "benefits[1].monthly_amount",
                      "benefits[1].period"]
    assert "checksum" in rejection.errors[0].message
    assert rejection.reason.startswith("identity.pesel: pesel is not valid")


def test_pesel_and_birth_date_must_agree() -> None:
    rejection = rejected(SourceSystem.POMOST, client(identity={"pesel": PESEL, "first_name": "Jan",
                                                               "last_name": "K", "birth_date": "1944-05-15"}))
    assert [(e.field, e.message) for e in rejection.errors] == [
        ("identity.birth_date", "pesel encodes birth date 1944-05-14, not 1944-05-15")]


def test_a_person_without_pesel_needs_a_document() -> None:
    no_identity = rejected(SourceSystem.POMOST, client(identity={"first_name": "Jan", "last_name": "K",
                                                                 "birth_date": "1980-01-01"}))
    assert no_identity.errors[0].message == "either pesel or document is required"
    row = valid(SourceSystem.POMOST, client(identity={"document": {"type": "paszport", "number": "ec 123456"},
                                                      "first_name": "Jan", "last_name": "K",
                                                      "birth_date": "1980-01-01"}))
    assert row.identity_key == "DOC:passport:EC123456"


def test_source_rules() -> None:
    syriusz_household = rejected(SourceSystem.SYRIUSZ, client())
    assert syriusz_household.errors[0].field == "household"
    status = {"status": "registered", "effective_on": "2026-10-01"}
    pomost_status = rejected(SourceSystem.POMOST, client(unemployment=status))
    assert "only a labour office" in pomost_status.reason
    row = valid(SourceSystem.SYRIUSZ, client(household=None, unemployment={**status, "with_benefit_right": "T"}))
    assert row.unemployment is not None
    assert row.unemployment.with_benefit_right is True
    no_reason = rejected(SourceSystem.SYRIUSZ, client(household=None, unemployment={
        "status": "wyrejestrowany", "effective_on": "2026-10-01"}))
    assert [(e.field, e.message) for e in no_reason.errors] == [("unemployment.reason",
                                                                 "a deregistration needs a reason")]
    assert rejected(SourceSystem.POMOST, ["not", "an", "object"]).errors[0].field == "row"


def test_csv_rejections_name_the_column() -> None:
    columns = ["id_syriusz", "pesel", "imie", "nazwisko", "gmina", "kod_pocztowy", "miejscowosc", "status",
               "data_rejestracji", "przyczyna_wyrejestrowania", "zasilek_kwota", "zasilek_od", "zasilek_do",
               "historia_zatrudnienia", "wyksztalcenie"]
    layout = csv_format.layout(SourceSystem.SYRIUSZ, columns)
    cells = ["S-1", "12345678901", "Jan", "K", "Bytom", "41-902", "Bytom", "wyrejestrowany", "2026-10-01", "",
             "dużo", "2026-10-01", "2026-09-01", "2015-01-01..2014-01-01~ślusarz", "magister"]
    structured = csv_format.structured(layout, cells)
    rejection = rejected(SourceSystem.SYRIUSZ, structured, lambda loc: csv_format.column_of(layout, loc))
    assert [e.field for e in rejection.errors] == ["pesel", "wyksztalcenie", "historia_zatrudnienia",
                                                   "przyczyna_wyrejestrowania", "zasilek_kwota", "zasilek_do"]
    assert rejection.errors[0].message.startswith("pesel is not valid")


def test_csv_sections_and_defaults() -> None:
    layout = csv_format.layout(SourceSystem.SYRIUSZ, ["id_syriusz", "pesel", "imie", "nazwisko", "gmina",
                                                      "kod_pocztowy", "miejscowosc", "data_rejestracji", "status",
                                                      "zasilek_kwota", "zasilek_od", "zasilek_do"])
    row = csv_format.structured(layout, ["S-1", PESEL, "Jan", "K", "Bytom", "41-902", "Bytom", "2026-10-01",
                                         "zarejestrowany", "", "", ""])
    assert row["unemployment"] == {"status": "zarejestrowany", "effective_on": "2026-10-01"}
    assert row["benefits"] == []  # the export has benefit columns: an empty one means no benefit now
    checked = valid(SourceSystem.SYRIUSZ, copy.deepcopy(row))
    assert checked.benefits == ()
    pomost = csv_format.layout(SourceSystem.POMOST, ["id_pomost", "pesel", "imie", "nazwisko", "gmina",
                                                     "kod_pocztowy", "miejscowosc", "liczba_osob", "swiadczenia"])
    row = csv_format.structured(pomost, ["P-1", PESEL, "Jan", "K", "Bytom", "41-902", "Bytom", "4",
                                         "zasiłek stały~niepełnosprawność~719,00~2026-01-01.."])
    checked = valid(SourceSystem.POMOST, row)
    assert checked.household is not None
    assert (checked.household.members, checked.household.dependants, checked.household.single_parent) == (4, 0,
                                                                                                          False)
    assert checked.benefits is not None
    assert checked.benefits[0].basis.value == "disability"
