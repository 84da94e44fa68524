"""Incremental CSV reading: bytes in chunks -> records, never more than one chunk and one record in memory."""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator, Sequence
from typing import Any

from services.clients.importing import csv_format
from services.clients.importing.readers import MAX_RECORD_CHARS, Chunks, Envelope, FormatError
from services.clients.importing.records import SourceSystem
from services.clients.importing.validation import FieldError, Rejection

DELIMITERS = (";", ",", "\t")


class CsvReader:
    """A Syriusz or POMOST CSV file: a header row, then one person per record."""

    format = "csv"

    def __init__(self, chunks: Chunks, source: SourceSystem, charset: str = "utf-8") -> None:
        try:
            codec = codecs.lookup(charset)
        except LookupError:
            raise FormatError(f"unknown charset {charset!r} (use utf-8 or windows-1250)", "content-type") from None
        # utf-8-sig drops the byte-order mark spreadsheet programs put in front of UTF-8 CSV files
        name = "utf-8-sig" if codec.name == "utf-8" else codec.name
        self._decoder = codecs.getincrementaldecoder(name)(errors="strict")
        self._charset = charset
        self._chunks = chunks
        self._source = source
        self._delimiter = ";"
        self._records: AsyncIterator[list[str]] | None = None
        self.layout: csv_format.CsvLayout | None = None
        self.peak_buffered_chars = 0

    async def open(self) -> Envelope:
        """Read and check the header row; FormatError (field "header") names missing or unknown columns."""
        self._records = self._parse()
        async for header in self._records:
            try:
                self.layout = csv_format.layout(self._source, header)
            except csv_format.HeaderError as exc:
                raise FormatError(str(exc), "header") from None
            return Envelope()
        raise FormatError("the CSV body is empty: a header row is required", "header")

    async def rows(self) -> AsyncIterator[tuple[int, Any]]:
        """(row number, structured row or Rejection) for each data record; blank lines are skipped."""
        assert self._records is not None, "open() first"
        assert self.layout is not None
        width = len(self.layout.columns)
        number = 0
        async for cells in self._records:
            number += 1
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                cells = cells[:width]  # trailing empty cells, as spreadsheets sometimes write them
            if len(cells) != width:
                yield number, Rejection(number, (FieldError("row", f"has {len(cells)} cells, the header has "
                                                                    f"{width}"),))
                continue
            try:
                yield number, csv_format.structured(self.layout, cells)
            except csv_format.CellError as exc:
                yield number, Rejection(number, (FieldError(exc.column, exc.message),))

    def field_name(self, loc: Sequence[str | int]) -> str:
        assert self.layout is not None
        return csv_format.column_of(self.layout, loc)

    async def _parse(self) -> AsyncIterator[list[str]]:
        async for lines in self._complete_records():
            try:
                records = list(csv.reader(lines, delimiter=self._delimiter))
            except csv.Error as exc:  # e.g. a bare carriage return inside an unquoted field
                raise FormatError(f"the CSV is malformed: {exc}", "body") from None
            for cells in records:
                if cells and any(cells):
                    yield cells

    async def _complete_records(self) -> AsyncIterator[list[str]]:
        """Lists of lines that end on a record boundary (a newline outside a quoted field)."""
        pending = ""  # text after the last newline of the chunks so far
        record: list[str] = []  # lines of a record whose quoted field is still open
        record_chars = 0
        in_quotes = False
        first = True
        async for chunk in self._chunks:
            text = pending + self._decode(chunk)
            self.peak_buffered_chars = max(self.peak_buffered_chars, len(text) + record_chars)
            *complete, pending = text.split("\n")
            if first and complete:
                self._delimiter = max(DELIMITERS, key=complete[0].count)  # from the header line
                first = False
            ready: list[str] = []
            for part in complete:
                line = part + "\n"
                if '"' in line:  # most lines have no quote: no need to walk them
                    in_quotes = ends_quoted(line, in_quotes, self._delimiter)
                record.append(line)
                record_chars += len(line)
                if not in_quotes:
                    ready.extend(record)
                    record, record_chars = [], 0
            if record_chars + len(pending) > MAX_RECORD_CHARS:
                raise FormatError(f"a CSV record is longer than {MAX_RECORD_CHARS} characters (a quote left open?)")
            if ready:
                yield ready
        tail = pending + self._decode(b"", final=True)
        if tail:
            if first:
                self._delimiter = max(DELIMITERS, key=tail.count)
            if '"' in tail:
                in_quotes = ends_quoted(tail, in_quotes, self._delimiter)
            record.append(tail)
        if in_quotes:
            raise FormatError("the CSV body ends inside a quoted field (a quote left open)")
        if record:
            yield record

    def _decode(self, chunk: bytes, final: bool = False) -> str:
        try:
            return self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise FormatError(f"the body is not valid {self._charset} at byte {exc.start} of a chunk; declare the "
                              "encoding, e.g. Content-Type: text/csv; charset=windows-1250", "content-type") from None


def ends_quoted(line: str, quoted: bool, delimiter: str) -> bool:
    """Whether a quoted field is still open at the end of `line`, as the csv module reads it: a quote opens a
    field only at its start, `""` inside is a quote, and a quote elsewhere is a character (so a stray quote in an
    unquoted cell does not swallow the lines after it)."""
    i, field_start = 0, not quoted
    while i < len(line):
        if quoted:
            j = line.find('"', i)
            if j < 0:
                return True
            if line.startswith('"', j + 1):
                i = j + 2
                continue
            quoted, field_start, i = False, False, j + 1
        elif field_start and line[i] == '"':
            quoted, i = True, i + 1
        else:
            j = line.find(delimiter, i)
            if j < 0:
                return False
            field_start, i = True, j + 1
    return quoted
