"""Writing the results: `latest.json` (everything, rounds included) and `latest.md` (the table)."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.common import Row

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "ram_gib": memory, "python": platform.python_version(),
            "platform": platform.platform(), "date": datetime.now(UTC).isoformat(timespec="seconds")}


def _number(value: float, unit: str) -> str:
    if math.isnan(value):
        return "—"
    if unit == "ms":
        return f"{value:,.1f} ms"
    return f"{value:,.0f} {unit}"


def _holds(holds: bool | None) -> str:
    return "—" if holds is None else ("yes" if holds else "no")


def markdown(rows: Sequence[Row], meta: dict[str, Any], notes: Sequence[str] = ()) -> str:
    """The results table with a short header on machine, date and method."""
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {meta['nproc']} cores (nproc), {meta['ram_gib']} GiB RAM, Python {meta['python']}; "
        f"run {meta['date']}, {meta['duration_s']:.0f} s in total; 5-minute load average "
        f"{meta['load_average_5min']['before']:.1f} before, {meta['load_average_5min']['after']:.1f} after "
        "(other work on the machine shows up as noise).",
        f"Servers: local PostgreSQL and Kafka from `start_infrastructure()` ({meta['infrastructure']}), started "
        "by the run. Every figure is the median of "
        f"{meta['rounds']} rounds after a warm-up; each baseline was measured the same way in the same run on the "
        "same servers. Ratio = figure / baseline.",
        "",
        "| benchmark | figure | baseline | ratio | target | holds |",
        "| --- | ---: | --- | ---: | --- | :---: |",
    ]
    for row in rows:
        baseline = "—" if row.baseline is None else f"{_number(row.baseline, row.unit)} ({row.baseline_name})"
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}x"
        figure = _number(row.figure, row.unit)
        if "error" in row.details:
            figure = f"failed: {row.details['error']}"[:200]
        lines.append(f"| {row.benchmark} | {figure} | {baseline} | {ratio} | {row.target} | {_holds(row.holds)} |")
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def write(rows: Sequence[Row], meta: dict[str, Any], notes: Sequence[str] = (), folder: Path = RESULTS) -> None:
    """Write latest.json and latest.md into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    document = {"meta": meta, "notes": list(notes), "results": [row.as_dict() for row in rows]}
    (folder / "latest.json").write_bytes(
        orjson.dumps(document, option=orjson.OPT_INDENT_2, default=str) + b"\n")
    (folder / "latest.md").write_text(markdown(rows, meta, notes), encoding="utf-8")
