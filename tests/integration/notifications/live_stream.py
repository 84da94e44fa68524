"""Reading a Server-Sent Events stream over real HTTP in the background of a test."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx

from tests.support.services import eventually


class LiveStream:
    """Connects to GET /inbox/stream as a worker and keeps every event received (`event`, `id`, `data`)."""

    def __init__(self, api: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self._api, self._headers = api, headers
        self.events: list[dict[str, Any]] = []
        self.status: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LiveStream:
        self._task = asyncio.create_task(self._read())
        await eventually(self._ready, within=15)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()  # closing the connection: the server sees the client go away
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _ready(self) -> bool:
        if self._task is not None and self._task.done():
            self._task.result()
        return any(e["event"] == "ready" for e in self.events)

    async def _read(self) -> None:
        async with self._api.stream("GET", "/inbox/stream", headers=self._headers) as response:
            self.status = response.status_code
            assert response.headers["content-type"].startswith("text/event-stream")
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if not line:
                    if "event" in fields:
                        self.events.append({**fields, "data": json.loads(fields.get("data", "null"))})
                    fields = {}
                elif not line.startswith(":"):  # lines starting with ':' are keep-alive comments
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")

    def notifications(self) -> list[dict[str, Any]]:
        return [e["data"] for e in self.events if e["event"] == "notification"]

    async def wait_for(self, count: int, within: float = 30) -> list[dict[str, Any]]:
        """Wait until `count` notifications were pushed; return them."""
        async def enough() -> list[dict[str, Any]] | None:
            return self.notifications() if len(self.notifications()) >= count else None

        result: list[dict[str, Any]] = await eventually(enough, within=within)
        return result
