"""Services as real subprocesses, for tests that kill them or need one process per service."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from libs.events.infra import Infrastructure
from libs.events.infra.ports import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Process:
    """A service subprocess that can be killed and started again on the same port and database."""

    module: str
    prefix: str
    database: str
    infra: Infrastructure
    logs: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, f"PZW_{self.prefix}_DATABASE_URL": self.database,
               f"PZW_{self.prefix}_KAFKA_BOOTSTRAP": self.infra.kafka_bootstrap,
               f"PZW_{self.prefix}_HTTP_PORT": str(self.port), "PZW_LOG_LEVEL": "WARNING", **self.env}
        log = (self.logs / f"{self.module}.log").open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", self.module], env=env, cwd=REPO, stdout=log,
                                        stderr=subprocess.STDOUT)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
