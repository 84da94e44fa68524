"""Event payload contracts registered by (type, version), with upcasters from old versions to the latest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=type[BaseModel])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventPayload(BaseModel):
    """Base of every event payload: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class EventType:
    """The contract name of a payload schema."""

    name: str
    version: int
    context: str


class UnknownEventType(LookupError):
    """No schema is registered for this (type, version)."""


class PayloadDecodeError(ValueError):
    """The stored or received bytes do not match the registered schema."""


class EventRegistry:
    """Maps payload classes to contract names and back; turns old payload versions into the latest on read."""

    def __init__(self) -> None:
        self._by_class: dict[type[BaseModel], EventType] = {}
        self._by_key: dict[tuple[str, int], type[BaseModel]] = {}
        self._latest: dict[str, int] = {}
        self._context: dict[str, str] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def event(self, name: str, version: int, *, context: str) -> Callable[[M], M]:
        """Class decorator registering a payload model as `name` version `version` of bounded context `context`."""

        def register(cls: M) -> M:
            key = (name, version)
            if key in self._by_key:
                raise ValueError(f"event {name} v{version} registered twice")
            self._by_key[key] = cls
            self._by_class[cls] = EventType(name, version, context)
            self._latest[name] = max(version, self._latest.get(name, 0))
            self._context[name] = context
            return cls

        return register

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator for a function turning the raw payload of `name` v`from_version` into v`from_version + 1`."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return register

    def type_of(self, payload: BaseModel) -> EventType:
        try:
            return self._by_class[type(payload)]
        except KeyError:
            raise UnknownEventType(f"{type(payload).__name__} is not a registered event payload") from None

    def latest_version(self, name: str) -> int:
        try:
            return self._latest[name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {name!r}") from None

    def context_of(self, name: str) -> str:
        """The bounded context that owns event type `name`."""
        try:
            return self._context[name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {name!r}") from None

    def knows(self, name: str) -> bool:
        return name in self._latest

    @staticmethod
    def to_json(payload: BaseModel) -> bytes:
        """The wire form of a payload (UTF-8 JSON)."""
        return orjson.dumps(payload.model_dump(mode="json"))

    def from_json(self, name: str, version: int, raw: bytes | str | dict[str, Any]) -> BaseModel:
        """Decode a payload stored or sent as `name` v`version`, upcast to the latest version."""
        latest = self.latest_version(name)
        if (name, version) not in self._by_key:
            raise UnknownEventType(f"unknown schema version {version} of {name}")
        if version == latest and isinstance(raw, bytes | str):
            try:  # the common case: parse and validate in one pass
                return self._by_key[(name, latest)].model_validate_json(raw)
            except ValidationError as exc:
                if exc.errors()[0]["type"] == "json_invalid":
                    raise PayloadDecodeError(f"{name} v{version}: payload is not JSON: {exc}") from exc
                raise PayloadDecodeError(f"{name} v{latest}: {exc}") from exc
        try:
            data = orjson.loads(raw) if isinstance(raw, bytes | str) else raw
        except orjson.JSONDecodeError as exc:
            raise PayloadDecodeError(f"{name} v{version}: payload is not JSON: {exc}") from exc
        data = self._upcast(name, version, data)
        try:
            return self._by_key[(name, latest)].model_validate(data)
        except ValidationError as exc:
            raise PayloadDecodeError(f"{name} v{latest}: {exc}") from exc

    def model_of(self, name: str, version: int) -> type[BaseModel]:
        """The payload model registered as `name` v`version`."""
        try:
            return self._by_key[(name, version)]
        except KeyError:
            raise UnknownEventType(f"unknown schema version {version} of {name}") from None

    def from_erased(self, name: str, version: int, data: dict[str, Any]) -> BaseModel:
        """Decode a payload whose personal fields were erased (they are `None`; the rest is validated)."""
        from libs.events.personal_data import build_erased

        self.model_of(name, version)
        return build_erased(self._by_key[(name, self.latest_version(name))], self._upcast(name, version, data))

    def _upcast(self, name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        latest = self.latest_version(name)
        while version < latest:
            upcast = self._upcasters.get((name, version))
            if upcast is None:
                raise UnknownEventType(f"no upcaster from {name} v{version} to v{version + 1}")
            data = upcast(data)
            version += 1
        return data

    def __iter__(self) -> Iterator[tuple[EventType, type[BaseModel]]]:
        ordered = sorted(self._by_class.items(), key=lambda kv: (kv[1].context, kv[1].name, kv[1].version))
        for cls, event_type in ordered:
            yield event_type, cls
