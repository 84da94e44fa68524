"""What every plans route shares: the actor, the application, and answering a change with the plan and its ETag."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from libs.events.auth import current_actor
from libs.events.envelope import Actor
from libs.events.http import etag, expected_version
from services.plans.application.plans import PlansApplication
from services.plans.domain.commands import PlanCommand
from services.plans.entrypoints.views import PlanView, plan_view

ActorDep = Annotated[Actor, Depends(current_actor)]


def application(request: Request) -> PlansApplication:
    app: PlansApplication = request.app.state.plans
    return app


AppDep = Annotated[PlansApplication, Depends(application)]

CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "the actor's institution may not do this (each changes only its own steps and documents)"},
    404: {"description": "unknown plan"},
    409: {"description": "refused by a rule of the plan (named in `detail`), or the plan changed since the version "
                         "in If-Match (`current_version`)"},
    413: {"description": "body too large"},
    422: {"description": "invalid field (named in `errors[].field`)"},
    428: {"description": "If-Match missing"},
}


async def change(plans: PlansApplication, plan_id: uuid.UUID, command: PlanCommand, if_match: str | None,
                 response: Response) -> PlanView:
    """Run a command at the version the worker saw (If-Match) and answer with the new plan and its ETag."""
    outcome = await plans.execute(plan_id, command, expected_version(if_match))
    response.headers["ETag"] = etag(outcome.version)
    return plan_view(outcome.state, outcome.version, plans.today())
