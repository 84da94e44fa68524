"""Export every event payload schema as JSON Schema under `contracts/`, or check the files are current.

Usage: python -m libs.events.contracts [write|check]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from libs.events.registry import EventRegistry

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"


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


def main(argv: list[str]) -> int:
    from libs.events.schemas import registry

    if argv[1:2] == ["check"]:
        problems = drift(registry)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    write(registry)
    print(f"wrote {len(rendered(registry))} schemas to {CONTRACTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
