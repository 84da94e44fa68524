"""HTTP conventions shared by every service: error bodies, body size limit, If-Match."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.events.auth.policy import AccessDenied
from libs.events.auth.special_category import without_special_categories
from libs.events.auth.verifier import Unauthorized
from libs.events.decider import DomainError, Forbidden
from libs.events.envelope import RecordedEvent
from libs.events.errors import ConcurrencyError, StreamNotFound
from libs.events.personal_data import KeyUnavailable


class ErrorBody(BaseModel):
    """Every error answer: what went wrong, and where (the field, the versions at stake) when it is known."""

    model_config = ConfigDict(extra="allow")

    detail: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None
    current_version: int | None = None


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "model": ErrorBody}


# The error answers any route may give; documented on every operation so that clients (and the schema fuzzing
# in tests/fuzz) know them.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("malformed request"),
    401: _error("no valid access token (missing, expired, wrong issuer or audience); see WWW-Authenticate"),
    403: _error("the acting institution or role may not do this"),
    404: _error("no such resource"),
    409: _error("a rule refused the change, or the version in If-Match is stale (current_version says which)"),
    413: _error("the request body is larger than allowed"),
    415: _error("unsupported content type"),
    422: _error("a field is invalid (named in `field` / `errors`)"),
    428: _error("If-Match with the version last read is required"),
    429: _error("too many requests from this user; retry after the seconds in Retry-After"),
}


class NotFound(LookupError):
    """A resource that does not exist (answered with 404)."""


class PreconditionRequired(Exception):
    """A change without If-Match (answered with 428): every change must say which version it saw."""


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    """Answer every expected failure with a JSON body that names the field or the version at stake."""

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(e["loc"])), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse({"detail": f"invalid request: {summary}", "errors": errors}, status_code=422)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, exc: ConcurrencyError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc), "current_version": exc.actual, "expected_version": exc.expected},
            status_code=409, headers={"ETag": etag(exc.actual)})

    @app.exception_handler(StreamNotFound)
    async def missing_stream(_: Request, exc: StreamNotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(KeyUnavailable)
    async def erased(_: Request, exc: KeyUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "client_id": exc.subject}, status_code=410)

    @app.exception_handler(NotFound)
    async def missing(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(DomainError)
    async def refused(_: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"detail": str(exc), **{k: str(v) for k, v in exc.details.items()}}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(body, status_code=409)

    @app.exception_handler(Unauthorized)
    async def unauthorized(_: Request, exc: Unauthorized) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "field": "Authorization"}, status_code=401,
                            headers={"WWW-Authenticate": www_authenticate(exc)})

    @app.exception_handler(AccessDenied)
    async def denied(_: Request, exc: AccessDenied) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "rule": exc.rule}, status_code=403)

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(PreconditionRequired)
    async def precondition(_: Request, exc: PreconditionRequired) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "field": "If-Match"}, status_code=428)


def www_authenticate(exc: Unauthorized) -> str:
    """The RFC 6750 challenge: no error code when no token was sent, else the error and its description."""
    if not exc.error:
        return 'Bearer realm="pzw"'
    description = str(exc).replace('"', "'")
    return f'Bearer realm="pzw", error="{exc.error}", error_description="{description}"'


def etag(version: int) -> str:
    """The ETag of a stream version."""
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    """The stream version named by an If-Match header; a change without one is refused."""
    if not if_match:
        raise PreconditionRequired("If-Match header with the version you last read is required for changes")
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise DomainError(f"If-Match must be a version number such as \"3\", got {if_match!r}", field="If-Match")
    return int(value)


def optional_expected_version(if_match: str | None) -> int | None:
    """For appending new facts (no read-modify-write): If-Match is checked when given, not required."""
    return expected_version(if_match) if if_match else None


IfMatch = Annotated[str | None, Header(alias="If-Match")]


class BodySizeLimit:
    """ASGI middleware answering 413 when a request body exceeds `max_bytes` (declared or streamed).

    `limits` gives paths their own limit by prefix (e.g. {"/imports/": 200_000_000}); the longest prefix wins.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits = sorted((limits or {}).items(), key=lambda item: -len(item[0]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = next((n for prefix, n in self.limits if scope["path"].startswith(prefix)), self.max_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._too_large(send, limit)

    async def _too_large(self, send: Send, limit: int) -> None:
        body = JSONResponse({"detail": f"request body exceeds {limit} bytes", "field": "body"},
                              status_code=413).body
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class EventView(BaseModel):
    """One stored event as history endpoints show it."""

    event_id: uuid.UUID
    type: str
    schema_version: int
    stream_version: int
    global_position: int
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, str]
    data: dict[str, Any]
    erased: list[str] = Field(default_factory=list, description="personal fields that were erased (null in data)")
    withheld: list[str] = Field(default_factory=list, description="special-category fields of the event not shown "
                                "to the caller's role")

    @classmethod
    def of(cls, e: RecordedEvent, withhold_special: bool = False) -> EventView:
        """The event as history endpoints show it; special-category fields left out when `withhold_special`."""
        data: dict[str, Any] = e.payload.model_dump(mode="json", warnings=False)
        withheld: list[str] = []
        if withhold_special:
            data, withheld = without_special_categories(type(e.payload), data)
        return cls(event_id=e.event_id, type=e.event_type, schema_version=e.schema_version,
                   stream_version=e.stream_version, global_position=e.global_position, occurred_at=e.occurred_at,
                   recorded_at=e.recorded_at, actor=e.metadata.actor.model_dump(), data=data, withheld=withheld,
                   erased=list(e.erased))
