"""The request body of an import: its size limit, its format (by Content-Type), spooling for background runs."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from services.clients.importing.csv_reader import CsvReader
from services.clients.importing.json_reader import JsonReader, NdjsonReader
from services.clients.importing.readers import BatchReader, Chunks, FormatError
from services.clients.importing.records import SourceSystem

FILE_CHUNK = 256 * 1024
MEDIA_TYPES = {"text/csv": "csv", "application/csv": "csv", "application/json": "json",
               "application/x-ndjson": "ndjson", "application/jsonl": "ndjson", "application/jsonlines": "ndjson"}


class BodyTooLarge(Exception):
    """The body exceeds max_import_bytes (answered with 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body exceeds {limit} bytes (max_import_bytes)")
        self.limit = limit


class UnsupportedMediaType(Exception):
    """Not a format of the import (answered with 415)."""


@dataclass
class Meter:
    """Bytes received so far (shown in the report)."""

    received: int = 0


async def limited(chunks: Chunks, limit: int, meter: Meter) -> AsyncIterator[bytes]:
    """The chunks, counted; BodyTooLarge once they exceed `limit` (a body without Content-Length is checked too)."""
    async for chunk in chunks:
        meter.received += len(chunk)
        if meter.received > limit:
            raise BodyTooLarge(limit)
        if chunk:
            yield chunk


def media_type(content_type: str | None) -> tuple[str, str]:
    """(format, charset) of a Content-Type header; UnsupportedMediaType for anything else."""
    media, *params = (content_type or "").split(";")
    fmt = MEDIA_TYPES.get(media.strip().lower())
    if fmt is None:
        raise UnsupportedMediaType(f"Content-Type {content_type!r} is not an import format: use text/csv, "
                                   "application/json or application/x-ndjson")
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    if fmt != "csv" and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise FormatError(f"JSON is UTF-8 (RFC 8259), not {charset}", "content-type")
    return fmt, charset


def reader_for(fmt: str, charset: str, chunks: Chunks, source: SourceSystem) -> BatchReader:
    """The incremental reader of a format."""
    if fmt == "csv":
        return CsvReader(chunks, source, charset)
    return JsonReader(chunks) if fmt == "json" else NdjsonReader(chunks)


async def spool(chunks: Chunks) -> Path:
    """Write the body to a temporary file (a background import outlives its request); the caller deletes it."""
    handle, name = tempfile.mkstemp(prefix="pzw-import-", suffix=".upload")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                await asyncio.to_thread(out.write, chunk)
    except BaseException:
        discard(path)
        raise
    return path


def discard(path: Path) -> None:
    """Delete a spooled body (done with it, or never started)."""
    path.unlink(missing_ok=True)


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    """A spooled body, read back in chunks (never whole)."""
    source = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(source.read, FILE_CHUNK):
            yield chunk
    finally:
        source.close()
