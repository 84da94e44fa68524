"""Run an outbox relay as its own process (a Kubernetes Deployment, or a crash test's victim).

Usage: python -m libs.events.relay_process --database-url DSN --kafka-bootstrap HOST:PORT --source /pzw/clients
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import asyncpg

from libs.events.logging import configure_logging
from libs.events.outbox import OutboxRelay, reliable_producer
from libs.events.schemas import registry
from libs.events.tracing import configure_tracing


async def relay(database_url: str, bootstrap: str, source: str) -> None:
    """Relay until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=4)
    try:
        await OutboxRelay(pool, lambda: reliable_producer(bootstrap), registry, source=source).run(stop)
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--kafka-bootstrap", required=True)
    parser.add_argument("--source", required=True, help="CloudEvents source, e.g. /pzw/clients")
    args = parser.parse_args()
    configure_logging("outbox-relay")
    configure_tracing("outbox-relay")
    asyncio.run(relay(args.database_url, args.kafka_bootstrap, args.source))


if __name__ == "__main__":
    main()
