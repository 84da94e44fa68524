"""Read model of joint plans: the plan, its documents (IPD, social contract), its steps, and per plan the first day
the client took up each form of activation (for the indicators)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import plans as ev
from libs.events.topics import PLANS
from services.reporting.indicators.forms import (
    INSTRUMENT_FORM,
    IPZS_ENDING_FORM,
    OUTCOME_FORM,
    TAKEN_UP_FAILURES,
    TAKEN_UP_STATUSES,
    ActivationForm,
    column,
)
from services.reporting.projections.upserts import RowChanges, table

PLAN = table("rm_plan", "plan_id uuid",
             "client_id uuid, agreement_id uuid, pup_institution_id text, job_broker text, ops_institution_id text, "
             "social_worker text, social_preparation_first boolean, opened_on date, contract_number text, "
             "contract_from date, contract_to date, ipd_number text, ipd_from date, ipd_to date, "
             "preparation_waived_on date, last_reviewed_on date, closed_on date, outcome text, updated_at timestamptz")
STEP = table("rm_plan_step", "step_id uuid",
             "plan_id uuid, client_id uuid, owner_institution_id text, owner_kind text, worker text, instrument text, "
             "category text, social_preparation boolean, title text, funded_by text, activation_form text, "
             "planned_from date, planned_to date, scheduled_from date, scheduled_to date, status text, "
             "completed_on date, outcome text, failed_on date, failure text, cancel_reason text, "
             "cancelled_at timestamptz, added_event_id uuid, added_at timestamptz, updated_at timestamptz")
MILESTONE = table("rm_plan_milestone", "plan_id uuid, source_id uuid", "form text, happened_on date")

_FIRSTS = ",\n".join(f"min(happened_on) FILTER (WHERE form = '{f.value}') AS {column(f)}" for f in ActivationForm)
_SET_FIRSTS = ", ".join(f"{column(f)} = f.{column(f)}" for f in ActivationForm)
# Recomputed for the plans a batch touched, after their steps and milestones are written (same transaction).
_RECOMPUTE = f"""
    WITH touched AS (SELECT DISTINCT unnest($1::uuid[]) AS plan_id),
    taken_up AS (
        SELECT s.plan_id, s.activation_form AS form, s.start_on AS happened_on
          FROM rm_plan_step s JOIN touched USING (plan_id)
         WHERE s.activation_form IS NOT NULL
           AND (s.status = ANY($2::text[]) OR (s.status = 'failed' AND s.failure = ANY($3::text[])))
        UNION ALL
        SELECT m.plan_id, m.form, m.happened_on FROM rm_plan_milestone m JOIN touched USING (plan_id)),
    firsts AS (SELECT plan_id, {_FIRSTS} FROM taken_up GROUP BY plan_id),
    steps AS (SELECT s.plan_id, min(s.start_on) AS first_step_on FROM rm_plan_step s JOIN touched USING (plan_id)
               WHERE s.status <> 'cancelled' GROUP BY s.plan_id)
    UPDATE rm_plan p SET first_step_on = st.first_step_on, {_SET_FIRSTS}
      FROM touched t LEFT JOIN firsts f USING (plan_id) LEFT JOIN steps st USING (plan_id)
     WHERE p.plan_id = t.plan_id"""


class JointPlans(Projection):
    """Joint plans, their documents and steps, from the plans context."""

    name: ClassVar[str] = "joint_plans"
    topics: ClassVar[tuple[str, ...]] = (PLANS,)
    handles: ClassVar[frozenset[str]] = frozenset({
        "PlanOpened", "SocialContractConcluded", "IpdConcluded", "SocialPreparationWaived", "PlanReviewed",
        "PlanClosed", "PlanStepAdded", "PlanStepScheduled", "PlanStepCompleted", "PlanStepFailed",
        "PlanStepCancelled", "IpzsEnded"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql", "joint_plans_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        changes = RowChanges()
        touched: set[uuid.UUID] = set()
        for event in events:
            if _fold(changes, event):
                touched.add(event.payload.plan_id)  # type: ignore[attr-defined]
        await changes.write(conn)
        if touched:
            await conn.execute(_RECOMPUTE, list(touched), list(TAKEN_UP_STATUSES), list(TAKEN_UP_FAILURES))

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_plan, rm_plan_step, rm_plan_milestone")


def _fold(changes: RowChanges, event: RecordedEvent) -> bool:
    """Record the row changes of one event; True when the plan's activation facts must be recomputed."""
    p, at = event.payload, event.occurred_at
    if isinstance(p, ev.PlanStepAdded | ev.PlanStepScheduled | ev.PlanStepCompleted | ev.PlanStepFailed
                  | ev.PlanStepCancelled):
        _step(changes, event, p, at)
        return True
    if isinstance(p, ev.PlanOpened):
        changes.set(PLAN, (p.plan_id,), client_id=p.client_id, agreement_id=p.agreement_id,
                    pup_institution_id=p.pup.institution_id, job_broker=p.pup.worker,
                    ops_institution_id=p.ops.institution_id, social_worker=p.ops.worker,
                    social_preparation_first=p.social_preparation_first, opened_on=p.opened_on, updated_at=at)
    elif isinstance(p, ev.SocialContractConcluded):
        changes.set(PLAN, (p.plan_id,), contract_number=p.contract_number, contract_from=p.valid.from_,
                    contract_to=p.valid.to, updated_at=at)
    elif isinstance(p, ev.IpdConcluded):
        changes.set(PLAN, (p.plan_id,), ipd_number=p.ipd_number, ipd_from=p.valid.from_, ipd_to=p.valid.to,
                    updated_at=at)
    elif isinstance(p, ev.SocialPreparationWaived):
        changes.set(PLAN, (p.plan_id,), preparation_waived_on=p.waived_on, updated_at=at)
    elif isinstance(p, ev.PlanReviewed):
        changes.set(PLAN, (p.plan_id,), last_reviewed_on=p.reviewed_on, updated_at=at)
    elif isinstance(p, ev.PlanClosed):
        changes.set(PLAN, (p.plan_id,), closed_on=p.closed_on, outcome=p.outcome.value, updated_at=at)
        form = OUTCOME_FORM.get(p.outcome)
        if form is not None:
            changes.set(MILESTONE, (p.plan_id, p.plan_id), form=form.value, happened_on=p.closed_on)
            return True
    elif isinstance(p, ev.IpzsEnded):
        form = IPZS_ENDING_FORM.get(p.reason)
        if form is not None:
            changes.set(MILESTONE, (p.plan_id, p.ipzs_id), form=form.value, happened_on=p.ended_on)
            return True
    return False


