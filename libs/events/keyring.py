"""Data keys of clients: where they come from (a KeySource) and a bounded cache in front of it (the KeyRing).

The clients service owns the keys (its PostgreSQL, see `libs.events.key_store`); every other service reaches them
through the clients service's internal key API (`HttpKeySource`). A key that was destroyed is `None`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

import httpx
from cachetools import TTLCache

from libs.events.personal_data import KeyUnavailable


class KeySource(Protocol):
    """Where data keys live; `create` makes a key for a client that has none yet (never for an erased one)."""

    async def fetch(self, subjects: Collection[str], *, create: bool) -> dict[str, bytes | None]: ...


class KeyRing:
    """A bounded, time-limited cache of data keys in front of a KeySource, loaded a batch at a time.

    Why a time limit: a service that missed a `ClientErased` (it does not read the clients topic) still stops
    using the destroyed key after `ttl` seconds. Services that do see it call `forget` at once.
    """

    def __init__(self, source: KeySource, *, maxsize: int = 100_000, ttl: float = 300.0) -> None:
        self._source = source
        self._cache: TTLCache[str, bytes | None] = TTLCache(maxsize=maxsize, ttl=ttl)

    async def load(self, subjects: Collection[str], *, create: bool = False) -> None:
        """Make sure the keys of `subjects` are cached (one call to the source for all that are missing)."""
        missing = [s for s in set(subjects) if s not in self._cache]
        if not missing:
            return
        found = await self._source.fetch(missing, create=create)
        for subject in missing:
            self._cache[subject] = found.get(subject)

    def get(self, subject: str) -> bytes | None:
        """The cached key of `subject`, `None` when it was destroyed; `load` it first."""
        try:
            return self._cache[subject]
        except KeyError:
            raise KeyUnavailable(subject) from None

    def forget(self, subject: str) -> None:
        """The client was erased: never use its key again."""
        self._cache[subject] = None


class HttpKeySource:
    """The clients service's internal key API (`POST /internal/keys`), called with this service's credentials."""

    def __init__(self, base_url: str, *, auth: httpx.Auth | None = None, timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, auth=auth, timeout=timeout)

    async def fetch(self, subjects: Collection[str], *, create: bool) -> dict[str, bytes | None]:
        found: dict[str, bytes | None] = {}
        ordered = sorted(subjects)
        for start in range(0, len(ordered), 1000):
            response = await self._client.post("/internal/keys", json={
                "client_ids": ordered[start:start + 1000], "create": create})
            response.raise_for_status()
            for subject, key in response.json()["keys"].items():
                found[subject] = bytes.fromhex(key) if key is not None else None
        return found

    async def close(self) -> None:
        await self._client.aclose()
