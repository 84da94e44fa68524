"""HTTP API of cooperation: agreements (porozumienia), regions (rejony) and caseload hand-overs."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from libs.events.decider import Forbidden
from libs.events.envelope import Actor
from libs.events.errors import StreamNotFound
from libs.events.http import IfMatch, etag, expected_version
from libs.events.ids import new_id
from libs.events.schemas.clients import CaseWorkers, LegalBasis, RegionArea
from libs.events.schemas.common import InstitutionId, Period, WorkerId
from services.clients.domain.agreement import AgreementState, EndAgreement, SignAgreement
from services.clients.domain.policies import AgreementTerms, RegionTerms
from services.clients.domain.region import DefineRegion, RegionState
from services.clients.entrypoints.dependencies import ActorDep, CooperationDep

router = APIRouter(tags=["cooperation"])


class AgreementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "pup_institution_id": "PUP-2473", "ops_institution_id": "MOPS-2473",
        "valid": {"from": "2026-01-01", "to": "2028-12-31"},
        "legal_basis": {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO w zw. z ustawą z dnia 20 marca "
                        "2025 r. o rynku pracy i służbach zatrudnienia", "applies_from": "2025-06-01"},
        "social_preparation_first": True, "requires_consent": False}]})

    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    valid: Period
    legal_basis: LegalBasis
    social_preparation_first: bool = True
    requires_consent: bool = False


class AgreementEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ended_on: date
    reason: str = Field(min_length=1, max_length=500)


class AgreementView(AgreementTerms):
    version: int


class RegionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Rejon 1 – Centrum", "pup_institution_id": "PUP-2473", "ops_institution_id": "MOPS-2473",
        "area": {"postal_codes": ["41-100"], "streets": [
            {"city": "Siemianowice Śląskie", "street": "Jana Pawła II", "from_number": 1, "to_number": 40}]},
        "workers": {"job_broker": "anna.nowak@pup-2473", "career_counsellor": "jan.maj@pup-2473",
                    "social_worker": "ewa.lis@mops-2473"}, "priority": 10}]})

    name: str = Field(min_length=1, max_length=200)
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    area: RegionArea
    workers: CaseWorkers
    priority: int = 100


class RegionView(RegionTerms):
    name: str
    version: int


class Handover(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "institution_id": "MOPS-2473", "from_worker": "ewa.lis@mops-2473", "to_worker": "olga.baran@mops-2473",
        "handed_over_on": "2026-12-01"}]})

    institution_id: InstitutionId
    from_worker: WorkerId
    to_worker: WorkerId
    handed_over_on: date


class HandoverDone(BaseModel):
    regions: list[uuid.UUID]


def _party(actor: Actor, *institutions: str) -> None:
    if actor.institution not in institutions:
        raise Forbidden(f"{actor.institution} is not a party of this agreement or region")


def _agreement(state: AgreementState, version: int, agreement_id: uuid.UUID) -> AgreementView:
    if state.terms is None:
        raise StreamNotFound(str(agreement_id))
    return AgreementView(**state.terms.model_dump(), version=version)


@router.post("/agreements", status_code=201, response_model=AgreementView)
async def sign_agreement(body: AgreementCreate, actor: ActorDep, cooperation: CooperationDep,
                         response: Response) -> AgreementView:
    """Record a signed cooperation agreement between a PUP and an OPS (a party records it)."""
    _party(actor, body.pup_institution_id, body.ops_institution_id)
    agreement_id = new_id()
    outcome = await cooperation.sign_agreement(SignAgreement(agreement_id=agreement_id, **body.model_dump()), actor)
    response.headers["ETag"] = etag(outcome.version)
    return _agreement(outcome.state, outcome.version, agreement_id)


@router.get("/agreements/{agreement_id}", response_model=AgreementView, responses={404: {"description": "unknown"}})
async def get_agreement(agreement_id: uuid.UUID, cooperation: CooperationDep, response: Response) -> AgreementView:
    state, version = await cooperation.agreement(agreement_id)
    response.headers["ETag"] = etag(version)
    return _agreement(state, version, agreement_id)


@router.post("/agreements/{agreement_id}/end", response_model=AgreementView)
async def end_agreement(agreement_id: uuid.UUID, body: AgreementEnd, actor: ActorDep, cooperation: CooperationDep,
                        response: Response, if_match: IfMatch = None) -> AgreementView:
    """The agreement ends: sharing based on it stops for every client."""
    state, _ = await cooperation.agreement(agreement_id)
    if state.terms is None:
        raise StreamNotFound(str(agreement_id))
    _party(actor, state.terms.pup_institution_id, state.terms.ops_institution_id)
    outcome = await cooperation.end_agreement(agreement_id, EndAgreement(**body.model_dump()), actor,
                                              expected_version(if_match))
    response.headers["ETag"] = etag(outcome.version)
    return _agreement(outcome.state, outcome.version, agreement_id)


def _region(state: RegionState, version: int, region_id: uuid.UUID, name: str) -> RegionView:
    if state.terms is None or state.removed:
        raise StreamNotFound(str(region_id))
    return RegionView(**state.terms.model_dump(), name=name, version=version)


@router.post("/regions", status_code=201, response_model=RegionView)
async def define_region(body: RegionBody, actor: ActorDep, cooperation: CooperationDep,
                        response: Response) -> RegionView:
    """Define a region of a PUP-OPS pair; clients living there are assigned to its workers."""
    _party(actor, body.pup_institution_id, body.ops_institution_id)
    region_id = new_id()
    outcome = await cooperation.define_region(DefineRegion(region_id=region_id, **body.model_dump()), actor, 0)
    response.headers["ETag"] = etag(outcome.version)
    return _region(outcome.state, outcome.version, region_id, body.name)


@router.put("/regions/{region_id}", response_model=RegionView)
async def redefine_region(region_id: uuid.UUID, body: RegionBody, actor: ActorDep, cooperation: CooperationDep,
                          response: Response, if_match: IfMatch = None) -> RegionView:
    """Change a region's area or workers; affected clients are reassigned."""
    _party(actor, body.pup_institution_id, body.ops_institution_id)
    outcome = await cooperation.define_region(DefineRegion(region_id=region_id, **body.model_dump()), actor,
                                              expected_version(if_match))
    response.headers["ETag"] = etag(outcome.version)
    return _region(outcome.state, outcome.version, region_id, body.name)


