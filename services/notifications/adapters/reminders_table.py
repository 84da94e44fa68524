"""Durable reminder timers in PostgreSQL: scheduled with plan events, claimed when due, done exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from libs.events.db import Connection
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.reminders import PlannedReminder


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder claimed by the timer loop."""

    reminder_id: uuid.UUID
    kind: NotificationKind
    subject_id: uuid.UUID
    plan_id: uuid.UUID | None
    client_id: uuid.UUID | None
    worker: str
    institution_id: str
    due_at: datetime
    facts: dict[str, Any]


class RemindersTable:
    """Statements on the reminders table; every one runs inside the caller's transaction."""

    @staticmethod
    async def schedule(conn: Connection, reminders: Sequence[PlannedReminder], *, plan_id: uuid.UUID | None,
                       client_id: uuid.UUID | None, worker: str, institution_id: str,
                       facts: Mapping[str, Any]) -> None:
        """Store reminders; one cancelled earlier comes back (rescheduled back), one already done stays done."""
        for r in reminders:
            await conn.execute(
                """INSERT INTO reminders (reminder_id, kind, subject_id, plan_id, client_id, worker, institution_id,
                                          due_at, facts)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
                   ON CONFLICT (reminder_id) DO UPDATE SET status = 'pending', worker = EXCLUDED.worker,
                       institution_id = EXCLUDED.institution_id, facts = EXCLUDED.facts
                   WHERE reminders.status = 'cancelled'""",
                r.reminder_id, r.kind.value, r.subject_id, plan_id, client_id, worker, institution_id, r.due_at,
                orjson.dumps({**facts, "due_on": r.due_on.isoformat()}).decode())

    @staticmethod
    async def cancel_subject(conn: Connection, subject_id: uuid.UUID,
                             kinds: Sequence[NotificationKind] | None = None) -> None:
        """Cancel the pending reminders of a step or an IPZS (of the given kinds, or all)."""
        await conn.execute(
            """UPDATE reminders SET status = 'cancelled' WHERE subject_id = $1 AND status = 'pending'
               AND ($2::text[] IS NULL OR kind = ANY($2::text[]))""",
            subject_id, [k.value for k in kinds] if kinds is not None else None)

    @staticmethod
    async def cancel_plan(conn: Connection, plan_id: uuid.UUID) -> None:
        """Cancel every pending reminder of a plan (the plan closed)."""
        await conn.execute("UPDATE reminders SET status = 'cancelled' WHERE plan_id = $1 AND status = 'pending'",
                           plan_id)

    @staticmethod
    async def claim_due(conn: Connection, now: datetime, limit: int) -> list[DueReminder]:
        """Due reminders locked for this transaction; a concurrent claimer skips them instead of waiting."""
        rows = await conn.fetch(
            """SELECT reminder_id, kind, subject_id, plan_id, client_id, worker, institution_id, due_at,
                      facts::text AS facts
               FROM reminders WHERE status = 'pending' AND due_at <= $1
               ORDER BY due_at, reminder_id LIMIT $2 FOR UPDATE SKIP LOCKED""", now, limit)
        return [DueReminder(r["reminder_id"], NotificationKind(r["kind"]), r["subject_id"], r["plan_id"],
                            r["client_id"], r["worker"], r["institution_id"], r["due_at"], orjson.loads(r["facts"]))
                for r in rows]

    @staticmethod
    async def done(conn: Connection, ids: Sequence[uuid.UUID], at: datetime) -> None:
        await conn.execute(
            "UPDATE reminders SET status = 'done', fired_at = $2 WHERE reminder_id = ANY($1::uuid[])", list(ids), at)
