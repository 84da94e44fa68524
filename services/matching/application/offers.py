"""Use cases of matching: publish and withdraw offers, rank offers and candidates, propose, refer, record outcomes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg
from pydantic import BaseModel

from libs.events.decider import CommandHandler, DomainError, Outcome
from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.errors import StreamNotFound
from libs.events.ids import derived_id, new_id
from libs.events.schemas.matching import MatchProposed, OfferPublished, ReferralIssued, ReferralOutcome
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend
from libs.events.topics import MATCHING
from services.matching.adapters.catalogue import Catalogue
from services.matching.domain.offer import (
    Issue,
    OfferState,
    Publish,
    RecordOutcome,
    ReferralState,
    Withdraw,
    offer_decider,
    referral_decider,
)
from services.matching.domain.scoring import Candidate, Score, rank, score


def _metadata(actor: Actor, key: uuid.UUID) -> Metadata:
    return Metadata.for_command(actor, key)


class MatchingApplication:
    """The offer catalogue and referrals; scores come from the candidates read model."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, catalogue: Catalogue) -> None:
        self._pool = pool
        self._store = store
        self._catalogue = catalogue
        self._offers: CommandHandler[BaseModel, OfferState] = CommandHandler(store, offer_decider, MATCHING)
        self._referrals: CommandHandler[BaseModel, ReferralState] = CommandHandler(store, referral_decider, MATCHING)

    async def publish(self, offer: OfferPublished, actor: Actor) -> Outcome[OfferState]:
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._offers.handle(str(offer.offer_id), Publish(offer=offer),
                                                _metadata(actor, offer.offer_id), occurred_at=datetime.now(UTC),
                                                expected_version=0, conn=conn)
            await self._catalogue.put_offer(conn, offer)
        return outcome

    async def withdraw(self, offer_id: uuid.UUID, command: Withdraw, actor: Actor) -> Outcome[OfferState]:
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._offers.handle(str(offer_id), command, _metadata(actor, offer_id),
                                                occurred_at=datetime.now(UTC), conn=conn)
            await self._catalogue.withdraw_offer(conn, offer_id)
        return outcome

    async def offers_for(self, client_id: uuid.UUID, today: date) -> list[Score]:
        """Offers ranked for a client (eligible first); every score lists its components."""
        [candidate] = await self._candidate(client_id)
        return rank([score(candidate, offer, today) for offer in await self._catalogue.offers()])

    async def candidates_for(self, offer_id: uuid.UUID, today: date) -> list[Score]:
        """Clients ranked for an offer, the same way."""
        offers = await self._catalogue.offers(include_withdrawn=True, offer_id=offer_id)
        if not offers:
            raise StreamNotFound(str(offer_id))
        return rank([score(c, offers[0], today) for c in await self._catalogue.candidates()])

    async def _candidate(self, client_id: uuid.UUID) -> list[Candidate]:
        found = await self._catalogue.candidates(client_id)
        if not found:
            raise StreamNotFound(str(client_id))
        return found

    async def _scored(self, client_id: uuid.UUID, offer_id: uuid.UUID, today: date) -> tuple[Score, bool]:
        [candidate] = await self._candidate(client_id)
        offers = await self._catalogue.offers(include_withdrawn=True, offer_id=offer_id)
        if not offers:
            raise DomainError(f"offer {offer_id} does not exist", field="offer_id")
        state, _ = await self._offers.load(str(offer_id))
        return score(candidate, offers[0], today), not state.withdrawn

    async def propose(self, client_id: uuid.UUID, offer_id: uuid.UUID, actor: Actor, today: date) -> MatchProposed:
        """Record that a worker proposed the offer to the client, with the score as it stands now."""
        result, _ = await self._scored(client_id, offer_id, today)
        match = MatchProposed(match_id=new_id(), client_id=client_id, offer_id=offer_id, score=result.total,
                              components=result.components, proposed_by=actor.user)
        await self._store.append(StreamAppend("match", str(match.match_id), NO_STREAM,
                                              [NewEvent(match, datetime.now(UTC))], _metadata(actor, client_id),
                                              MATCHING))
        return match

    async def refer(self, client_id: uuid.UUID, offer_id: uuid.UUID, plan_id: uuid.UUID | None, actor: Actor,
                    today: date, referral_id: uuid.UUID | None = None) -> Outcome[ReferralState]:
        """Issue a referral (skierowanie); the plan step is created from the event by the referral process."""
        result, open_ = await self._scored(client_id, offer_id, today)
        referral_id = referral_id or new_id()
        has_place = not any(c.code == "capacity.none" for c in result.components)
        referral = ReferralIssued(referral_id=referral_id, client_id=client_id, offer_id=offer_id, plan_id=plan_id,
                                  step_id=derived_id("referral-step", referral_id) if plan_id else None,
                                  institution_id=actor.institution, issued_by=actor.user, issued_on=today)
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._referrals.handle(
                str(referral_id), Issue(referral=referral, eligible=result.eligible, offer_open=open_ and has_place),
                _metadata(actor, client_id), occurred_at=datetime.now(UTC), conn=conn)
            await self._catalogue.put_referral(conn, referral_id, offer_id, client_id)
        return outcome

    async def record_outcome(self, referral_id: uuid.UUID, outcome: ReferralOutcome, on: date, note: str | None,
                             actor: Actor, expected_version: int | None) -> Outcome[ReferralState]:
        state, _ = await self._referrals.load(str(referral_id))
        if state.issued is None:
            raise StreamNotFound(str(referral_id))
        async with self._pool.acquire() as conn, conn.transaction():
            result = await self._referrals.handle(
                str(referral_id), RecordOutcome(outcome=outcome, recorded_on=on, note=note,
                                                institution_id=actor.institution),
                _metadata(actor, state.issued.client_id), occurred_at=datetime.now(UTC),
                expected_version=expected_version, conn=conn)
            await self._catalogue.referral_outcome(conn, referral_id, outcome.value)
        return result

    async def referral(self, referral_id: uuid.UUID) -> tuple[ReferralState, int]:
        return await self._referrals.load(str(referral_id))

    async def offer(self, offer_id: uuid.UUID) -> tuple[OfferState, int]:
        return await self._offers.load(str(offer_id))
