"""A single-node Apache Kafka (KRaft) broker run from jars resolved from Maven Central."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from libs.events.infra.ports import free_port, wait_for_port

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_LIBS = REPO_ROOT / ".cache" / "kafka" / "libs"

# Settings that let one broker come up quickly on a 2-core machine (see docs/decisions/local-infrastructure.md).
_SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs={log_dir}
num.partitions={partitions}
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
background.threads=2
log.cleaner.dedupe.buffer.size=16777216
auto.create.topics.enable=true
log.retention.hours=-1
"""

_JVM_OPTS = ["-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
             "-Djava.awt.headless=true"]


@dataclass
class LocalKafka:
    """One broker acting as controller too: `start()` formats storage, starts it and waits until it serves."""

    state_dir: Path
    libs_dir: Path = DEFAULT_LIBS
    port: int = 0
    partitions: int = 4
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> str:
        if not (self.libs_dir / ".complete").exists():
            raise RuntimeError(f"Kafka jars missing in {self.libs_dir}; run deploy/local/install.sh")
        # A log dir formatted with another cluster id refuses to start, so every start is a fresh format.
        shutil.rmtree(self.state_dir, ignore_errors=True)
        log_dir = self.state_dir / "data"
        log_dir.mkdir(parents=True)
        self.port = self.port or free_port()
        controller_port = free_port()
        properties = self.state_dir / "server.properties"
        properties.write_text(_SERVER_PROPERTIES.format(
            port=self.port, controller_port=controller_port, log_dir=log_dir, partitions=self.partitions))
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        classpath = f"{self.libs_dir}/*"
        subprocess.run(
            # `--cluster-id=` form: an id may start with "-", which would otherwise read as an option.
            ["java", *_JVM_OPTS, "-cp", classpath, "kafka.tools.StorageTool", "format",
             f"--cluster-id={cluster_id}", "-c", str(properties), "-g"],
            check=True, capture_output=True,
        )
        log = (self.state_dir / "server.log").open("wb")
        self._process = subprocess.Popen(
            ["java", *_JVM_OPTS, "-cp", classpath, "kafka.Kafka", str(properties)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_ready(timeout)
        return self.bootstrap_servers

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        log_path = self.state_dir / "server.log"
        if not wait_for_port(self.port, timeout):
            raise RuntimeError(f"Kafka did not open port {self.port}; see {log_path}")
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Kafka exited with {self._process.returncode}; see {log_path}")
            if b"Kafka Server started" in log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"Kafka not ready after {timeout}s; see {log_path}")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def kill(self) -> None:
        """Kill -9 the broker (fault injection); `restart()` brings it back on the same port and data."""
        if self._process and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def restart(self, timeout: float = 90.0) -> None:
        """Start the broker again on its existing data (after `kill()` or `stop()`)."""
        properties = self.state_dir / "server.properties"
        log = (self.state_dir / "server.log").open("ab")
        log.write(b"\n--- restart ---\n")
        self._process = subprocess.Popen(
            ["java", *_JVM_OPTS, "-cp", f"{self.libs_dir}/*", "kafka.Kafka", str(properties)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        # Only log lines written after the restart marker count.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("Kafka exited during restart")
            since_restart = (self.state_dir / "server.log").read_bytes().rsplit(b"--- restart ---", 1)[-1]
            if b"Kafka Server started" in since_restart:
                return
            time.sleep(0.2)
        raise RuntimeError("Kafka not ready after restart")

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM, then SIGKILL if the broker has not exited within `grace` seconds."""
        if not self._process or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
