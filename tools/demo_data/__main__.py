"""Generate demo and test data: python -m tools.demo_data --preset pilot|large|tiny --sink http|kafka|jsonl ...

Examples:
    python -m tools.demo_data --preset pilot                      # through the APIs of a running `make run`
    python -m tools.demo_data --preset large --sink kafka --kafka-bootstrap 127.0.0.1:9092 --workers 2
    python -m tools.demo_data --preset pilot --sink jsonl --output pilot.jsonl   # look at the events
See docs/demo-data.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO

import orjson

from libs.events.settings import DEVELOPMENT_ISSUER
from tools.demo_data.dataset import DataSet
from tools.demo_data.http_sink import DEFAULT_URLS, print_report, send_over_http
from tools.demo_data.kafka_sink import write_shard
from tools.demo_data.progress import Progress
from tools.demo_data.scenario import PRESETS, Scenario
from tools.demo_data.tokens import DEFAULT_KEY_FILE, ActorTokens


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.demo_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="pilot")
    parser.add_argument("--sink", choices=("http", "kafka", "jsonl"), default=None,
                        help="default: http for tiny and pilot, kafka for large")
    parser.add_argument("--seed", type=int, help="the same seed gives the same data (default 2011)")
    parser.add_argument("--clients", type=int, help="number of clients (overrides the preset)")
    parser.add_argument("--pups", type=int, help="number of PUPs (one per powiat of the embedded TERYT table)")
    parser.add_argument("--ops", type=int, help="number of OPSs (gminas of those powiats, at least one per PUP)")
    parser.add_argument("--first-powiat", type=int, dest="powiat_offset",
                        help="skip this many powiats of the table (default 0; tiny: the last two)")
    parser.add_argument("--months", type=int, help="length of the period")
    parser.add_argument("--start", type=date.fromisoformat,
                        help="first day (default: 2026-05-04; for --sink http: today minus the period)")
    parser.add_argument("--clients-url", default=DEFAULT_URLS["clients"])
    parser.add_argument("--plans-url", default=DEFAULT_URLS["plans"])
    parser.add_argument("--matching-url", default=DEFAULT_URLS["matching"])
    parser.add_argument("--concurrency", type=int, default=8, help="clients sent at once over HTTP")
    parser.add_argument("--issuer", default=os.environ.get("PZW_OIDC_ISSUER", DEVELOPMENT_ISSUER),
                        help="the development issuer whose key signs the demo workers' tokens")
    parser.add_argument("--signing-key", type=Path, default=DEFAULT_KEY_FILE,
                        help="the development issuer's signing key (written by `make run`)")
    parser.add_argument("--kafka-bootstrap", default=os.environ.get("PZW_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--partitions", type=int, default=4, help="partitions of topics the sink creates")
    parser.add_argument("--workers", type=int, default=1, help="writer processes for --sink kafka")
    parser.add_argument("--output", default="-", help="file for --sink jsonl (default: standard output)")
    return parser.parse_args(argv)


def scenario_of(args: argparse.Namespace, sink: str) -> Scenario:
    preset = PRESETS[args.preset]
    start = args.start
    if start is None and sink == "http":
        # The services date a worker's actions today: a history sent now must end now.
        start = datetime.now(UTC).date() - timedelta(days=round((args.months or preset.months) * 30.44))
    return preset.with_options(seed=args.seed, clients=args.clients, pups=args.pups, ops=args.ops,
                               months=args.months, start=start, powiat_offset=args.powiat_offset)


def write_jsonl(dataset: DataSet, out: TextIO) -> int:
    """Every event with its envelope, one JSON object a line (for a look, or for other tools)."""
    count = 0
    for story in dataset.everything():
        for service, e in dataset.recorded(story):
            out.write(orjson.dumps({
                "service": service, "type": e.event_type, "stream_id": e.stream_id, "version": e.stream_version,
                "position": e.global_position, "occurred_at": e.occurred_at, "actor": e.metadata.actor.model_dump(),
                "data": e.payload.model_dump(mode="json")}).decode() + "\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    sink = args.sink or ("kafka" if args.preset == "large" else "http")
    scenario = scenario_of(args, sink)
    print(f"{scenario.name}: {scenario.clients:,} clients, {scenario.pups} PUP, {scenario.ops} OPS, "
          f"{scenario.start}..{scenario.end}, seed {scenario.seed}, sink {sink}", file=sys.stderr)
    if sink == "jsonl":
        with (sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")) as out:
            print(f"{write_jsonl(DataSet(scenario), out):,} events", file=sys.stderr)
        return 0
    if sink == "kafka":
        if args.workers == 1:
            write_shard(scenario, args.kafka_bootstrap, args.partitions, 0, 1)
            return 0
        jobs = [(scenario, args.kafka_bootstrap, args.partitions, n, args.workers) for n in range(args.workers)]
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            total = sum(pool.starmap(write_shard, jobs))
        print(f"{total:,} events written by {args.workers} writers", file=sys.stderr)
        return 0
    urls = {"clients": args.clients_url, "plans": args.plans_url, "matching": args.matching_url}
    tokens = ActorTokens.from_key_file(args.signing_key, args.issuer)
    report = asyncio.run(send_over_http(DataSet(scenario), urls, tokens=tokens, concurrency=args.concurrency,
                                        progress=Progress(scenario.clients)))
    print_report(report)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
