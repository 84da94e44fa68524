"""What every benchmark shares: result rows, medians and percentiles, fresh databases, progress output."""

from __future__ import annotations

import math
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from libs.events.kafka_admin import TopicSpec, ensure_topics

_STARTED = time.monotonic()


@dataclass(frozen=True)
class Settings:
    """How much work each benchmark does; `quick` shrinks everything for a smoke run."""

    rounds: int = 3
    quick: bool = False

    def scaled(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass
class Row:
    """One line of the results table: a figure, the baseline it is compared with, and a target."""

    benchmark: str
    figure: float
    baseline: float | None
    unit: str
    baseline_name: str
    target: str
    holds: bool | None
    rounds: list[float] = field(default_factory=list)
    baseline_rounds: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0 or math.isnan(self.figure):
            return None
        return self.figure / self.baseline

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark, "figure": self.figure, "unit": self.unit, "baseline": self.baseline,
            "baseline_name": self.baseline_name, "ratio": self.ratio, "target": self.target, "holds": self.holds,
            "rounds": self.rounds, "baseline_rounds": self.baseline_rounds, "details": self.details,
        }


def failed_row(benchmark: str, error: BaseException) -> Row:
    """The row a benchmark leaves when it could not run to the end."""
    return Row(benchmark, math.nan, None, "", "", "ran to completion", False,
               details={"error": f"{type(error).__name__}: {error}"})


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], pct: float) -> float:
    """The `pct` percentile (0-100) with linear interpolation between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def progress(message: str) -> None:
    """A timestamped progress line on stderr."""
    print(f"[bench {time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def unique(prefix: str) -> str:
    """A name no earlier round used (databases, topics, consumer groups)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


async def create_database(admin_dsn: str, prefix: str) -> str:
    """Create an empty database on the server of `admin_dsn` and return its DSN."""
    name = unique(prefix)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = admin_dsn.rpartition("/")
    return f"{base}/{name}"


async def drop_database(admin_dsn: str, dsn: str) -> None:
    """Drop a database made by `create_database` (frees disk and cache for the next benchmark)."""
    name = dsn.rpartition("/")[2]
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def checkpoint(admin_dsn: str) -> None:
    """Flush dirty pages now, so that a checkpoint caused by earlier work does not land inside a measurement."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def create_topic(bootstrap: str, prefix: str, partitions: int = 4) -> str:
    """Create a fresh topic and return its name."""
    name = unique(prefix).replace("_", ".")
    await ensure_topics(bootstrap, [TopicSpec(name, partitions)])
    return name
