"""Export every event payload schema as JSON Schema under `contracts/` and the event catalogue under `docs/`,
or check that both are current.

Usage: python -m libs.events.contracts [write|check]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from libs.events.registry import EventRegistry

REPO = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = REPO / "contracts"
CATALOGUE = REPO / "docs" / "event-catalogue.md"

_TOPICS = {"clients": "pzw.clients.v1", "plans": "pzw.plans.v1", "matching": "pzw.matching.v1",
           "conflicts": "pzw.conflicts.v1", "notifications": "pzw.notifications.v1",
           "regional": "pzw.regional.<voivodeship>.v1"}


def rendered(registry: EventRegistry) -> dict[Path, bytes]:
    """File path (relative to contracts/) -> JSON Schema bytes, for every registered (type, version)."""
    files: dict[Path, bytes] = {}
    for event_type, model in registry:
        schema: dict[str, Any] = model.model_json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:pzw:event:{event_type.context}:{event_type.name}:v{event_type.version}",
            "x-event-type": event_type.name,
            "x-schema-version": event_type.version,
            "x-context": event_type.context,
            **schema,
        }
        path = Path(event_type.context) / f"{event_type.name}.v{event_type.version}.json"
        files[path] = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return files


def drift(registry: EventRegistry, root: Path = CONTRACTS_DIR) -> list[str]:
    """Differences between the code and the exported files (empty when they agree)."""
    expected = rendered(registry)
    problems = [f"{p}: missing or different" for p, body in expected.items()
                if not (root / p).exists() or (root / p).read_bytes() != body]
    on_disk = {p.relative_to(root) for p in root.rglob("*.json")} if root.exists() else set()
    problems += [f"{p}: no such event in the code" for p in sorted(on_disk - set(expected))]
    return problems


def write(registry: EventRegistry, root: Path = CONTRACTS_DIR) -> None:
    for stale in root.rglob("*.json") if root.exists() else []:
        stale.unlink()
    for path, body in rendered(registry).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(body)


def catalogue(registry: EventRegistry) -> str:
    """The event catalogue in markdown: every event, its topic, meaning and fields (personal data marked)."""
    lines = [
        "# Event catalogue",
        "",
        "Generated from the code by `make contracts` (a test fails when it is out of date). Each event is published",
        "on its context's topic as a CloudEvent in binary mode (see `docs/architecture.md`); its JSON Schema is",
        "`contracts/<context>/<Event>.v<version>.json`. Fields marked *personal* are personal data, *special* are",
        "special-category data (GDPR art. 9).",
    ]
    context = None
    for event_type, model in registry:
        if event_type.context != context:
            context = event_type.context
            lines += ["", f"## {context} (topic `{_TOPICS.get(context, '-')}`)"]
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        lines += ["", f"### {event_type.name} v{event_type.version}", "", doc, "",
                  "| field | type | notes |", "|---|---|---|"]
        schema = model.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            notes = [n for n, flag in (("required", name in required),
                                       ("personal", prop.get("x-personal-data")),
                                       ("special", prop.get("x-special-category"))) if flag]
            lines.append(f"| `{name}` | {_type_name(prop)} | {', '.join(notes)} |")
    return "\n".join(lines) + "\n"


def _type_name(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_name(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_name(prop.get('items', {}))}"
    return str(prop.get("format") or prop.get("type") or "object")


def main(argv: list[str]) -> int:
    from libs.events.schemas import registry

    if argv[1:2] == ["check"]:
        problems = drift(registry)
        if not CATALOGUE.exists() or CATALOGUE.read_text(encoding="utf-8") != catalogue(registry):
            problems.append(f"{CATALOGUE}: out of date")
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    write(registry)
    CATALOGUE.write_text(catalogue(registry), encoding="utf-8")
    print(f"wrote {len(rendered(registry))} schemas to {CONTRACTS_DIR} and the catalogue to {CATALOGUE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
