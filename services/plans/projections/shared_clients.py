"""Read model of shared clients: which PUP-OPS pair shares a client, under which agreement, with which workers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas.clients import (
    CaseWorkersAssigned,
    CooperationAgreementEnded,
    CooperationAgreementSigned,
    SharedClientIdentified,
    SharedClientSharingStopped,
)
from libs.events.topics import CLIENTS

_IDENTIFIED = """
    INSERT INTO shared_clients (client_id, pup_institution_id, ops_institution_id, agreement_id,
        social_preparation_first, sharing_active, identified_on, stopped_on, stop_reason, updated_at)
    VALUES ($1, $2, $3, $4, $5, true, $6, NULL, NULL, $7)
    ON CONFLICT (client_id, pup_institution_id, ops_institution_id) DO UPDATE SET
        agreement_id = EXCLUDED.agreement_id, social_preparation_first = EXCLUDED.social_preparation_first,
        sharing_active = true, identified_on = EXCLUDED.identified_on, stopped_on = NULL, stop_reason = NULL,
        updated_at = EXCLUDED.updated_at"""
_STOPPED = """
    INSERT INTO shared_clients (client_id, pup_institution_id, ops_institution_id, sharing_active, stopped_on,
        stop_reason, updated_at)
    VALUES ($1, $2, $3, false, $4, $5, $6)
    ON CONFLICT (client_id, pup_institution_id, ops_institution_id) DO UPDATE SET
        sharing_active = false, stopped_on = EXCLUDED.stopped_on, stop_reason = EXCLUDED.stop_reason,
        updated_at = EXCLUDED.updated_at"""
_WORKERS = """
    INSERT INTO shared_clients (client_id, pup_institution_id, ops_institution_id, job_broker, career_counsellor,
        social_worker, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (client_id, pup_institution_id, ops_institution_id) DO UPDATE SET
        job_broker = EXCLUDED.job_broker, career_counsellor = EXCLUDED.career_counsellor,
        social_worker = EXCLUDED.social_worker, updated_at = EXCLUDED.updated_at"""
_AGREEMENT_SIGNED = """
    INSERT INTO cooperation_agreements (agreement_id, pup_institution_id, ops_institution_id, valid_from, valid_to,
        updated_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (agreement_id) DO UPDATE SET pup_institution_id = EXCLUDED.pup_institution_id,
        ops_institution_id = EXCLUDED.ops_institution_id, valid_from = EXCLUDED.valid_from,
        valid_to = EXCLUDED.valid_to, updated_at = EXCLUDED.updated_at"""
_AGREEMENT_ENDED = """
    INSERT INTO cooperation_agreements (agreement_id, ended_on, end_reason, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (agreement_id) DO UPDATE SET ended_on = EXCLUDED.ended_on, end_reason = EXCLUDED.end_reason,
        updated_at = EXCLUDED.updated_at"""


class SharedClients(Projection):
    """Shared clients of PUP-OPS pairs and their workers, as the plans service needs them to open joint plans."""

    name: ClassVar[str] = "shared_clients"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS,)
    handles: ClassVar[frozenset[str]] = frozenset({
        "SharedClientIdentified", "SharedClientSharingStopped", "CaseWorkersAssigned",
        "CooperationAgreementSigned", "CooperationAgreementEnded"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.plans.projections.sql", "shared_clients_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        # Why event by event rather than SqlBatch: identified/stopped/identified again for one client do not
        # commute, and a batch would run each statement kind once, out of the events' order. Volumes are small.
        for event in events:
            statement = _statement(event)
            if statement is not None:
                sql, args = statement
                await conn.execute(sql, *args)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE shared_clients, cooperation_agreements")


def _statement(event: RecordedEvent) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL statement and its arguments that apply one event."""
    p, at = event.payload, event.occurred_at
    if isinstance(p, SharedClientIdentified):
        return _IDENTIFIED, (p.client_id, p.pup_institution_id, p.ops_institution_id, p.agreement_id,
                             p.social_preparation_first, p.identified_on, at)
    if isinstance(p, SharedClientSharingStopped):
        return _STOPPED, (p.client_id, p.pup_institution_id, p.ops_institution_id, p.stopped_on, p.reason, at)
    if isinstance(p, CaseWorkersAssigned):
        w = p.workers
        return _WORKERS, (p.client_id, p.pup_institution_id, p.ops_institution_id, w.job_broker,
                          w.career_counsellor, w.social_worker, at)
    if isinstance(p, CooperationAgreementSigned):
        return _AGREEMENT_SIGNED, (p.agreement_id, p.pup_institution_id, p.ops_institution_id, p.valid.from_,
                                   p.valid.to, at)
    if isinstance(p, CooperationAgreementEnded):
        return _AGREEMENT_ENDED, (p.agreement_id, p.ended_on, p.reason, at)
    return None
