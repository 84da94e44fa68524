"""Incremental readers of CSV, JSON Lines and JSON bodies, fed in small chunks (no I/O)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.clients.importing.csv_reader import CsvReader, ends_quoted
from services.clients.importing.json_reader import JsonReader, NdjsonReader
from services.clients.importing.readers import BatchReader, Envelope, FormatError
from services.clients.importing.records import SourceSystem
from services.clients.importing.validation import Rejection

HEADER = "id_syriusz;pesel;imie;nazwisko;gmina;kod_pocztowy;miejscowosc;historia_zatrudnienia\n"


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def read(make: Callable[[AsyncIterator[bytes]], BatchReader], data: bytes,
         size: int = 7) -> tuple[Envelope, list[tuple[int, Any]]]:
    async def run() -> tuple[Envelope, list[tuple[int, Any]]]:
        reader = make(chunks(data, size))
        envelope = await reader.open()
        return envelope, [row async for row in reader.rows()]

    return asyncio.run(run())


def syriusz_csv(chunk: AsyncIterator[bytes], charset: str = "utf-8") -> CsvReader:
    return CsvReader(chunk, SourceSystem.SYRIUSZ, charset)


@pytest.mark.parametrize("size", [1, 3, 7, 64, 10_000])
def test_csv_records_survive_any_chunking(size: int) -> None:
    body = (HEADER + 'S-1;44051401359;Jan;"Nowak\n""Kowalski""";Bytom;41-902;Bytom;2015-03-01..~a\\|b~c\r\n'
            "\n" + "S-2;;Ewa;Lis;Bytom;41-902;Bytom;\n").encode()
    _, rows = read(syriusz_csv, body, size)
    assert [n for n, _ in rows] == [1, 2]
    first = rows[0][1]
    assert first["identity"] == {"pesel": "44051401359", "first_name": "Jan", "last_name": 'Nowak\n"Kowalski"'}
    assert first["work_history"] == [{"period": {"from": "2015-03-01", "to": None}, "occupation": "a|b",
                                      "employer": "c"}]
    assert "work_history" not in rows[1][1]  # an empty work history says nothing


def test_csv_header_is_compared_without_case_or_diacritics_and_delimiter_is_detected() -> None:
    body = "ID_Syriusz,PESEL,Imię,Nazwisko,Gmina,Kod pocztowy,Miejscowość\nS-1,44051401359,Jan,Nowak,X,41100,X\n"
    _, rows = read(syriusz_csv, body.encode("utf-8-sig"))
    assert rows[0][1]["address"] == {"gmina": "X", "postal_code": "41100", "city": "X"}


def test_csv_in_windows_1250() -> None:
    body = (HEADER + "S-1;44051401359;Łukasz;Wiśniewski;Łódź;90-001;Łódź;\n").encode("cp1250")
    _, rows = read(lambda c: syriusz_csv(c, "windows-1250"), body)
    assert rows[0][1]["identity"]["first_name"] == "Łukasz"
    with pytest.raises(FormatError, match="not valid utf-8"):
        read(syriusz_csv, body)


def test_csv_row_with_wrong_cell_count_is_rejected_alone() -> None:
    body = (HEADER + "S-1;x\nS-2;;Ewa;Lis;Bytom;41-902;Bytom;;;\n").encode()
    _, rows = read(syriusz_csv, body)
    assert isinstance(rows[0][1], Rejection)
    assert rows[0][1].reason == "row: has 2 cells, the header has 8"
    assert rows[1][1]["external_id"] == "S-2"  # trailing empty cells are tolerated


def test_csv_cell_errors_name_the_column() -> None:
    _, rows = read(syriusz_csv, (HEADER + "S-1;;Ewa;Lis;Bytom;41-902;Bytom;2015~a\n").encode())
    rejection = rows[0][1]
    assert isinstance(rejection, Rejection)
    assert rejection.errors[0].field == "historia_zatrudnienia"


