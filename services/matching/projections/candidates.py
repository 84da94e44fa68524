"""Read model of candidates for offers: where clients live, what they can do, where their plan stands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import clients as c
from libs.events.schemas import plans as p
from libs.events.sql_batch import SqlBatch
from libs.events.topics import CLIENTS, PLANS

_REGISTERED = """INSERT INTO match_candidates (client_id, gmina, teryt, postal_code) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (client_id) DO UPDATE SET gmina = coalesce(match_candidates.gmina, $2),
                     teryt = coalesce(match_candidates.teryt, $3),
                     postal_code = coalesce(match_candidates.postal_code, $4)"""
# Clients and plans arrive on different topics in any relative order: every change of a candidate is an upsert.
_MOVED = """INSERT INTO match_candidates (client_id, gmina, teryt, postal_code) VALUES ($1, $2, $3, $4)
            ON CONFLICT (client_id) DO UPDATE SET gmina = $2, teryt = $3, postal_code = $4"""
_EDUCATION = """INSERT INTO match_candidates (client_id, education, qualifications, driving_licence)
                VALUES ($1, $2, $3, $4) ON CONFLICT (client_id)
                DO UPDATE SET education = $2, qualifications = $3, driving_licence = $4"""
_WORK = """INSERT INTO match_candidates (client_id, occupations) VALUES ($1, $2)
           ON CONFLICT (client_id) DO UPDATE SET occupations = $2"""
_HEALTH = """INSERT INTO match_candidates (client_id, work_restrictions) VALUES ($1, $2)
             ON CONFLICT (client_id) DO UPDATE SET work_restrictions = $2"""
_PLAN = """INSERT INTO match_candidates (client_id, plan_id, social_preparation_first) VALUES ($1, $2, $3)
           ON CONFLICT (client_id) DO UPDATE SET plan_id = $2, social_preparation_first = $3"""
_WAIVED = """INSERT INTO match_candidates (client_id, preparation_waived) VALUES ($1, true)
             ON CONFLICT (client_id) DO UPDATE SET preparation_waived = true"""
_STEP = """INSERT INTO match_candidate_steps (step_id, client_id, instrument, social_preparation, period_from,
                                              period_to) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (step_id) DO UPDATE SET instrument = EXCLUDED.instrument,
               social_preparation = EXCLUDED.social_preparation"""
# Status only moves forward (added < scheduled < completed|failed|cancelled), so that the batched statements
# commute whatever order they run in.
_SCHEDULED = """UPDATE match_candidate_steps SET period_from = $2, period_to = $3,
                    status = CASE WHEN status = 'added' THEN 'scheduled' ELSE status END WHERE step_id = $1"""
_FINISHED = "UPDATE match_candidate_steps SET status = $2 WHERE step_id = $1"


_ERASED = ("DELETE FROM match_candidate_steps WHERE client_id = $1",
           "DELETE FROM match_candidates WHERE client_id = $1")


# Stage 0 creates candidate and step rows; stage 1 changes them (upserts and forward-only status updates, which
# commute with each other).
class Candidates(Projection):
    """Clients as matching sees them; vocational offers wait for the OPS preparation (PZW order rule)."""

    name: ClassVar[str] = "match_candidates"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS, PLANS)
    handles: ClassVar[frozenset[str]] = frozenset({
        "ClientRegistered", "ClientAddressChanged", "ClientProfileUpdated", "PlanOpened", "SocialPreparationWaived",
        "PlanStepAdded", "PlanStepScheduled", "PlanStepCompleted", "PlanStepFailed", "PlanStepCancelled",
        "ClientErased"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.matching.projections.sql", "candidates_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        batch = SqlBatch()
        for event in events:
            e = event.payload
            if event.erased and isinstance(e, c.ClientRegistered | c.ClientAddressChanged | c.ClientProfileUpdated):
                continue  # the client was erased (its ClientErased follows): nothing of the person is kept
            if isinstance(e, c.ClientRegistered):
                batch.add(_REGISTERED, e.client_id, e.address.gmina, e.address.teryt, e.address.postal_code, stage=0)
            elif isinstance(e, c.ClientAddressChanged):
                batch.add(_MOVED, e.client_id, e.address.gmina, e.address.teryt, e.address.postal_code, stage=1)
            elif isinstance(e, c.ClientErased):  # after every other change of the batch: the person's rows go
                for statement in _ERASED:
                    batch.add(statement, e.client_id, stage=2)
            elif isinstance(e, c.ClientProfileUpdated):
                if e.education is not None:
                    batch.add(_EDUCATION, e.client_id, e.education.level.value, list(e.education.qualifications),
                              list(e.education.driving_licence), stage=1)
                if e.work_history is not None:
                    batch.add(_WORK, e.client_id, sorted({w.occupation for w in e.work_history}), stage=1)
                if e.health is not None:
                    batch.add(_HEALTH, e.client_id, list(e.health.work_restrictions), stage=1)
            elif isinstance(e, p.PlanOpened):
                batch.add(_PLAN, e.client_id, e.plan_id, e.social_preparation_first, stage=1)
            elif isinstance(e, p.SocialPreparationWaived):
                batch.add(_WAIVED, e.client_id, stage=1)
            elif isinstance(e, p.PlanStepAdded):
                batch.add(_STEP, e.step_id, e.client_id, e.instrument.value, e.social_preparation, e.planned.from_,
                          e.planned.to, stage=0)
            elif isinstance(e, p.PlanStepScheduled):
                batch.add(_SCHEDULED, e.step_id, e.scheduled.from_, e.scheduled.to, stage=1)
            elif isinstance(e, p.PlanStepCompleted | p.PlanStepFailed | p.PlanStepCancelled):
                status = {p.PlanStepCompleted: "completed", p.PlanStepFailed: "failed",
                          p.PlanStepCancelled: "cancelled"}[type(e)]
                batch.add(_FINISHED, e.step_id, status, stage=1)
        await batch.execute(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE match_candidates, match_candidate_steps")
