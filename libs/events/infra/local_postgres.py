"""A PostgreSQL cluster in a local folder, run from the Debian package's binaries on a free port."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from libs.events.infra.ports import free_port


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found; run deploy/local/install.sh")
    return Path(candidates[-1]).parent


def _as_server_user(cmd: list[str]) -> list[str]:
    # The server refuses to run as root: run it as the Debian package's `postgres` user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class LocalPostgres:
    """One cluster: `start()` creates it if needed and returns a DSN, `stop()` shuts it down."""

    data_dir: Path
    port: int = 0

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        bindir = _bin_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            _make_traversable(self.data_dir)
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                _as_server_user([str(bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                check=True, capture_output=True,
            )
        self.port = self.port or free_port()
        options = (f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                   "-c shared_buffers=256MB -c max_wal_size=2GB -c fsync=on")
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
                             "-l", str(self.data_dir / "server.log"), "-w", "-t", "60", "start"]),
            check=True, capture_output=True,
        )
        return self.dsn

    def crash_restart(self) -> None:
        """Stop without a clean shutdown (as after a crash: recovery from the WAL on start) and start again."""
        subprocess.run(
            _as_server_user([str(_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]),
            check=True, capture_output=True,
        )
        self.start()

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        subprocess.run(
            _as_server_user([str(_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
            check=False, capture_output=True,
        )

    def destroy(self) -> None:
        """Stop the cluster and delete its folder."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _make_traversable(path: Path) -> None:
    # The postgres user must be able to reach the folder through its parents.
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)
