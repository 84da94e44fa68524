"""Personal fields of event payloads, sealed with the data key of the person they are about (AES-256-GCM).

Which fields: exactly those the payload schema marks `x-personal-data` (special-category fields carry that mark
too), found recursively; a marked field is sealed whole, so the marks inside it need no separate treatment.
A sealed value takes the field's place in the payload JSON:

    {"pzw:sealed": 1, "kid": "<client id>", "ct": "<base64 of 12-byte nonce + ciphertext + tag>"}

The associated data binds a ciphertext to its key id and field path, so it cannot be moved to another person or
field. When the key is gone (the person was erased) opening leaves the field `None` and reports it.
"""

from __future__ import annotations

import base64
import functools
import os
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, TypeAdapter, ValidationError

SEALED = "pzw:sealed"
WILDCARD = "*"  # a path step meaning every element of an array

Path = tuple[str, ...]
KeyLookup = Callable[[str], bytes | None]


class KeyUnavailable(LookupError):
    """A personal field cannot be sealed: the person's key was destroyed (erased) or could not be obtained."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"the data key of client {subject} is not available (the client was erased)")
        self.subject = subject


def personal_paths(model: type[BaseModel]) -> tuple[Path, ...]:
    """Paths (property names, `*` for array elements) of the outermost fields marked `x-personal-data`."""
    return _personal_paths_cached(model)


@functools.cache
def _personal_paths_cached(model: type[BaseModel]) -> tuple[Path, ...]:
    schema = model.model_json_schema(mode="serialization")
    definitions = schema.get("$defs", {})
    found: list[Path] = []
    for path in _walk(schema, (), definitions, frozenset()):
        if path not in found:
            found.append(path)
    return tuple(found)


def _walk(node: dict[str, Any], path: Path, definitions: dict[str, Any], seen: frozenset[str]) -> Iterator[Path]:
    if node.get("x-personal-data"):
        yield path
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:  # recursive models: each definition once per branch
            yield from _walk(definitions[name], path, definitions, seen | {name})
    for prop, sub in node.get("properties", {}).items():
        yield from _walk(sub, (*path, prop), definitions, seen)
    for combinator in ("anyOf", "oneOf", "allOf"):
        for alternative in node.get(combinator, ()):
            yield from _walk(alternative, path, definitions, seen)
    items = node.get("items")
    if isinstance(items, dict):
        yield from _walk(items, (*path, WILDCARD), definitions, seen)
    for item in node.get("prefixItems", ()):
        yield from _walk(item, (*path, WILDCARD), definitions, seen)


def is_sealed(value: object) -> bool:
    return isinstance(value, dict) and SEALED in value


def seal(data: dict[str, Any], paths: tuple[Path, ...], subject: str, key: bytes) -> dict[str, Any]:
    """A copy of the payload JSON with every non-null value at `paths` sealed with `key` (key id `subject`)."""
    aead = AESGCM(key)

    def encrypt(value: Any, where: Path) -> Any:
        if value is None or is_sealed(value):
            return value
        nonce = os.urandom(12)
        ciphertext = aead.encrypt(nonce, orjson.dumps(value), _aad(subject, where))
        return {SEALED: 1, "kid": subject, "ct": base64.b64encode(nonce + ciphertext).decode()}

    for path in paths:
        data = _transform(data, path, (), encrypt)
    return data


@dataclass(frozen=True, slots=True)
class Opened:
    """A payload JSON with its sealed fields opened; `erased` lists the fields whose key was destroyed."""

    data: dict[str, Any]
    erased: tuple[Path, ...] = ()


def open_sealed(data: dict[str, Any], paths: tuple[Path, ...], keys: KeyLookup) -> Opened:
    """A copy of the payload JSON with sealed values opened; a value whose key is gone becomes `None`."""
    erased: list[Path] = []

    def decrypt(value: Any, where: Path) -> Any:
        if not is_sealed(value):
            return value  # plaintext written before sealing existed, or null
        key = keys(value["kid"])
        if key is None:
            erased.append(where)
            return None
        blob = base64.b64decode(value["ct"])
        return orjson.loads(AESGCM(key).decrypt(blob[:12], blob[12:], _aad(value["kid"], where)))

    for path in paths:
        data = _transform(data, path, (), decrypt)
    return Opened(data, tuple(erased))


def key_ids(data: dict[str, Any], paths: tuple[Path, ...]) -> set[str]:
    """The key ids of the sealed values in a payload JSON (to fetch the keys of a batch at once)."""
    found: set[str] = set()

    def collect(value: Any, where: Path) -> Any:
        if is_sealed(value):
            found.add(value["kid"])
        return value

    for path in paths:
        _transform(data, path, (), collect)
    return found


def _aad(subject: str, where: Path) -> bytes:
    return f"{subject}|{'.'.join(where)}".encode()


def _transform(node: Any, path: Path, where: Path, fn: Callable[[Any, Path], Any]) -> Any:
    """Apply `fn` to the values at `path` (concrete positions in `where`), copying only what changes."""
    if not path:
        return fn(node, where)
    step, rest = path[0], path[1:]
    if step == WILDCARD:
        if not isinstance(node, list):
            return node
        return [_transform(item, rest, (*where, str(i)), fn) for i, item in enumerate(node)]
    if not isinstance(node, dict) or step not in node:
        return node
    changed = _transform(node[step], rest, (*where, step), fn)
    if changed is node[step]:
        return node
    return {**node, step: changed}


# --- payloads whose personal fields were erased ---------------------------------------------------------------------


def build_erased(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """The payload model of an erased event: non-personal fields validated, erased fields `None`.

    Erased payloads break required-field rules on purpose (a name that no longer exists), so they are built
    without validating the erased parts; every other field is validated as usual.
    """
    built = _lenient(model, data)
    assert isinstance(built, BaseModel)
    return built


def _lenient(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(annotation)
    if origin is Annotated:
        return _lenient(get_args(annotation)[0], value)
    if origin in (Union, types.UnionType):
        arms = [a for a in get_args(annotation) if a is not type(None)]
        if len(arms) == 1:
            return _lenient(arms[0], value)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        fields: dict[str, Any] = {}
        for name, info in annotation.model_fields.items():
            for key in (info.serialization_alias, info.alias, name):
                if key is not None and key in value:
                    fields[name] = _lenient(info.annotation, value[key])
                    break
        return annotation.model_construct(**fields)
    if origin in (tuple, list) and isinstance(value, list):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if len(args) == 1:
            return origin(_lenient(args[0], item) for item in value)
    try:
        return _adapter(annotation).validate_python(value)
    except ValidationError:
        return None


@functools.lru_cache(maxsize=512)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)
