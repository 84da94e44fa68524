"""HTTP routes of the in-app inbox: list, mark read, and the live stream (Server-Sent Events)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from libs.events.auth import current_actor
from libs.events.envelope import Actor
from services.notifications.application.inbox import InboxApplication, decode_cursor
from services.notifications.application.live import LiveHub
from services.notifications.entrypoints.models import InboxItem, InboxView

router = APIRouter(tags=["inbox"])

ActorDep = Annotated[Actor, Depends(current_actor)]


def _inbox(request: Request) -> InboxApplication:
    inbox: InboxApplication = request.app.state.inbox
    return inbox


def _hub(request: Request) -> LiveHub:
    hub: LiveHub = request.app.state.live
    return hub


InboxDep = Annotated[InboxApplication, Depends(_inbox)]
HubDep = Annotated[LiveHub, Depends(_hub)]


@router.get("/inbox", response_model=InboxView, responses={422: {"description": "invalid limit or cursor"}})
async def inbox(
    actor: ActorDep, app: InboxDep,
    limit: Annotated[int, Query(ge=1, le=200, description="items per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
    unread_only: Annotated[bool, Query(description="only notifications not read yet")] = False,
) -> InboxView:
    """The acting worker's in-app notifications, newest first, with the unread count."""
    try:
        before = decode_cursor(cursor) if cursor else None
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("query", "cursor"), "msg": str(exc), "type": "value_error"}]) from None
    page = await app.page(actor, limit=limit, before=before, unread_only=unread_only)
    return InboxView(items=[InboxItem.of(n) for n in page.items], unread=page.unread, next_cursor=page.next_cursor)


@router.post("/inbox/{notification_id}/read", response_model=InboxItem,
             responses={404: {"description": "no such notification in the acting worker's inbox"}})
async def mark_read(notification_id: uuid.UUID, actor: ActorDep, app: InboxDep) -> InboxItem:
    """Mark a notification read (NotificationRead); reading it again changes nothing."""
    return InboxItem.of(await app.mark_read(notification_id, actor))


@router.get("/inbox/stream", response_class=EventSourceResponse, responses={200: {
    "description": "text/event-stream: `ready` (data: {\"unread\": n}) once connected, then one `notification` "
                   "event (id: notification id, data: the inbox item) per new in-app notification",
    "content": {"text/event-stream": {}}}})
async def stream(actor: ActorDep, app: InboxDep, hub: HubDep, request: Request) -> EventSourceResponse:
    """New in-app notifications of the acting worker, pushed as they are stored (Server-Sent Events)."""
    ping = request.app.state.live_ping_seconds

    async def events() -> AsyncIterator[ServerSentEvent]:
        # Subscribed before `ready` is sent and before the unread count is read: a notification stored after
        # the client saw `ready` is always pushed (one stored in between may be counted and pushed both).
        with hub.subscribe(actor.user, actor.institution) as queue:
            unread = await app.unread(actor)
            yield ServerSentEvent(event="ready", data=f'{{"unread": {unread}}}')
            while True:
                sent = await queue.get()
                yield ServerSentEvent(event="notification", id=str(sent.notification_id),
                                      data=InboxItem.sent(sent).model_dump_json())

    return EventSourceResponse(events(), ping=ping)
