"""Identifiers: time-ordered UUIDs (version 7) for events, and deterministic ones derived from names."""

import uuid

from uuid_utils.compat import uuid7

_NAMESPACE = uuid.UUID("6f1c2b1e-3a7d-4e7b-9a51-0c7e2f8d4b10")


def new_event_id() -> uuid.UUID:
    """A UUIDv7: unique, and sortable by creation time (index-friendly, readable order in logs)."""
    return uuid7()


def new_id() -> uuid.UUID:
    """A new time-ordered identifier for an aggregate or a stream."""
    return uuid7()


def derived_id(*parts: object) -> uuid.UUID:
    """A UUIDv5 derived from `parts`: the same inputs always give the same id (idempotent outputs)."""
    return uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts))
