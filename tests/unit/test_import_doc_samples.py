"""The samples in docs/import-formats.md are valid imports: every row passes validation (no I/O but the doc)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.clients.importing.csv_reader import CsvReader
from services.clients.importing.json_reader import JsonReader, NdjsonReader
from services.clients.importing.readers import BatchReader
from services.clients.importing.records import ClientRow, SourceSystem
from services.clients.importing.validation import validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"
SAMPLES = dict(re.findall(r"<!-- sample: (\S+) -->\n```\w+\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL))


async def _body(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 100):
        yield data[start:start + 100]


def _reader(name: str, source: SourceSystem) -> BatchReader:
    data = _body(SAMPLES[name].encode())
    if name.endswith(".csv"):
        return CsvReader(data, source)
    return JsonReader(data) if name.endswith(".json") else NdjsonReader(data)


@pytest.mark.parametrize(("name", "rows"), [("syriusz.csv", 3), ("pomost.csv", 2), ("syriusz.json", 1),
                                            ("pomost.json", 1), ("pomost.ndjson", 1)])
def test_sample_is_valid(name: str, rows: int) -> None:
    source = SourceSystem(name.split(".")[0])

    async def check() -> list[object]:
        reader = _reader(name, source)
        envelope = await reader.open()
        assert envelope.source in (None, source.event_source.value)
        return [validate(source, n, raw, reader.field_name) async for n, raw in reader.rows()]

    checked = asyncio.run(check())
    assert len(checked) == rows
    assert all(isinstance(r, ClientRow) for r in checked), checked


def test_csv_and_json_samples_of_one_person_hash_alike() -> None:
    """The POMOST JSON Lines sample is the first POMOST CSV row: the same person, the same sections."""
    async def first(name: str) -> ClientRow:
        reader = _reader(name, SourceSystem.POMOST)
        await reader.open()
        async for n, raw in reader.rows():
            row = validate(SourceSystem.POMOST, n, raw, reader.field_name)
            assert isinstance(row, ClientRow)
            return row
        raise AssertionError("no row")

    from_csv, from_json = asyncio.run(first("pomost.csv")), asyncio.run(first("pomost.ndjson"))
    assert from_csv.identity.identity_key() == from_json.identity.identity_key()
    assert from_csv.address == from_json.address
    assert from_csv.household == from_json.household
    assert from_csv.benefits == from_json.benefits
