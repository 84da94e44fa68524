"""CSRF protection: every state-changing request carries the session's token, in a form field or a header."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from services.gateway.sessions import Session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def valid(session: Session, presented: str | None) -> bool:
    return bool(presented) and secrets.compare_digest(session.csrf_token, presented or "")


def check_header(request: Request, session: Session) -> None:
    """API calls from the page's scripts: the token in X-CSRF-Token (403 when missing or wrong)."""
    if request.method in UNSAFE and not valid(session, request.headers.get(HEADER)):
        raise HTTPException(403, detail=f"missing or wrong {HEADER} header")


async def checked_form(request: Request) -> FormData:
    """The posted form, once its csrf_token field matched the session's (403 otherwise)."""
    session: Session = request.state.session
    form = await request.form(max_part_size=8 * 1024 * 1024)
    token = form.get(FIELD)
    if not valid(session, token if isinstance(token, str) else None):
        raise HTTPException(403, detail="the form's csrf_token does not match the session: reload the page")
    return form


CsrfForm = Annotated[FormData, Depends(checked_form)]
