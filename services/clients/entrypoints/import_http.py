"""HTTP API of imports from Syriusz (PUP) and POMOST (OPS): upload a file, follow its progress, read its report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.events.decider import Forbidden
from libs.events.http import NotFound
from libs.events.schemas.common import institution_kind
from services.clients.entrypoints.dependencies import ActorDep
from services.clients.importing.readers import FormatError
from services.clients.importing.records import SourceSystem
from services.clients.importing.report import BatchStatus, ImportAccepted, ImportReport
from services.clients.importing.service import ImportService, OpenedBatch
from services.clients.importing.upload import (
    BodyTooLarge,
    Meter,
    UnsupportedMediaType,
    discard,
    file_chunks,
    limited,
    media_type,
    reader_for,
    spool,
)

router = APIRouter(tags=["imports"])


def import_service(request: Request) -> ImportService:
    service: ImportService = request.app.state.imports
    return service


ImportsDep = Annotated[ImportService, Depends(import_service)]

_CSV = ("id_syriusz;pesel;imie;nazwisko;gmina;teryt;kod_pocztowy;miejscowosc;ulica;nr_domu;wyksztalcenie;zawod;"
        "historia_zatrudnienia;data_rejestracji;status;prawo_do_zasilku;zasilek_kwota;zasilek_od;zasilek_do\n"
        "S-000123;44051401359;Jan;Kowalski;Siemianowice Śląskie;2474011;41-100;Siemianowice Śląskie;"
        "Jana Pawła II;10;zasadnicze zawodowe;ślusarz;2015-03-01..2018-06-30~ślusarz~Huta Łabędy S.A.;"
        "2026-10-01;zarejestrowany;T;1304,70;2026-10-09;2027-04-08\n")
_NDJSON = ('{"source": "POMOST", "institution_id": "MOPS-2473", "exported_at": "2026-11-02T08:00:00+01:00"}\n'
           '{"external_id": "P-77", "identity": {"pesel": "44051401359", "first_name": "Jan", "last_name": '
           '"Kowalski", "birth_date": "1944-05-14"}, "address": {"gmina": "Siemianowice Śląskie", "postal_code": '
           '"41-100", "city": "Siemianowice Śląskie"}, "household": {"members": 3, "dependants": 1}}\n')
_BODY: dict[str, Any] = {"requestBody": {"required": True, "description": "the export, streamed (see "
                         "docs/import-formats.md)", "content": {
                             "text/csv": {"schema": {"type": "string"}, "example": _CSV},
                             "application/x-ndjson": {"schema": {"type": "string"}, "example": _NDJSON},
                             "application/json": {"schema": {"type": "object"}}}}}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {"model": ImportAccepted, "description": "?async=true: accepted, follow GET /imports/{batch_id}"},
    403: {"description": "Syriusz files come from a PUP, POMOST files from an OPS; or another institution's file"},
    413: {"description": "body above max_import_bytes"},
    415: {"description": "not text/csv, application/json or application/x-ndjson"},
    422: {"description": "malformed CSV header or JSON structure (named in `field`); bad rows are in the report"},
}


def _problem(status: int, detail: str, field: str, batch: OpenedBatch | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail, "field": field}
    if batch is not None:  # rows before the failure are applied: their report is there
        body["batch_id"] = str(batch.ref.batch_id)
    return JSONResponse(body, status_code=status)


@router.post("/imports/{source}", response_model=ImportReport, responses=_ANSWERS, openapi_extra=_BODY)
async def import_clients(
    source: SourceSystem, request: Request, actor: ActorDep, imports: ImportsDep,
    run_async: Annotated[bool, Query(alias="async", description="answer 202 at once and import in the "
                                                                "background")] = False,
    exported_at: Annotated[datetime | None, Query(description="when the file was exported (CSV has no header "
                                                              "for it; JSON carries exported_at)")] = None,
) -> JSONResponse:
    """Import a Syriusz or POMOST export: each valid row registers or updates the person, bad rows are reported.

    The body is read as it arrives (never whole); format by Content-Type: text/csv (charset utf-8 or
    windows-1250), application/json, application/x-ndjson. Re-importing the same file changes nothing.
    """
    if institution_kind(actor.institution) != source.institution_kind:
        raise Forbidden(f"a {source.value} file is imported by a {source.institution_kind.value}, "
                        f"not by {actor.institution}")
    try:
        fmt, charset = media_type(request.headers.get("content-type"))
    except UnsupportedMediaType as exc:
        return _problem(415, str(exc), "content-type")
    except FormatError as exc:
        return _problem(422, str(exc), exc.field)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > imports.max_bytes:
        return _problem(413, str(BodyTooLarge(imports.max_bytes)), "body")
    meter = Meter()
    chunks = limited(request.stream(), imports.max_bytes, meter)
    batch: OpenedBatch | None = None
    try:
        if run_async:
            # The upload is spooled to disk first: the response ends the request, and the body with it.
            path = await spool(chunks)
            try:
                batch = await imports.open(reader_for(fmt, charset, file_chunks(path), source), source, actor,
                                           meter, exported_at)
            except BaseException:
                discard(path)
                raise
            imports.start(batch, cleanup=lambda: discard(path))
            accepted = ImportAccepted(batch_id=batch.ref.batch_id, status=BatchStatus.RUNNING,
                                      report=f"/imports/{batch.ref.batch_id}")
            return JSONResponse(accepted.model_dump(mode="json"), status_code=202,
                                headers={"Location": accepted.report})
        batch = await imports.open(reader_for(fmt, charset, chunks, source), source, actor, meter, exported_at)
        report = await imports.run(batch)
        return JSONResponse(report.model_dump(mode="json"), headers={"Location": f"/imports/{report.batch_id}"})
    except BodyTooLarge as exc:
        return _problem(413, str(exc), "body", batch)
    except FormatError as exc:
        return _problem(422, str(exc), exc.field, batch)


@router.get("/imports/{batch_id}", response_model=ImportReport,
            responses={403: {"description": "a batch of another institution"}, 404: {"description": "no batch"}})
async def import_report(
    batch_id: uuid.UUID, actor: ActorDep, imports: ImportsDep,
    offset: Annotated[int, Query(ge=0, description="rejected rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000, description="rejected rows to list")] = 1000,
) -> ImportReport:
    """The batch's report; while it runs, its progress (rows_processed and the counts so far)."""
    report = await imports.report(batch_id, actor.institution, offset, limit)
    if report is None:
        raise NotFound(f"no import batch {batch_id}")
    return report
