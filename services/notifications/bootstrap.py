"""Composition root of the notifications service: settings and routing rules -> runtime -> loops -> app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from libs.events.migrations import Migration, migrate, packaged
from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from libs.events.store import PostgresEventStore
from libs.events.topics import NOTIFICATIONS
from services.notifications.access_policy import POLICY
from services.notifications.adapters.mail_queue import MailQueue
from services.notifications.adapters.notifications_table import NotificationsTable
from services.notifications.adapters.preferences_table import PreferencesTable
from services.notifications.adapters.smtp import MailSender, SmtpSender
from services.notifications.application.digests import DigestLoop
from services.notifications.application.inbox import InboxApplication
from services.notifications.application.live import LiveHub
from services.notifications.application.mailer import Mailer
from services.notifications.application.notifier import Clock, Notifier
from services.notifications.application.timers import ReminderLoop
from services.notifications.config import NotificationsSettings
from services.notifications.domain.rules import load_routing
from services.notifications.entrypoints.http import routers
from services.notifications.projections.client_events import ClientEvents
from services.notifications.projections.conflict_events import ConflictEvents
from services.notifications.projections.plan_events import PlanEvents

MIGRATIONS: list[Migration] = packaged("services.notifications.adapters.sql", "notifications_001")


def utc_now() -> datetime:
    return datetime.now(UTC)


def _wire(settings: NotificationsSettings, clock: Clock) -> tuple[ServiceRuntime, Notifier, PreferencesTable]:
    """The runtime with its projections, and what they share; the pool exists once the runtime is prepared."""
    rules = load_routing(settings.routing_path, registry)
    runtime: ServiceRuntime

    def store() -> PostgresEventStore:
        return runtime.store

    preferences = PreferencesTable(lambda: runtime.pool)
    notifier = Notifier(rules, store, preferences, clock)
    projections = [ClientEvents(notifier, clock), PlanEvents(notifier, clock), ConflictEvents(notifier, clock)]
    runtime = ServiceRuntime(settings.process_name, settings, registry, publishes=[NOTIFICATIONS],
                             projections=projections)
    return runtime, notifier, preferences


def build_app(settings: NotificationsSettings | None = None, clock: Clock = utc_now,
              sender: MailSender | None = None) -> FastAPI:
    """The notifications service app; `clock` gives "now" to routing, timers and digests (tests may move it)."""
    settings = settings or NotificationsSettings()
    runtime, notifier, preferences = _wire(settings, clock)
    rules = notifier.rules

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Why this order: the service's tables (reminders, notifications) must exist before the projections start,
        # since a projection's transaction writes into them. With `migrate` (runtime.migrate_only) start_workers
        # only creates the projections' tables and nothing runs.
        await runtime.prepare()
        await migrate(runtime.pool, "notifications", MIGRATIONS)
        pool = runtime.pool
        table = NotificationsTable(pool)
        app.state.inbox = InboxApplication(pool, runtime.store, table, preferences, rules, clock)
        app.state.live = hub = LiveHub(runtime.store, pool, interval=settings.live_poll_seconds)
        app.state.live_ping_seconds = settings.live_ping_seconds
        timers = ReminderLoop(pool, notifier, clock, interval=settings.timer_interval_seconds,
                              batch=settings.timer_batch)
        digests = DigestLoop(pool, rules, preferences, clock, interval=settings.digest_interval_seconds)
        background = [("reminders", timers.run), ("digests", digests.run), ("live inbox", hub.run)]
        if settings.smtp_enabled:
            mailer = Mailer(MailQueue(pool), sender or SmtpSender(settings), clock,
                            interval=settings.mail_interval_seconds, lease=settings.mail_lease_seconds,
                            retry_first=settings.mail_retry_seconds, retry_cap=settings.mail_retry_max_seconds)
            background.append(("mailer", mailer.run))
        await runtime.start_workers(background)
        try:
            yield
        finally:
            await runtime.stop()

    return create_app("PZW notifications", "Notifications between partner institutions: in-app inbox with live "
                      "push, e-mail and a daily digest; who gets what is the routing file.", settings, runtime,
                      lifespan, routers, policy=POLICY)
