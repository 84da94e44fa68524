"""HTTP routes of a worker's preferences and of the routing rules in force."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from libs.events.auth import current_actor
from libs.events.envelope import Actor
from libs.events.schemas.notifications import NotificationKind
from services.notifications.application.inbox import InboxApplication
from services.notifications.domain.preferences import Preferences
from services.notifications.entrypoints.models import KindView, PreferencesRequest, PreferencesView

router = APIRouter(tags=["preferences"])

ActorDep = Annotated[Actor, Depends(current_actor)]


def _inbox(request: Request) -> InboxApplication:
    inbox: InboxApplication = request.app.state.inbox
    return inbox


InboxDep = Annotated[InboxApplication, Depends(_inbox)]


def _view(actor: Actor, app: InboxApplication, preferences: Preferences, updated_at: datetime | None
          ) -> PreferencesView:
    channels = {k: list(v) for k, v in preferences.effective(app.rules).items()}
    return PreferencesView(user=actor.user, email=preferences.email, digest=preferences.digest, channels=channels,
                           updated_at=updated_at)


@router.get("/preferences", response_model=PreferencesView)
async def get_preferences(actor: ActorDep, app: InboxDep) -> PreferencesView:
    """The acting worker's preferences in force (the routing file's defaults until they set their own)."""
    preferences, updated_at = await app.preferences(actor)
    return _view(actor, app, preferences, updated_at)


@router.put("/preferences", response_model=PreferencesView, responses={
    422: {"description": "unknown kind or channel, invalid address, or e-mail/digest without an address"}})
async def put_preferences(body: PreferencesRequest, actor: ActorDep, app: InboxDep) -> PreferencesView:
    """Replace the acting worker's preferences: channels per kind, e-mail address, daily digest on/off."""
    preferences, updated_at = await app.set_preferences(actor, body.preferences())
    return _view(actor, app, preferences, updated_at)


@router.get("/routing", response_model=dict[NotificationKind, KindView])
async def routing(actor: ActorDep, app: InboxDep) -> dict[NotificationKind, KindView]:
    """Who gets which kind of notification: the routing file in force."""
    return {kind: KindView.of(rule) for kind, rule in app.rules.kinds.items()}
