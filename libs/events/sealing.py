"""Sealing and opening the personal fields of whole events: the schema marks, the registry and a key ring together.

Used by the event store (append seals, reads open) and by every Kafka consumer (projections, the stream processor),
so the outbox and the topics carry ciphertext only. Keys are loaded for a whole batch at once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson
from pydantic import BaseModel

from libs.events.keyring import HttpKeySource, KeyRing
from libs.events.personal_data import KeyUnavailable, Path, key_ids, open_sealed, personal_paths, seal
from libs.events.registry import EventRegistry, UnknownEventType
from libs.events.settings import ServiceSettings

ERASURE_EVENT = "ClientErased"
_MARK = b'"pzw:sealed"'


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded payload and the dotted paths of its fields that were erased (empty when all were readable)."""

    payload: BaseModel
    erased: tuple[str, ...] = ()


class PayloadSealer:
    """Seals payloads on write and opens them on read with the data key of the client they are about."""

    def __init__(self, registry: EventRegistry, ring: KeyRing) -> None:
        self._registry = registry
        self.ring = ring

    @functools.cache  # noqa: B019 - one sealer per process, a handful of event types
    def paths(self, name: str, version: int) -> tuple[Path, ...]:
        return personal_paths(self._registry.model_of(name, version))

    async def seal(self, payloads: Sequence[BaseModel]) -> list[bytes]:
        """The stored JSON of each payload, its personal fields sealed with its client's key (made if new)."""
        plans = [(p, self.paths(*_key(self._registry, p)), _subject(p)) for p in payloads]
        subjects = {subject for _, paths, subject in plans if paths and subject}
        await self.ring.load(subjects, create=True)
        sealed: list[bytes] = []
        for payload, paths, subject in plans:
            if not paths or subject is None:
                sealed.append(self._registry.to_json(payload))
                continue
            key = self.ring.get(subject)
            if key is None:
                raise KeyUnavailable(subject)
            sealed.append(orjson.dumps(seal(payload.model_dump(mode="json"), paths, subject, key)))
        return sealed

    async def prepare(self, items: Iterable[tuple[str, int, bytes | str]]) -> None:
        """Load the keys that opening `items` (name, version, raw JSON) will need, in one call."""
        wanted: set[str] = set()
        for name, version, raw in items:
            try:
                paths = self.paths(name, version) if self._registry.knows(name) else ()
                if paths and _has_seal(raw):
                    wanted |= key_ids(orjson.loads(raw), paths)
                if name == ERASURE_EVENT:
                    self.ring.forget(str(orjson.loads(raw)["client_id"]))
            except (UnknownEventType, orjson.JSONDecodeError, KeyError, TypeError):
                continue  # a malformed message: decoding it fails later and sends it to the dead letters
        await self.ring.load(wanted)

    def open_prepared(self, name: str, version: int, raw: bytes | str) -> Decoded:
        """Decode one payload whose keys `prepare` loaded; erased fields come back `None`, listed in `erased`."""
        paths = self.paths(name, version)
        if not paths or not _has_seal(raw):
            return Decoded(self._registry.from_json(name, version, raw))
        opened = open_sealed(orjson.loads(raw), paths, self.ring.get)
        if opened.erased:
            return Decoded(self._registry.from_erased(name, version, opened.data),
                           tuple(".".join(p) for p in opened.erased))
        return Decoded(self._registry.from_json(name, version, opened.data))

    async def open(self, items: Sequence[tuple[str, int, bytes | str]]) -> list[Decoded]:
        """Decode a batch of payloads (keys loaded once for the batch)."""
        await self.prepare(items)
        return [self.open_prepared(*item) for item in items]


def remote_sealer(registry: EventRegistry, settings: ServiceSettings) -> PayloadSealer | None:
    """A sealer whose keys come from the clients service's key API (`PZW_KEY_SERVICE_URL`), or None without one."""
    if not settings.key_service_url:
        return None
    # Imported here: libs.events.auth depends on the store, which depends on this module.
    from libs.events.auth.service_token import service_account

    return PayloadSealer(registry, KeyRing(HttpKeySource(settings.key_service_url,
                                                         auth=service_account(settings))))


def _key(registry: EventRegistry, payload: BaseModel) -> tuple[str, int]:
    event_type = registry.type_of(payload)
    return event_type.name, event_type.version


def _subject(payload: BaseModel) -> str | None:
    """Whose personal data a payload carries: its client."""
    client_id = getattr(payload, "client_id", None)
    return str(client_id) if client_id is not None else None


def _has_seal(raw: bytes | str) -> bool:
    return _MARK in (raw if isinstance(raw, bytes) else raw.encode())
