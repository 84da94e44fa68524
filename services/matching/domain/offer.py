"""Offers of the catalogue and referrals to them (pure deciders)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from libs.events.decider import Decider, DomainError, Forbidden
from libs.events.schemas.matching import (
    OfferPublished,
    OfferWithdrawn,
    ReferralIssued,
    ReferralOutcome,
    ReferralOutcomeRecorded,
)


class Withdraw(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    withdrawn_on: date
    reason: str = Field(min_length=1, max_length=500)
    institution_id: str


class Publish(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    offer: OfferPublished


@dataclass(frozen=True, slots=True)
class OfferState:
    published: OfferPublished | None = None
    withdrawn: bool = False


def decide_offer(command: BaseModel, state: OfferState) -> Sequence[BaseModel]:
    if isinstance(command, Publish):
        if state.published is not None:
            raise DomainError(f"offer {command.offer.offer_id} exists already", field="offer_id")
        return [command.offer]
    if isinstance(command, Withdraw):
        if state.published is None:
            raise DomainError("offer does not exist")
        if command.institution_id != state.published.funded_by:
            raise Forbidden(f"only {state.published.funded_by} withdraws this offer")
        if state.withdrawn:
            return []
        return [OfferWithdrawn(offer_id=state.published.offer_id, withdrawn_on=command.withdrawn_on,
                               reason=command.reason)]
    raise TypeError(f"unknown command {type(command).__name__}")


def evolve_offer(state: OfferState, event: BaseModel) -> OfferState:
    if isinstance(event, OfferPublished):
        return OfferState(published=event, withdrawn=state.withdrawn)
    if isinstance(event, OfferWithdrawn):
        return OfferState(published=state.published, withdrawn=True)
    return state


offer_decider: Decider[BaseModel, OfferState] = Decider("offer", OfferState, decide_offer, evolve_offer)


class Issue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    referral: ReferralIssued
    eligible: bool
    offer_open: bool


class RecordOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: ReferralOutcome
    recorded_on: date
    note: str | None = None
    institution_id: str


@dataclass(frozen=True, slots=True)
class ReferralState:
    issued: ReferralIssued | None = None
    outcome: ReferralOutcomeRecorded | None = None


def decide_referral(command: BaseModel, state: ReferralState) -> Sequence[BaseModel]:
    if isinstance(command, Issue):
        if state.issued is not None:
            return []  # the same referral id again: already issued
        if not command.offer_open:
            raise DomainError("the offer is withdrawn or has no place left", field="offer_id")
        if not command.eligible:
            raise DomainError("the client is not eligible for this offer (see the match's components)",
                              field="client_id")
        return [command.referral]
    if isinstance(command, RecordOutcome):
        if state.issued is None:
            raise DomainError("referral does not exist")
        if command.institution_id != state.issued.institution_id:
            raise Forbidden(f"the outcome is recorded by {state.issued.institution_id}, which issued the referral")
        if state.outcome is not None:
            if state.outcome.outcome == command.outcome:
                return []
            raise DomainError(f"the outcome was already recorded as {state.outcome.outcome.value}")
        return [ReferralOutcomeRecorded(referral_id=state.issued.referral_id, client_id=state.issued.client_id,
                                        offer_id=state.issued.offer_id, outcome=command.outcome,
                                        recorded_on=command.recorded_on, note=command.note)]
    raise TypeError(f"unknown command {type(command).__name__}")


def evolve_referral(state: ReferralState, event: BaseModel) -> ReferralState:
    if isinstance(event, ReferralIssued):
        return ReferralState(issued=event, outcome=state.outcome)
    if isinstance(event, ReferralOutcomeRecorded):
        return ReferralState(issued=state.issued, outcome=event)
    return state


referral_decider: Decider[BaseModel, ReferralState] = Decider("referral", ReferralState, decide_referral,
                                                              evolve_referral)

