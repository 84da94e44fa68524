"""Start PostgreSQL and Kafka on this machine and keep them up until Ctrl-C: `python -m deploy.local.servers`.

Prints the settings to export for running services by hand (see the README). State lives in `.run/servers`.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from libs.events.infra import start_infrastructure

STATE = Path(__file__).resolve().parents[2] / ".run" / "servers"


def main() -> int:
    STATE.mkdir(parents=True, exist_ok=True)
    infra = start_infrastructure(STATE)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        print(f"export PZW_DATABASE_URL={infra.postgres_dsn}")
        print(f"export PZW_KAFKA_BOOTSTRAP={infra.kafka_bootstrap}")
        print("# PostgreSQL and Kafka are running; Ctrl-C stops them.", flush=True)
        stop.wait()
    finally:
        infra.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
