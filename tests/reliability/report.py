"""Run the fault scenario on servers of its own and write docs/reliability.md: `make reliability`."""

from __future__ import annotations

import asyncio
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from libs.events.infra import start_infrastructure
from tests.conftest import create_database
from tests.reliability import scenario

OUT = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"

# The fault tests other than this scenario, listed in the report.
OTHER_TESTS = (Path(__file__).with_name("other_fault_tests.md")).read_text(encoding="utf-8")


async def main() -> None:
    infra = start_infrastructure()
    try:
        if infra.kafka is None or infra.postgres is None:
            raise SystemExit("the fault scenario needs the local servers (no external or container servers)")
        databases = (await create_database(infra.postgres_dsn, "rel_clients"),
                     await create_database(infra.postgres_dsn, "rel_reporting"))
        result = await scenario.run(infra, databases, Path(tempfile.mkdtemp(prefix="pzw-reliability-")))
    finally:
        infra.stop()
    ok = result.lost == 0 and result.wrong_order == 0 and result.duplicate_effects == 0
    lines = [
        "# Reliability under faults",
        "",
        f"Produced by `make reliability` (`python -m tests.reliability.report`) on {datetime.now(UTC):%Y-%m-%d %H:%M} "
        f"UTC, {os.cpu_count()} cores, Python {platform.python_version()}; the same scenario runs in `make test` "
        "(`tests/reliability/test_faults.py`).",
        "",
        "## Scenario",
        "",
        (scenario.__doc__ or "").strip(),
        "",
        f"{result.clients:,} clients are registered and each moves {result.commands // result.clients - 1} times: "
        f"{result.commands:,} commands over HTTP, 32 clients at a time, each client's commands in order with "
        "If-Match; a command whose answer is lost to a fault is retried and, where it had been applied, recognised "
        "(409 / the record already shows it), never applied twice.",
        "",
        "## Faults injected",
        "",
        *[f"- {fault}" for fault in result.faults],
        "",
        "## Figures",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| commands accepted | {result.commands:,} |",
        f"| requests retried during faults | {result.retried:,} |",
        f"| events on Kafka for these clients | {result.events_on_kafka:,} |",
        f"| of which sent again by the relay (at least once) | {result.redelivered_on_kafka:,} |",
        f"| events lost (read model or topic) | {result.lost} |",
        f"| clients whose last change is not the one shown, or out of order on Kafka | {result.wrong_order} |",
        f"| effects applied twice (registrations in the read model beyond the clients) | "
        f"{result.duplicate_effects} |",
        f"| run time | {result.seconds} s |",
        "",
        f"**Result: {'no event lost, no duplicate effect, per-client order kept' if ok else 'FAILED'}.**",
        *(["", "Examples:", *[f"- {e}" for e in result.examples]] if result.examples else []),
        "",
        OTHER_TESTS,
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
