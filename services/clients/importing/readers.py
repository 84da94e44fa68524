"""What every batch reader offers, whichever the format: the batch header, then rows one at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

# One record (a CSV record or a JSON Lines line) above this size is refused: a runaway quote must not make the
# reader buffer the rest of the file.
MAX_RECORD_CHARS = 1_000_000

Chunks = AsyncIterator[bytes]


class FormatError(ValueError):
    """The body's structure is broken (not a bad row): answered with 422 naming what is wrong."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Envelope:
    """The batch header: JSON carries it in the body, CSV only has what the request says."""

    source: str | None = None
    institution_id: str | None = None
    exported_at: datetime | None = None


class BatchReader(Protocol):
    """Reads one import body incrementally: `open()` once, then `rows()` (row number, structured row)."""

    format: str
    peak_buffered_chars: int

    async def open(self) -> Envelope: ...

    def rows(self) -> AsyncIterator[tuple[int, Any]]: ...

    def field_name(self, loc: Sequence[str | int]) -> str: ...


def parse_exported_at(value: Any) -> datetime | None:
    """The export moment of a JSON header (ISO 8601); FormatError naming `exported_at` otherwise."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FormatError(f"exported_at {value!r} is not an ISO 8601 date-time", "exported_at") from None


def envelope_of(raw: dict[str, Any]) -> Envelope:
    """The batch header from its JSON keys (unknown keys are an error: a typo must not pass silently)."""
    unknown = sorted(set(raw) - {"source", "institution_id", "exported_at", "clients"})
    if unknown:
        raise FormatError(f"unknown keys {unknown} in the batch header (expected source, institution_id, "
                          "exported_at, clients)", "header")
    for key in ("source", "institution_id"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise FormatError(f"{key} must be a string", key)
    return Envelope(raw.get("source"), raw.get("institution_id"), parse_exported_at(raw.get("exported_at")))
