"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks): how to send bodies of the platform's media types."""

from __future__ import annotations

from typing import Any

import orjson
import schemathesis


@schemathesis.serializer("application/x-ndjson")
def json_lines(_: Any, value: Any) -> bytes:
    """A JSON Lines import: one document per line (a list becomes its lines)."""
    items = value if isinstance(value, list) else [value]
    return b"\n".join(orjson.dumps(item) for item in items) + b"\n"
