"""Errors of the shared kernel that callers translate into HTTP answers or dead letters."""

from __future__ import annotations


class ConcurrencyError(Exception):
    """A stream was not at the version the writer expected (someone else wrote first)."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not at the expected version {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class StreamNotFound(LookupError):
    """No event has been stored for this stream."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(f"stream {stream_id} not found")
        self.stream_id = stream_id
