"""Incremental JSON readers: JSON Lines (a header line, then one client a line) and one JSON document (ijson)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import ijson
import orjson

from services.clients.importing.readers import MAX_RECORD_CHARS, Chunks, Envelope, FormatError, envelope_of
from services.clients.importing.validation import FieldError, Rejection, json_path


class NdjsonReader:
    """application/x-ndjson: the first line is the batch header, every further line one client object.

    A line that is not JSON rejects that row only: the lines around it are still whole.
    """

    format = "ndjson"

    def __init__(self, chunks: Chunks) -> None:
        self._chunks = chunks
        self._lines: AsyncIterator[bytes] | None = None
        self.peak_buffered_chars = 0

    async def open(self) -> Envelope:
        self._lines = self._split()
        async for line in self._lines:
            try:
                header = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise FormatError(f"the first line (batch header) is not JSON: {exc}", "header") from None
            if not isinstance(header, dict) or "clients" in header or "identity" in header:
                raise FormatError('the first line must be the batch header {"source", "institution_id", '
                                  '"exported_at"}, without clients', "header")
            return envelope_of(header)
        raise FormatError("the body is empty: a batch header line is required", "header")

    async def rows(self) -> AsyncIterator[tuple[int, Any]]:
        assert self._lines is not None, "open() first"
        number = 0
        async for line in self._lines:
            number += 1
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, Rejection(number, (FieldError("row", f"not valid JSON: {exc}"),))

    def field_name(self, loc: Sequence[str | int]) -> str:
        return json_path(loc)

    async def _split(self) -> AsyncIterator[bytes]:
        pending = b""
        async for chunk in self._chunks:
            data = pending + chunk
            self.peak_buffered_chars = max(self.peak_buffered_chars, len(data))
            *lines, pending = data.split(b"\n")
            if len(pending) > MAX_RECORD_CHARS:
                raise FormatError(f"a JSON line is longer than {MAX_RECORD_CHARS} bytes")
            for line in lines:
                if line.strip():
                    yield line
        if pending.strip():
            yield pending


SLICE = 16 * 1024
_CONTAINERS = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


class JsonReader:
    """application/json: {"source", "institution_id", "exported_at", "clients": [...]}, parsed incrementally.

    The header keys must come before "clients": the rows are applied as they arrive, so the header has to be
    known first.
    """

    format = "json"

    def __init__(self, chunks: Chunks) -> None:
        self._chunks = chunks
        self._events: AsyncIterator[tuple[str, str, Any]] | None = None
        self.peak_buffered_chars = 0

    async def open(self) -> Envelope:
        self._events = self._parse()
        header: dict[str, Any] = {}
        first = True
        async for prefix, event, value in self._events:
            if first and event != "start_map":
                raise FormatError("the JSON body must be an object with source, institution_id, exported_at, "
                                  "clients", "body")
            first = False
            if event == "map_key" and prefix == "":
                envelope_of({value: None})  # unknown key -> FormatError
                if value == "clients":
                    return envelope_of(header)
            elif prefix in ("source", "institution_id", "exported_at"):
                header[prefix] = value if event in ("string", "number", "null") else object()
        raise FormatError('the JSON body has no "clients" array', "clients")

    async def rows(self) -> AsyncIterator[tuple[int, Any]]:
        assert self._events is not None, "open() first"
        events = self._events
        first = await anext(events, None)
        if first is None or first[:2] != ("clients", "start_array"):
            raise FormatError('"clients" must be an array of client objects', "clients")
        number = 0
        async for prefix, event, value in events:
            if prefix == "clients" and event == "end_array":
                break
            number += 1
            if event in ("start_map", "start_array"):
                yield number, await self._build(event, value)
            else:
                yield number, value
        async for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                raise FormatError(f'"{value}" after "clients": the header keys must come before the clients',
                                  str(value))

    def field_name(self, loc: Sequence[str | int]) -> str:
        return json_path(loc)

    async def _build(self, event: str, value: Any) -> Any:
        """One client object from its events (ijson's ObjectBuilder, fed until its container closes)."""
        assert self._events is not None
        builder = ijson.ObjectBuilder()
        builder.event(event, value)
        depth = 1
        async for _, inner, inner_value in self._events:
            builder.event(inner, inner_value)
            depth += _CONTAINERS.get(inner, 0)
            if depth == 0:
                return builder.value
        raise FormatError("the JSON body ends inside a client object")

    async def _parse(self) -> AsyncIterator[tuple[str, str, Any]]:
        events = ijson.sendable_list()
        parser = ijson.parse_coro(events)
        error: Exception | None = None
        async for chunk in self._chunks:
            self.peak_buffered_chars = max(self.peak_buffered_chars, len(chunk))
            # Fed in slices: the events of one slice are held at once (about 40 per client), not of a whole chunk.
            for start in range(0, len(chunk), SLICE):
                try:
                    parser.send(chunk[start:start + SLICE])
                except ijson.JSONError as exc:
                    error = exc
                for item in events:  # what was parsed before an error still counts
                    yield item
                del events[:]
                if error is not None:
                    break
            if error is not None:
                break
        if error is None:
            try:
                parser.close()
            except ijson.JSONError as exc:
                error = exc
        for item in events:
            yield item
        if error is not None:
            raise FormatError(f"the body is not valid JSON: {str(error).splitlines()[0]}")
