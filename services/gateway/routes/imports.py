"""Import upload (Syriusz for a PUP, POMOST for an OPS) and the reconciliation report."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.gateway.csrf import CsrfForm
from services.gateway.upstream import UpstreamError
from services.gateway.web import back, render, session_of, upstream_of, user_of

router = APIRouter(tags=["screens"])

SOURCES = {"PUP": "syriusz", "OPS": "pomost"}
MEDIA_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".ndjson": "application/x-ndjson",
               ".jsonl": "application/x-ndjson"}
CHUNK = 256 * 1024


def source_for(institution: str) -> str | None:
    """The import source of an institution: Syriusz files for a PUP, POMOST files for an OPS/MOPS/GOPS."""
    kind = institution.split("-", 1)[0]
    return SOURCES.get("OPS" if kind in ("OPS", "MOPS", "GOPS") else kind)


def media_type_of(filename: str, charset: str) -> str | None:
    suffix = filename[filename.rfind("."):].lower() if "." in filename else ""
    media = MEDIA_TYPES.get(suffix)
    return media.replace("utf-8", charset) if media and suffix == ".csv" else media


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


@router.get("/imports")
async def imports_page(request: Request) -> Response:
    """The upload form (formats: docs/import-formats.md)."""
    user = user_of(request)
    return await render(request, "imports.html", source=source_for(user.institution), report=None)


@router.post("/imports")
async def upload(request: Request, form: CsrfForm) -> Response:
    """Stream the uploaded file to the clients service and show its report."""
    user, session = user_of(request), session_of(request)
    source, upload = source_for(user.institution), form.get("file")
    charset = "windows-1250" if form.get("charset") == "windows-1250" else "utf-8"
    if source is None or not isinstance(upload, UploadFile) or not upload.filename:
        session.flash("error", "import_choose_file")
        return back("/imports")
    media = media_type_of(upload.filename, charset)
    if media is None:
        session.flash("error", "import_unknown_format")
        return back("/imports")
    try:
        answer = await upstream_of(request).call(session, "POST", "clients", f"/imports/{source}",
                                                 content=_chunks(upload), headers={"Content-Type": media})
    except UpstreamError as exc:
        session.flash("error", exc.detail)
        return back("/imports")
    return back(f"/imports/{answer.json()['batch_id']}")


@router.get("/imports/{batch_id}")
async def report(batch_id: uuid.UUID, request: Request) -> Response:
    """The reconciliation report of a batch: created, shared, updated, unchanged, rejected rows and why."""
    user = user_of(request)
    body = await upstream_of(request).json(session_of(request), "clients", f"/imports/{batch_id}")
    return await render(request, "imports.html", source=source_for(user.institution), report=body)
