"""Cooperation agreements (porozumienia) between a PUP and an OPS: decisions and state (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict

from libs.events.decider import Decider, DomainError
from libs.events.schemas.clients import CooperationAgreementEnded, CooperationAgreementSigned, LegalBasis
from libs.events.schemas.common import InstitutionId, Period
from services.clients.domain.policies import AgreementTerms

STREAM_TYPE = "agreement"


class SignAgreement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    agreement_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    valid: Period
    legal_basis: LegalBasis
    social_preparation_first: bool = True
    requires_consent: bool = False


class EndAgreement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ended_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class AgreementState:
    terms: AgreementTerms | None = None


def decide(command: BaseModel, state: AgreementState) -> Sequence[BaseModel]:
    if isinstance(command, SignAgreement):
        if state.terms is not None:
            raise DomainError(f"agreement {command.agreement_id} exists already", field="agreement_id")
        return [CooperationAgreementSigned(**command.model_dump())]
    if isinstance(command, EndAgreement):
        if state.terms is None:
            raise DomainError("agreement does not exist")
        if state.terms.ended_on is not None:
            return []
        if command.ended_on < state.terms.valid.from_:
            raise DomainError("an agreement cannot end before it starts", field="ended_on")
        return [CooperationAgreementEnded(agreement_id=state.terms.agreement_id, ended_on=command.ended_on,
                                          reason=command.reason)]
    raise TypeError(f"unknown command {type(command).__name__}")


def evolve(state: AgreementState, event: BaseModel) -> AgreementState:
    if isinstance(event, CooperationAgreementSigned):
        return AgreementState(AgreementTerms(**event.model_dump()))
    if isinstance(event, CooperationAgreementEnded) and state.terms is not None:
        return AgreementState(state.terms.model_copy(update={"ended_on": event.ended_on}))
    return state


decider: Decider[BaseModel, AgreementState] = Decider(STREAM_TYPE, AgreementState, decide, evolve)
