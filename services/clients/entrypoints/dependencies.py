"""FastAPI dependencies of the clients service: the use cases and the acting person."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from libs.events.auth import current_actor
from libs.events.envelope import Actor
from services.clients.application.clients import ClientsApplication
from services.clients.application.cooperation import CooperationApplication


def clients_app(request: Request) -> ClientsApplication:
    app: ClientsApplication = request.app.state.clients
    return app


def cooperation_app(request: Request) -> CooperationApplication:
    app: CooperationApplication = request.app.state.cooperation
    return app


ActorDep = Annotated[Actor, Depends(current_actor)]
ClientsDep = Annotated[ClientsApplication, Depends(clients_app)]
CooperationDep = Annotated[CooperationApplication, Depends(cooperation_app)]
