"""A minimal HTTP/1.1 keep-alive client for the load generator.

General-purpose clients spend far more CPU per request than the service under test on a 2-core machine, and an
overloaded generator turns into latency that the service did not cause. This one sends pre-encoded requests over
pooled persistent connections and reads responses with a Content-Length (what uvicorn answers for JSON).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

IDLE_LIMIT = 2.0  # seconds; uvicorn closes keep-alive connections idle for 5 s


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 with a Content-Length."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used_at = time.monotonic()

    async def exchange(self, request: bytes) -> tuple[Answer, bool]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HttpError(f"not an HTTP answer: {lines[0]!r}")
        length, keep = None, True
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
        if length is None:
            raise HttpError("answer without Content-Length")
        body = await self.reader.readexactly(length)
        return Answer(int(parts[1]), body), keep

    def close(self) -> None:
        self.writer.close()


class HttpPool:
    """Persistent connections to one host; a request takes an idle connection or opens a new one."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[_Connection] = []
        self.opened = 0

    def request_bytes(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
        """Encode a request once, ahead of time (kept off the clock)."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def _take_idle(self) -> _Connection | None:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if now - conn.used_at < IDLE_LIMIT and not conn.reader.at_eof():
                return conn
            conn.close()
        return None

    async def send(self, request: bytes, within: float) -> Answer:
        """Send a pre-encoded request and return the answer; HttpError on any transport failure.

        A reused connection that the server closed meanwhile (nothing read) is retried once on a new connection.
        """
        conn = self._take_idle()
        reused = conn is not None
        try:
            if conn is None:
                conn = await self._open()
            try:
                answer, keep = await asyncio.wait_for(conn.exchange(request), within)
            except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
                if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                    raise
                conn.close()
                conn = await self._open()
                answer, keep = await asyncio.wait_for(conn.exchange(request), within)
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                ValueError) as exc:
            if conn is not None:
                conn.close()
            raise HttpError(repr(exc)) from exc
        if keep:
            conn.used_at = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        return answer

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        return _Connection(reader, writer)

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
