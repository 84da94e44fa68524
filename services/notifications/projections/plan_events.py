"""pzw.plans.v1: plans, steps and IPZS with their reminders (durable timers), and partner notifications."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import plans as p
from libs.events.schemas import registry
from libs.events.schemas.common import Period
from libs.events.schemas.notifications import NotificationKind
from libs.events.topics import PLANS
from services.notifications.adapters.reminders_table import RemindersTable
from services.notifications.application.notifier import Notifier
from services.notifications.domain.causes import cause_of
from services.notifications.domain.reminders import ipzs_reminder, local_day, step_reminders

TRACKED = frozenset({"PlanOpened", "PlanClosed", "PlanStepAdded", "PlanStepScheduled", "PlanStepCompleted",
                     "PlanStepFailed", "PlanStepCancelled", "IpzsSigned", "IpzsRenewed", "IpzsEnded"})
STEP_KINDS = (NotificationKind.STEP_DUE, NotificationKind.STEP_OVERDUE)

_PLAN = """INSERT INTO notify_plans (plan_id, client_id, pup_institution_id, pup_worker, ops_institution_id, ops_worker)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id) DO NOTHING"""
_STEP = """INSERT INTO notify_steps (step_id, plan_id, client_id, owner_institution, owner_worker, title, instrument)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (step_id) DO NOTHING"""
_SCHEDULED = """UPDATE notify_steps SET scheduled_from = $2, scheduled_to = $3, status = 'scheduled' WHERE step_id = $1
                RETURNING plan_id, client_id, owner_institution, owner_worker, title, instrument"""
_IPZS = """INSERT INTO notify_ipzs (ipzs_id, plan_id, client_id, cis_institution, cis_worker, term_from, term_to)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ipzs_id) DO NOTHING"""
_RENEWED = """UPDATE notify_ipzs SET term_from = $2, term_to = $3 WHERE ipzs_id = $1
              RETURNING plan_id, client_id, cis_institution, cis_worker"""


class PlanEvents(Projection):
    """Scheduled steps and their owners, IPZS terms, plan parties; timers created in the same transaction."""

    name: ClassVar[str] = "notify_plans"
    topics: ClassVar[tuple[str, ...]] = (PLANS,)
    migrations: ClassVar[Sequence[Migration]] = packaged("services.notifications.projections.sql",
                                                         "plan_tracking_001")

    def __init__(self, notifier: Notifier, clock: Callable[[], datetime]) -> None:
        self._notifier = notifier
        self._clock = clock
        self.handles = TRACKED | notifier.rules.events_of(registry, "plans")  # type: ignore[misc]

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        # Why event by event: scheduling, rescheduling and completing one step do not commute, and a partner is
        # told with the plan's parties as the events before it on the plan's stream left them.
        for event in events:
            await self._track(conn, event)
            cause = cause_of(event, self._notifier.rules, self._clock())
            if cause is not None:
                await self._notifier.notify(conn, cause)

    async def reset(self, conn: Connection) -> None:
        # The reminders stay: they are timers, not a view. Replaying stores the same reminder ids again, which
        # changes nothing for those already done or pending.
        await conn.execute("TRUNCATE notify_plans, notify_steps, notify_ipzs")

    async def _track(self, conn: Connection, event: RecordedEvent) -> None:
        e = event.payload
        if isinstance(e, p.PlanOpened):
            await conn.execute(_PLAN, e.plan_id, e.client_id, e.pup.institution_id, e.pup.worker,
                               e.ops.institution_id, e.ops.worker)
        elif isinstance(e, p.PlanStepAdded):
            await conn.execute(_STEP, e.step_id, e.plan_id, e.client_id, e.owner.institution_id, e.owner.worker,
                               e.title, e.instrument.value)
        elif isinstance(e, p.PlanStepScheduled):
            await self._scheduled(conn, e)
        elif isinstance(e, p.PlanStepCompleted | p.PlanStepFailed | p.PlanStepCancelled):
            status = {p.PlanStepCompleted: "completed", p.PlanStepFailed: "failed"}.get(type(e), "cancelled")
            await conn.execute("UPDATE notify_steps SET status = $2 WHERE step_id = $1", e.step_id, status)
            await RemindersTable.cancel_subject(conn, e.step_id)
        elif isinstance(e, p.IpzsSigned):
            await conn.execute(_IPZS, e.ipzs_id, e.plan_id, e.client_id, e.cis.institution_id, e.cis.worker,
                               e.term.from_, e.term.to)
            await self._ipzs_term(conn, e.ipzs_id, e.term, e.plan_id, e.client_id, e.cis.institution_id,
                                  e.cis.worker)
        elif isinstance(e, p.IpzsRenewed):
            row = await conn.fetchrow(_RENEWED, e.ipzs_id, e.term.from_, e.term.to)
            if row is not None:
                await self._ipzs_term(conn, e.ipzs_id, e.term, row["plan_id"], row["client_id"],
                                      row["cis_institution"], row["cis_worker"])
        elif isinstance(e, p.IpzsEnded):
            await conn.execute("UPDATE notify_ipzs SET ended = true WHERE ipzs_id = $1", e.ipzs_id)
            await RemindersTable.cancel_subject(conn, e.ipzs_id)
        elif isinstance(e, p.PlanClosed):
            await conn.execute("UPDATE notify_plans SET closed = true WHERE plan_id = $1", e.plan_id)
            await conn.execute("UPDATE notify_ipzs SET ended = true WHERE plan_id = $1", e.plan_id)
            await RemindersTable.cancel_plan(conn, e.plan_id)

    async def _scheduled(self, conn: Connection, e: p.PlanStepScheduled) -> None:
        """New dates replace the step's pending reminders (rescheduling back to old dates revives them)."""
        step = await conn.fetchrow(_SCHEDULED, e.step_id, e.scheduled.from_, e.scheduled.to)
        await RemindersTable.cancel_subject(conn, e.step_id, STEP_KINDS)
        if step is None:
            return  # a step this service never saw added (its history predates the topic): nobody to remind
        timing = self._notifier.rules.timing
        planned = step_reminders(e.step_id, e.scheduled, local_day(self._clock(), timing), timing)
        facts = {"title": step["title"], "instrument": step["instrument"], "from": e.scheduled.from_.isoformat(),
                 "to": e.scheduled.to.isoformat() if e.scheduled.to else None}
        await RemindersTable.schedule(conn, planned, plan_id=step["plan_id"], client_id=step["client_id"],
                                      worker=step["owner_worker"], institution_id=step["owner_institution"],
                                      facts=facts)

    async def _ipzs_term(self, conn: Connection, ipzs_id: uuid.UUID, term: Period, plan_id: uuid.UUID,
                         client_id: uuid.UUID, institution: str, worker: str) -> None:
        """A new term replaces the pending expiry reminder of the IPZS."""
        await RemindersTable.cancel_subject(conn, ipzs_id)
        timing = self._notifier.rules.timing
        planned = ipzs_reminder(ipzs_id, term, local_day(self._clock(), timing), timing)
        if planned is None:
            return
        facts = {"from": term.from_.isoformat(), "to": term.to.isoformat() if term.to else None}
        await RemindersTable.schedule(conn, [planned], plan_id=plan_id, client_id=client_id, worker=worker,
                                      institution_id=institution, facts=facts)
