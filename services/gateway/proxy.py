"""/api/<service>/<path>: the services' APIs through the gateway, streamed both ways (uploads, CSV, SSE), with
the user's identity added and the browser's cookies kept back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from services.gateway.csrf import check_header
from services.gateway.sessions import Session
from services.gateway.upstream import SignedOut, Upstream

router = APIRouter(tags=["api"])

# Hop-by-hop headers (RFC 9110 7.6.1) and what must not cross: the browser's cookies and any identity it claims.
DROPPED_REQUEST = frozenset({"host", "connection", "keep-alive", "proxy-authorization", "te", "trailer",
                             "transfer-encoding", "upgrade", "cookie", "authorization", "x-actor-user",
                             "x-actor-institution", "x-actor-role", "x-csrf-token", "content-length"})
DROPPED_RESPONSE = frozenset({"connection", "keep-alive", "transfer-encoding", "upgrade", "set-cookie",
                              "content-length", "trailer"})
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@router.api_route("/api/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def forward(service: str, path: str, request: Request) -> Response:
    """Pass the request on to the service named in the path; 401 without sign-in, 403 without the CSRF header."""
    upstream: Upstream = request.app.state.upstream
    if service not in upstream.urls:
        raise HTTPException(404, detail=f"no service {service!r}; there are {sorted(upstream.urls)}")
    session: Session = request.state.session
    check_header(request, session)
    try:
        identity = await upstream.headers(session)
    except SignedOut:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_REQUEST}
    body = request.stream() if request.method in ("POST", "PUT", "PATCH") else None
    outgoing = upstream.http.build_request(
        request.method, f"{upstream.urls[service]}/{path}", params=request.query_params.multi_items(),
        headers={**headers, **identity}, content=body,
        timeout=httpx.Timeout(upstream.http.timeout.connect, read=None, write=None, pool=None))
    try:
        answer = await upstream.http.send(outgoing, stream=True)
    except httpx.HTTPError as exc:
        return JSONResponse({"detail": f"{service} is not reachable: {type(exc).__name__}"}, status_code=502)
    kept = {k: v for k, v in answer.headers.items() if k.lower() not in DROPPED_RESPONSE}
    if answer.headers.get("content-type", "").startswith("text/event-stream"):
        kept["X-Accel-Buffering"] = "no"  # proxies in front must not hold events back
    return StreamingResponse(_chunks(answer), status_code=answer.status_code, headers=kept,
                             background=BackgroundTask(answer.aclose))


async def _chunks(answer: httpx.Response) -> AsyncIterator[bytes]:
    async for chunk in answer.aiter_raw():
        yield chunk
