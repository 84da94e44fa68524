"""The export generator that the e2e tests and bench/import_rows.py share writes valid rows (no I/O)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

from bench.import_rows import POMOST_COLUMNS, SYRIUSZ_COLUMNS, csv_lines, pomost_client, syriusz_row
from services.clients.importing.csv_reader import CsvReader
from services.clients.importing.records import ClientRow, SourceSystem
from services.clients.importing.validation import validate


def test_generated_syriusz_rows_are_all_valid() -> None:
    rng = random.Random(3)
    data = "".join(csv_lines(syriusz_row(i, rng) for i in range(300))).encode()

    async def body() -> AsyncIterator[bytes]:
        yield data

    async def rows() -> list[ClientRow | object]:
        reader = CsvReader(body(), SourceSystem.SYRIUSZ)
        await reader.open()
        return [validate(SourceSystem.SYRIUSZ, n, raw, reader.field_name) async for n, raw in reader.rows()]

    checked = asyncio.run(rows())
    assert len(checked) == 300
    assert all(isinstance(r, ClientRow) for r in checked), [r for r in checked if not isinstance(r, ClientRow)]
    assert SYRIUSZ_COLUMNS[0] == "id_syriusz"
    assert POMOST_COLUMNS[0] == "id_pomost"


def test_generated_pomost_clients_are_valid() -> None:
    rng = random.Random(4)
    assert all(isinstance(validate(SourceSystem.POMOST, i, pomost_client(i, rng)), ClientRow) for i in range(100))
