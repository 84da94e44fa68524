"""Run every benchmark on servers of its own and write bench/results/latest.{json,md}: `python -m bench`."""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import (
    append,
    conflict_latency,
    end_to_end,
    import_rows,
    indicators,
    plan_commands,
    projection,
    relay,
    replay,
    report,
)
from bench.common import Row, Settings, checkpoint, failed_row, progress
from libs.events.infra import Infrastructure, start_infrastructure
from libs.events.tracing import configure_tracing

# The load generators send thousands of requests a minute in one worker's name: no per-user rate limit here.
os.environ.setdefault("PZW_RATE_LIMIT_PER_MINUTE", "0")
# The services run with the public development secrets (master key, pseudonym key) on the benchmark's servers.
os.environ.setdefault("PZW_ENV", "development")

Benchmark = Callable[[Infrastructure, Settings], Awaitable[list[Row]]]

BENCHMARKS: dict[str, tuple[str, Benchmark]] = {
    "append": ("append", lambda infra, s: append.run(infra.postgres_dsn, s)),
    "relay": ("outbox relay", lambda infra, s: relay.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
    "projection": ("projection catch-up",
                   lambda infra, s: projection.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
    "end_to_end": ("end-to-end latency",
                   lambda infra, s: end_to_end.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
    "plan_commands": ("plan commands",
                      lambda infra, s: plan_commands.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
    "conflict_latency": ("conflict latency",
                         lambda infra, s: conflict_latency.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
    "import_rows": ("import", lambda infra, s: _imports(infra, s)),
    "replay": ("replay of every read model",
               lambda infra, s: replay.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
    "indicators": ("indicator queries",
                   lambda infra, s: indicators.run(infra.postgres_dsn, infra.kafka_bootstrap, s)),
}


async def _imports(infra: Infrastructure, settings: Settings) -> list[Row]:
    figures = await import_rows.run(infra, rows=settings.scaled(50_000, 2_000))
    first, again = figures["import"], figures["reimport_unchanged"]
    parse = figures["parse_only"]["rows_per_s"]
    return [
        Row(f"import Syriusz CSV, {figures['rows']} rows (first import)", first["rows_per_s"], parse, "rows/s",
            "parse + validate only", "file never whole in memory", None, details=figures),
        Row(f"import Syriusz CSV, {figures['rows']} rows (re-import, all unchanged)", again["rows_per_s"], parse,
            "rows/s", "parse + validate only", "changes nothing", None),
    ]

NOTES = [
    "Tracing is configured as in the services (OpenTelemetry SDK tracer provider, no exporter): the relay and "
    "the runner pay for their per-batch spans; per-message relay spans exist only when traces are exported.",
    "append: single-event appends are one implicit transaction each (commit with fsync on); the store also "
    "writes event_streams and the outbox row, the raw baseline only the `events` row. eventsourcing uses its "
    "default application recorder, which takes `LOCK TABLE ... IN EXCLUSIVE MODE` on every insert, so its "
    "writers are serialised by design.",
    "projection: timed from the runner's start (consumer start and group join included) until all events are "
    "applied; the rate after the first batch is in latest.json.",
    "end-to-end: services run as subprocesses; visibility is read straight from the reporting service's "
    f"PostgreSQL table rm_client (one query per ~{end_to_end.POLL_INTERVAL * 1000:.0f} ms for all awaited "
    "clients, timed when its answer arrives), not by HTTP polling; the POST baseline is timed from its "
    f"scheduled send, so time queued in the generator counts (at most {end_to_end.MAX_IN_FLIGHT} POSTs in "
    "flight). A bare Kafka consumer of pzw.clients.v1 splits the latency into 201 -> on Kafka (relay) and the "
    "rest (projection); see latest.json.",
]


async def run_all(infra: Infrastructure, settings: Settings, names: list[str]) -> list[Row]:
    rows: list[Row] = []
    for name in names:
        label, benchmark = BENCHMARKS[name]
        started = time.monotonic()
        progress(f"{label}: start (load average {os.getloadavg()[0]:.1f})")
        try:
            await checkpoint(infra.postgres_dsn)
            rows.extend(await benchmark(infra, settings))
        except Exception as exc:  # one broken benchmark must not hide the others' results
            progress(f"{label}: FAILED {exc!r}")
            rows.append(failed_row(label, exc))
        progress(f"{label}: done in {time.monotonic() - started:.0f}s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per figure (median reported)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"comma-separated subset of {list(BENCHMARKS)}")
    parser.add_argument("--output", type=Path, default=report.RESULTS, help="folder for latest.json and latest.md")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {sorted(unknown)}")
    settings = Settings(rounds=args.rounds, quick=args.quick)
    configure_tracing("bench")  # as in every service process: the relay and the runner create real spans

    started = time.monotonic()
    load_before = os.getloadavg()[1]
    progress("starting PostgreSQL and Kafka")
    infra = start_infrastructure()
    try:
        progress(f"servers up ({infra.kind}): {infra.postgres_dsn}, kafka {infra.kafka_bootstrap}")
        rows = asyncio.run(run_all(infra, settings, names))
    finally:
        infra.stop()
    meta = {**report.machine(), "rounds": settings.rounds, "quick": settings.quick, "infrastructure": infra.kind,
            "duration_s": time.monotonic() - started, "benchmarks": names,
            "load_average_5min": {"before": load_before, "after": os.getloadavg()[1]}}
    report.write(rows, meta, NOTES, args.output)
    print(report.markdown(rows, meta, NOTES))
    progress(f"results in {args.output / 'latest.md'} and latest.json")


if __name__ == "__main__":
    main()
