"""Read model of referrals (skierowania) and their outcomes, with the offers they point at."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.schemas import matching as ev
from libs.events.topics import MATCHING
from services.reporting.projections.upserts import RowChanges, table

OFFER = table("rm_offer", "offer_id uuid",
              "kind text, instrument text, title text, funded_by text, gmina text, teryt text, capacity integer, "
              "valid_from date, valid_to date, withdrawn_on date, updated_at timestamptz")
REFERRAL = table("rm_referral", "referral_id uuid",
                 "client_id uuid, offer_id uuid, plan_id uuid, step_id uuid, institution_id text, issued_by text, "
                 "issued_on date, outcome text, outcome_on date, note text, updated_at timestamptz")


class Referrals(Projection):
    """Offers and referrals with outcomes, from the matching context."""

    name: ClassVar[str] = "referrals"
    topics: ClassVar[tuple[str, ...]] = (MATCHING,)
    handles: ClassVar[frozenset[str]] = frozenset({
        "OfferPublished", "OfferWithdrawn", "ReferralIssued", "ReferralOutcomeRecorded"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql", "referrals_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        changes = RowChanges()
        for event in events:
            p, at = event.payload, event.occurred_at
            if isinstance(p, ev.OfferPublished):
                changes.set(OFFER, (p.offer_id,), kind=p.kind.value, instrument=p.instrument.value, title=p.title,
                            funded_by=p.funded_by, gmina=p.location.gmina, teryt=p.location.teryt,
                            capacity=p.capacity, valid_from=p.period.from_, valid_to=p.period.to, updated_at=at)
            elif isinstance(p, ev.OfferWithdrawn):
                changes.set(OFFER, (p.offer_id,), withdrawn_on=p.withdrawn_on, updated_at=at)
            elif isinstance(p, ev.ReferralIssued):
                changes.set(REFERRAL, (p.referral_id,), client_id=p.client_id, offer_id=p.offer_id,
                            plan_id=p.plan_id, step_id=p.step_id, institution_id=p.institution_id,
                            issued_by=p.issued_by, issued_on=p.issued_on, updated_at=at)
            elif isinstance(p, ev.ReferralOutcomeRecorded):
                changes.set(REFERRAL, (p.referral_id,), client_id=p.client_id, offer_id=p.offer_id,
                            outcome=p.outcome.value, outcome_on=p.recorded_on, note=p.note, updated_at=at)
        await changes.write(conn)

    async def reset(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE rm_offer, rm_referral")
