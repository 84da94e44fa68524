"""Run the clients service: python -m services.clients.

`retention [--dry-run]` runs the retention job once; `rewrap-keys` re-wraps the data keys wrapped by
PZW_PREVIOUS_MASTER_KEY with PZW_MASTER_KEY (master key rotation)."""

import asyncio
import sys
from datetime import UTC, datetime

from fastapi import FastAPI

from libs.events.key_store import MasterKey, MasterKeyError
from libs.events.service_app import serve
from services.clients.bootstrap import build_app
from services.clients.config import ClientsSettings


async def retention_once(app: FastAPI, dry_run: bool) -> None:
    """Start the service's parts without its background work, run the retention job, and stop."""
    app.state.runtime.migrate_only = True
    async with app.router.lifespan_context(app):
        report = await app.state.retention.run(datetime.now(UTC).date(), dry_run=dry_run)
    verb = "due" if dry_run else "erased"
    print(f"clients {verb}: {len(report.erased)}; import rows pruned: {report.import_rows_pruned}; "
          f"import reports pruned: {report.import_reports_pruned}")
    for client_id in report.erased:
        print(client_id)


async def rewrap_keys(app: FastAPI, settings: ClientsSettings) -> None:
    if settings.previous_master_key is None:
        raise SystemExit("PZW_PREVIOUS_MASTER_KEY is not set: give the master key being rotated out")
    old = MasterKey.from_config(settings.previous_master_key.get_secret_value(), "production")
    app.state.runtime.migrate_only = True
    async with app.router.lifespan_context(app):
        print(f"data keys re-wrapped: {await app.state.keys.rewrap(old)}")


if __name__ == "__main__":
    settings = ClientsSettings()
    try:
        app = build_app(settings)
    except MasterKeyError as exc:
        raise SystemExit(f"clients service not started: {exc}") from None
    if sys.argv[1:2] == ["retention"]:
        asyncio.run(retention_once(app, dry_run=sys.argv[2:] == ["--dry-run"]))
    elif sys.argv[1:] == ["rewrap-keys"]:
        asyncio.run(rewrap_keys(app, settings))
    else:
        serve(app, settings)
