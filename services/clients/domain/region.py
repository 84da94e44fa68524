"""Regions (rejony) of a PUP-OPS pair: their area and paired workers (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.events.decider import Decider, DomainError
from libs.events.schemas.clients import CaseloadHandedOver, CaseWorkers, RegionArea, RegionDefined, RegionRemoved
from libs.events.schemas.common import InstitutionId, WorkerId
from services.clients.domain.policies import RegionTerms

STREAM_TYPE = "region"


class DefineRegion(BaseModel):
    """Define a region or replace its definition (area, workers, priority)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    area: RegionArea
    workers: CaseWorkers
    priority: int = 100

    @model_validator(mode="after")
    def _some_area(self) -> DefineRegion:
        if not (self.area.gminas or self.area.postal_codes or self.area.streets):
            raise ValueError("a region needs at least one gmina, postal code or street range")
        return self


class RemoveRegion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HandOverCaseload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    institution_id: InstitutionId
    from_worker: WorkerId
    to_worker: WorkerId
    handed_over_on: date


@dataclass(frozen=True, slots=True)
class RegionState:
    terms: RegionTerms | None = None
    removed: bool = False


def decide(command: BaseModel, state: RegionState) -> Sequence[BaseModel]:
    if isinstance(command, DefineRegion):
        if state.removed:
            raise DomainError("the region was removed; define a new one")
        if state.terms is not None and (state.terms.pup_institution_id, state.terms.ops_institution_id) != (
                command.pup_institution_id, command.ops_institution_id):
            raise DomainError("a region cannot move to another pair of institutions", field="pup_institution_id")
        if state.terms is not None and RegionTerms(**command.model_dump(exclude={"name"})) == state.terms:
            return []
        return [RegionDefined(**command.model_dump())]
    terms = _existing(state)
    if isinstance(command, RemoveRegion):
        return [RegionRemoved(region_id=terms.region_id, pup_institution_id=terms.pup_institution_id,
                              ops_institution_id=terms.ops_institution_id)]
    if isinstance(command, HandOverCaseload):
        if command.from_worker == command.to_worker:
            raise DomainError("a caseload is handed over to another worker", field="to_worker")
        if command.from_worker not in _workers_of(terms, command.institution_id):
            raise DomainError(f"{command.from_worker} does not serve region {terms.region_id} for "
                              f"{command.institution_id}", field="from_worker")
        return [CaseloadHandedOver(region_id=terms.region_id, **command.model_dump())]
    raise TypeError(f"unknown command {type(command).__name__}")


def _existing(state: RegionState) -> RegionTerms:
    if state.terms is None or state.removed:
        raise DomainError("region does not exist")
    return state.terms


def _workers_of(terms: RegionTerms, institution_id: str) -> set[str]:
    w = terms.workers
    if institution_id == terms.pup_institution_id:
        return {w.job_broker} | ({w.career_counsellor} if w.career_counsellor else set())
    if institution_id == terms.ops_institution_id:
        return {w.social_worker}
    return set()


def handed_over(workers: CaseWorkers, from_worker: str, to_worker: str) -> CaseWorkers:
    """The workers of a region after `from_worker`'s caseload passed to `to_worker`."""
    return CaseWorkers(**{role: (to_worker if who == from_worker else who)
                          for role, who in workers.model_dump().items()})


def evolve(state: RegionState, event: BaseModel) -> RegionState:
    if isinstance(event, RegionDefined):
        return RegionState(RegionTerms(**event.model_dump(exclude={"name"})))
    if isinstance(event, RegionRemoved):
        return RegionState(state.terms, removed=True)
    if isinstance(event, CaseloadHandedOver) and state.terms is not None:
        workers = handed_over(state.terms.workers, event.from_worker, event.to_worker)
        return RegionState(state.terms.model_copy(update={"workers": workers}))
    return state


decider: Decider[BaseModel, RegionState] = Decider(STREAM_TYPE, RegionState, decide, evolve)
