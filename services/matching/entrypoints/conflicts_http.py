"""HTTP API of conflicts: the inbox, resolution, and what-if runs of changed rules."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from libs.events.access_log import ReaderDep
from libs.events.auth import current_actor
from libs.events.decider import DomainError
from libs.events.envelope import Actor
from libs.events.errors import StreamNotFound
from libs.events.http import IfMatch, etag, optional_expected_version
from libs.events.schemas.conflicts import Resolution
from services.matching.application.conflicts import ConflictsApplication
from services.matching.application.what_if import replay_facts, report
from services.matching.conflicts.ruleset import parse_rules
from services.matching.domain.conflict import Resolve

router = APIRouter(tags=["conflicts"])


def conflicts_app(request: Request) -> ConflictsApplication:
    app: ConflictsApplication = request.app.state.conflicts
    return app


ConflictsDep = Annotated[ConflictsApplication, Depends(conflicts_app)]
ActorDep = Annotated[Actor, Depends(current_actor)]


class ResolutionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"resolution": "confirmed", "reason": "Zasiłek okresowy wstrzymany decyzją z 2026-11-24."},
        {"resolution": "dismissed", "reason": "Klient podjął pracę dorywczą; dochód mieści się w kryterium."}]})

    resolution: Resolution
    reason: str = Field(min_length=1, max_length=2000)


# What a conflict says about the client: the benefits and statuses it compares, and why.
CONFLICT_FIELDS = ["rule", "period", "explanation", "evidence"]


@router.get("/conflicts")
async def list_conflicts(
    conflicts: ConflictsDep,
    reader: ReaderDep,
    client_id: Annotated[uuid.UUID | None, Query()] = None,
    institution_id: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(open|confirmed|dismissed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """The conflicts inbox: newest first, filtered by client, institution and status."""
    found = await conflicts.table.list(client_id=client_id, institution_id=institution_id, status=status, limit=limit)
    await reader.record([uuid.UUID(str(c["client_id"])) for c in found], reader.route, CONFLICT_FIELDS,
                        "conflict review")
    return found


@router.get("/conflicts/{conflict_id}")
async def get_conflict(conflict_id: uuid.UUID, conflicts: ConflictsDep, response: Response,
                       reader: ReaderDep) -> dict[str, Any]:
    state, version = await conflicts.get(conflict_id)
    if state.detected is None:
        raise StreamNotFound(str(conflict_id))
    await reader.record(state.detected.client_id, reader.route, CONFLICT_FIELDS, "conflict review")
    response.headers["ETag"] = etag(version)
    return {**state.detected.model_dump(mode="json"),
            "resolution": state.resolved.model_dump(mode="json") if state.resolved else None, "version": version}


@router.post("/conflicts/{conflict_id}/resolve", responses={403: {"description": "not an institution of it"},
                                                            409: {"description": "already resolved, or stale"}})
async def resolve_conflict(conflict_id: uuid.UUID, body: ResolutionBody, actor: ActorDep, conflicts: ConflictsDep,
                           response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """Confirm (and act on) or dismiss a conflict; a dismissed conflict does not return for the same evidence."""
    state, _ = await conflicts.get(conflict_id)
    if state.detected is None:
        raise StreamNotFound(str(conflict_id))
    outcome = await conflicts.resolve(conflict_id, Resolve(resolution=body.resolution, reason=body.reason,
                                                           resolved_by=actor.user,
                                                           institution_id=actor.institution),
                                      actor, optional_expected_version(if_match))
    response.headers["ETag"] = etag(outcome.version)
    assert outcome.state.resolved is not None
    return outcome.state.resolved.model_dump(mode="json")


class WhatIf(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "rules_toml": "[[rule]]\nid = \"R3\"\n...  (the whole rules file, with changed thresholds)",
        "as_of": "2026-11-23"}]})

    rules_toml: str = Field(min_length=1, max_length=200_000, description="a complete rules file (TOML)")
    as_of: date | None = None


@router.post("/conflicts/what-if")
async def what_if(request: Request, conflicts: ConflictsDep,
                  body: Annotated[WhatIf, Body()]) -> dict[str, Any]:
    """Run a rule set over the stored history and report the conflicts it would raise; nothing is emitted."""
    try:
        rules = parse_rules(body.rules_toml)
    except (ValidationError, ValueError) as exc:
        raise DomainError(f"rules_toml is not a valid rules file: {exc}", field="rules_toml") from exc
    runtime = request.app.state.runtime
    facts, read = await replay_facts(runtime.settings.kafka_bootstrap, runtime.registry, sealer=runtime.sealer)
    known = await conflicts.table.ids()
    result = report(facts, rules, body.as_of or datetime.now(UTC).date(), known)
    return {**result, "events_read": read}