@pytest.mark.parametrize(("header", "message"), [
    ("id_syriusz;imie;nazwisko;gmina;kod_pocztowy;miejscowosc\n", "missing columns ['pesel (or rodzaj_dokumentu"),
    ("id_syriusz;pesel;imie;nazwisko;gmina;kod_pocztowy;miejscowosc;ulica;ulica\n", "duplicated columns ['ulica']"),
    ("id_syriusz;pesel;imie;nazwisko;gmina;kod_pocztowy;miejscowosc;liczba_osob\n",
     "unknown columns ['liczba_osob'] (a syriusz file has"),
    ("", "empty"),
])
def test_csv_header_errors(header: str, message: str) -> None:
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace("[", r"\[")) as error:
        read(syriusz_csv, header.encode())
    assert error.value.field == "header"


def test_csv_unterminated_quote_is_a_structure_error() -> None:
    with pytest.raises(FormatError, match="quote left open"):
        read(syriusz_csv, (HEADER + 'S-1;;"Ewa;Lis;Bytom;41-902;Bytom;\n').encode())


def test_ndjson_header_then_rows_and_bad_lines_rejected_alone() -> None:
    body = b'{"source": "POMOST", "institution_id": "MOPS-2473", "exported_at": "2026-11-02T08:00:00Z"}\n' \
           b'{"external_id": "P-1"}\n\n{"identity": \n[1]\n'
    envelope, rows = read(NdjsonReader, body, 5)
    assert (envelope.source, envelope.institution_id, envelope.exported_at.isoformat() if envelope.exported_at
            else None) == ("POMOST", "MOPS-2473", "2026-11-02T08:00:00+00:00")
    assert rows[0] == (1, {"external_id": "P-1"})
    assert isinstance(rows[1][1], Rejection)
    assert rows[2] == (3, [1])


@pytest.mark.parametrize(("body", "field"), [
    (b'{"identity": {}}\n', "header"), (b"nonsense\n", "header"), (b'{"sourc": "POMOST"}\n', "header"),
    (b'{"exported_at": "yesterday"}\n', "exported_at"), (b"", "header")])
def test_ndjson_header_errors(body: bytes, field: str) -> None:
    with pytest.raises(FormatError) as error:
        read(NdjsonReader, body)
    assert error.value.field == field


def test_json_document_is_read_incrementally() -> None:
    body = (b'{"source": "POMOST", "institution_id": "MOPS-2473", "clients": [{"external_id": "P-1", '
            b'"benefits": [{"monthly_amount": 418.5}]}, "x", {"household": {"members": 3}}]}')
    envelope, rows = read(JsonReader, body, 3)
    assert envelope.source == "POMOST"
    assert [n for n, _ in rows] == [1, 2, 3]
    assert str(rows[0][1]["benefits"][0]["monthly_amount"]) == "418.5"
    assert rows[1][1] == "x"


@pytest.mark.parametrize(("body", "message"), [
    (b'[{"a": 1}]', "must be an object"),
    (b'{"source": "POMOST"}', 'no "clients" array'),
    (b'{"clients": {"a": 1}}', "must be an array"),
    (b'{"clients": [], "source": "POMOST"}', "must come before the clients"),
    (b'{"source": "POMOST", "clients": [{"a": ', "not valid JSON"),
    (b'{"source": 5, "clients": []}', "source must be a string"),
])
def test_json_structure_errors(body: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read(JsonReader, body)


@pytest.mark.parametrize(("line", "quoted", "expected"), [
    ('a;"b;c";d\n', False, False), ('a;"b\n', False, True), ('c"";d";e\n', True, False),
    ('a;Biuro "Lwów" s.c.;b\n', False, False), ('a;Biuro "Lwów;b\n', False, False), ('"x""\n', False, True),
    ('"";a\n', False, False)])
def test_quote_state_follows_the_csv_module(line: str, quoted: bool, expected: bool) -> None:
    assert ends_quoted(line, quoted, ";") is expected


def test_a_stray_quote_in_an_unquoted_cell_does_not_swallow_the_next_lines() -> None:
    body = (HEADER + 'S-1;;Ewa;Lis "Mała;Bytom;41-902;Bytom;\nS-2;;Jan;Lis;Bytom;41-902;Bytom;\n').encode()
    _, rows = read(syriusz_csv, body)
    assert [r["identity"]["last_name"] for _, r in rows] == ['Lis "Mała', "Lis"]