@router.delete("/regions/{region_id}", status_code=204)
async def remove_region(region_id: uuid.UUID, actor: ActorDep, cooperation: CooperationDep,
                        if_match: IfMatch = None) -> Response:
    state, _ = await cooperation.region(region_id)
    if state.terms is None or state.removed:
        raise StreamNotFound(str(region_id))
    _party(actor, state.terms.pup_institution_id, state.terms.ops_institution_id)
    await cooperation.remove_region(region_id, actor, expected_version(if_match))
    return Response(status_code=204)


@router.get("/regions/{region_id}", response_model=RegionView)
async def get_region(region_id: uuid.UUID, cooperation: CooperationDep, response: Response) -> RegionView:
    state, version = await cooperation.region(region_id)
    names = {t.region_id: n for n, t in await cooperation.regions(None)}
    response.headers["ETag"] = etag(version)
    return _region(state, version, region_id, names.get(region_id, ""))


@router.get("/regions", response_model=list[RegionView])
async def list_regions(cooperation: CooperationDep,
                       institution_id: Annotated[str | None, Query()] = None) -> list[RegionView]:
    """Regions in force, optionally of one institution."""
    return [RegionView(**t.model_dump(), name=n, version=0) for n, t in await cooperation.regions(institution_id)]


@router.post("/handovers", response_model=HandoverDone)
async def hand_over(body: Handover, actor: ActorDep, cooperation: CooperationDep) -> HandoverDone:
    """Hand a worker's caseload to another worker of the same institution, in every region they serve."""
    _party(actor, body.institution_id)
    regions = await cooperation.hand_over(body.institution_id, body.from_worker, body.to_worker,
                                          body.handed_over_on, actor)
    return HandoverDone(regions=regions)
