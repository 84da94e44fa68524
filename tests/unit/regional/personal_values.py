"""What must never reach the regional feed: every value of a field marked x-personal-data in contracts/, and every
free-text value (a string field without enum, format or pattern), read from the published JSON Schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from libs.events.schemas import registry

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
SHORTEST = 4  # shorter strings ("B", "10", "Ewa") would match by chance; PESELs, names and streets are longer


@cache
def _schema(name: str) -> dict[str, Any]:
    context, version = registry.context_of(name), registry.latest_version(name)
    loaded: dict[str, Any] = orjson.loads((CONTRACTS / context / f"{name}.v{version}.json").read_bytes())
    return loaded


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(root["$defs"][schema["$ref"].rsplit("/", 1)[-1]], root)
    return schema


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def _free_text(schema: dict[str, Any], root: dict[str, Any]) -> bool:
    options = [_resolve(s, root) for s in schema.get("anyOf", [schema])]
    return any(o.get("type") == "string" and not ({"enum", "format", "pattern", "const"} & set(o)) for o in options)


def _enumerated(schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return any("enum" in _resolve(s, root) for s in schema.get("anyOf", [schema]))


def _walk(value: Any, schema: dict[str, Any], root: dict[str, Any], personal: bool, out: set[str]) -> None:
    schema = _resolve(schema, root)
    if schema.get("x-personal-data"):
        personal = True
    if isinstance(value, dict):
        for key, item in value.items():
            prop = schema.get("properties", {}).get(key)
            if prop is None:
                for option in schema.get("anyOf", []):
                    prop = _resolve(option, root).get("properties", {}).get(key) or prop
            _walk(item, prop or {}, root, personal, out)
    elif isinstance(value, list):
        items = schema.get("items") or next((_resolve(o, root).get("items") for o in schema.get("anyOf", [])
                                             if _resolve(o, root).get("type") == "array"), {})
        for item in value:
            _walk(item, items or {}, root, personal, out)
    # Why enum values are left out: "vocational" (an education level) names no one, and the feed has its own
    # closed lists; identifying values (PESEL, names, addresses, dates, texts) are never enumerated.
    elif value is not None and not isinstance(value, bool) and not _enumerated(schema, root) and (
            personal or (isinstance(value, str) and _free_text(schema, root))):
        out.add(str(value))


def forbidden_values(payload: BaseModel) -> set[str]:
    """The personal and free-text values of an event payload that are long enough to be searched for."""
    root = _schema(registry.type_of(payload).name)
    found: set[str] = set()
    _walk(payload.model_dump(mode="json"), root, root, False, found)
    return {v for v in found if len(v) >= SHORTEST and not _first_of_month(v)}


def _first_of_month(value: str) -> bool:
    """A personal date on the 1st of a month says no more than its month, which the feed may publish (as the
    month's first day); any other day of a personal date must not appear."""
    return len(value) == 10 and value[4] == value[7] == "-" and value.endswith("-01")


def leaks(values: set[str], *texts: str) -> list[str]:
    """The values that appear in any of the texts (empty: nothing leaked)."""
    return sorted(v for v in values if any(v in t for t in texts))


def as_text(anything: Any) -> str:
    return orjson.dumps(anything, default=str).decode() if not isinstance(anything, str | bytes) else str(anything)
