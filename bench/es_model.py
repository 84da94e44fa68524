"""The `eventsourcing` library's side of the append benchmark: an aggregate of case notes and its application."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class CaseFile(Aggregate):
    """A client's case file: opened with a first note, then more notes (one event each)."""

    @event("Opened")
    def __init__(self, note: dict[str, Any]) -> None:
        self.notes = [note]

    @event("NoteRecorded")
    def record(self, note: dict[str, Any]) -> None:
        self.notes.append(note)


class CaseFiles(Application):  # type: ignore[type-arg]
    """Stores case files in the `casefiles_events` table of its PostgreSQL database."""


def open_application(dsn: str, pool_size: int) -> CaseFiles:
    """The application on the database of `dsn`, configured through the library's environment variables."""
    url = urlsplit(dsn)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1", "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres", "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_POOL_SIZE": str(pool_size), "POSTGRES_MAX_OVERFLOW": "0",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return CaseFiles()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