StepEvent = (ev.PlanStepAdded | ev.PlanStepScheduled | ev.PlanStepCompleted | ev.PlanStepFailed
             | ev.PlanStepCancelled)


def _step(changes: RowChanges, event: RecordedEvent, p: StepEvent, at: datetime) -> None:
    key = (p.step_id,)
    if isinstance(p, ev.PlanStepAdded):
        form = INSTRUMENT_FORM.get(p.instrument)
        changes.set(STEP, key, plan_id=p.plan_id, client_id=p.client_id, owner_institution_id=p.owner.institution_id,
                    owner_kind=p.owner.institution_kind.value, worker=p.owner.worker, instrument=p.instrument.value,
                    category=p.category.value, social_preparation=p.social_preparation, title=p.title,
                    funded_by=p.funded_by, activation_form=form.value if form else None,
                    planned_from=p.planned.from_, planned_to=p.planned.to, status="added",
                    added_event_id=event.event_id, added_at=at, updated_at=at)
    elif isinstance(p, ev.PlanStepScheduled):
        changes.set(STEP, key, scheduled_from=p.scheduled.from_, scheduled_to=p.scheduled.to, status="scheduled",
                    updated_at=at)
    elif isinstance(p, ev.PlanStepCompleted):
        changes.set(STEP, key, status="completed", completed_on=p.completed_on, outcome=p.outcome, updated_at=at)
    elif isinstance(p, ev.PlanStepFailed):
        changes.set(STEP, key, status="failed", failed_on=p.failed_on, failure=p.reason.value, updated_at=at)
    else:
        changes.set(STEP, key, status="cancelled", cancel_reason=p.reason, cancelled_at=at, updated_at=at)
