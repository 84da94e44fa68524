"""Deterministic identifiers: UUIDv7 made from a moment and seeded random bits (the same seed, the same ids)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime


def uuid7_at(moment: datetime, rng: random.Random) -> uuid.UUID:
    """A valid UUIDv7 for `moment` (ms precision) whose random bits come from `rng`."""
    ms = int(moment.timestamp() * 1000) & ((1 << 48) - 1)
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    return uuid.UUID(int=value)
