"""Reads the shared-clients read model: may a PUP-OPS pair open a joint plan for a client, and with whom?"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg


@dataclass(frozen=True, slots=True)
class Sharing:
    """A client shared by one PUP and one OPS, as the plans service last heard from the clients context."""

    client_id: uuid.UUID
    pup_institution_id: str
    ops_institution_id: str
    agreement_id: uuid.UUID | None
    social_preparation_first: bool
    sharing_active: bool
    identified_on: date | None
    stopped_on: date | None
    stop_reason: str | None
    job_broker: str | None
    career_counsellor: str | None
    social_worker: str | None
    agreement_valid_to: date | None
    agreement_ended_on: date | None
    agreement_end_reason: str | None

    def why_not_shared(self, today: date) -> str | None:
        """None when the pair may work on the client together today, else the reason in a worker's words."""
        pair = f"{self.pup_institution_id} and {self.ops_institution_id}"
        if not self.sharing_active and self.stopped_on is not None:
            return f"sharing of this client between {pair} stopped on {self.stopped_on}: {self.stop_reason}"
        if not self.sharing_active:
            return f"this client has not been identified as shared between {pair}"
        if self.agreement_ended_on is not None:
            return (f"the cooperation agreement {self.agreement_id} between {pair} ended on "
                    f"{self.agreement_ended_on}: {self.agreement_end_reason}")
        if self.agreement_valid_to is not None and self.agreement_valid_to < today:
            return f"the cooperation agreement {self.agreement_id} between {pair} expired on {self.agreement_valid_to}"
        return None


class SharedClientDirectory:
    """Queries the `shared_clients` table the SharedClients projection keeps."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def sharings_of(self, client_id: uuid.UUID) -> list[Sharing]:
        """Every PUP-OPS pair that shares or shared the client, most recently identified first."""
        rows = await self._pool.fetch(
            """SELECT s.client_id, s.pup_institution_id, s.ops_institution_id, s.agreement_id,
                      s.social_preparation_first, s.sharing_active, s.identified_on, s.stopped_on, s.stop_reason,
                      s.job_broker, s.career_counsellor, s.social_worker, a.valid_to AS agreement_valid_to,
                      a.ended_on AS agreement_ended_on, a.end_reason AS agreement_end_reason
               FROM shared_clients s LEFT JOIN cooperation_agreements a ON a.agreement_id = s.agreement_id
               WHERE s.client_id = $1
               ORDER BY s.sharing_active DESC, s.identified_on DESC NULLS LAST, s.updated_at DESC""",
            client_id)
        return [Sharing(**dict(row)) for row in rows]
