"""Run the reporting service (`python -m services.reporting`), apply its migrations and stop
(`python -m services.reporting migrate`), or rebuild its read models by replay
(`python -m services.reporting rebuild [projection ...]`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import asyncpg

from libs.events.logging import configure_logging
from libs.events.schemas import registry
from libs.events.sealing import remote_sealer
from libs.events.service_app import serve
from services.reporting.bootstrap import build_app, projections
from services.reporting.config import ReportingSettings
from services.reporting.rebuild import RebuildRefused, choose, rebuild


async def _rebuild(settings: ReportingSettings, names: list[str], force: bool) -> int:
    chosen = choose(projections(), names)
    pool = await asyncpg.create_pool(settings.database_url, min_size=2, max_size=len(chosen) + 4)
    try:
        result = await rebuild(pool, settings.kafka_bootstrap, chosen, force=force,
                               partitions=settings.topic_partitions,
                               sealer=remote_sealer(registry, settings))  # personal fields opened
    finally:
        await pool.close()
    print(f"rebuilt {', '.join(result.projections)}: {result.messages:,} messages replayed ({result.read:,} reads "
          f"by the projections), {result.applied:,} events applied, {result.dead_letters} dead letters, "
          f"{result.seconds:.1f}s ({result.rate:,.0f} messages/s)")
    return 0 if result.dead_letters == 0 else 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reporting", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the HTTP service and its projections (the default)")
    commands.add_parser("migrate", help="apply the migrations and create the topics, then stop")
    replay = commands.add_parser("rebuild", help="empty read models and replay them from the topics")
    replay.add_argument("projections", nargs="*", help=f"read models (default: all of "
                        f"{', '.join(p.name for p in projections())})")
    replay.add_argument("--force", action="store_true", help="rebuild even while the service's consumers run")
    args = parser.parse_args(argv)
    settings = ReportingSettings()
    if args.command in (None, "serve", "migrate"):
        serve(build_app(settings), settings, ["migrate"] if args.command == "migrate" else [])
        return 0
    os.environ.setdefault("PZW_LOG_LEVEL", "WARNING")  # the progress bar, not the runners' info lines
    configure_logging("reporting-rebuild")
    try:
        return asyncio.run(_rebuild(settings, args.projections, args.force))
    except RebuildRefused as refused:
        print(f"rebuild refused: {refused}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
