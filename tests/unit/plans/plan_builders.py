"""Given-when-then helpers for the joint plan's decider: the cast (PUP, OPS, CIS), an opened plan, commands."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from libs.events.envelope import Actor
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.plans import Instrument, IpzsGoal, PlanOpened, PlanParty
from services.plans.domain.commands import AddStep, CompleteStep, OpenPlan, ScheduleStep, SignIpzs
from services.plans.domain.plan import decider
from services.plans.domain.plan_state import PlanState

TODAY = date(2026, 11, 2)
PLAN_ID = uuid.UUID("0190b7a2-0000-7000-8000-00000000a001")
CLIENT_ID = uuid.UUID("0190b7a2-0000-7000-8000-00000000c001")
AGREEMENT_ID = uuid.UUID("0190b7a2-0000-7000-8000-00000000d001")

PUP_ID, OPS_ID, CIS_ID, OTHER_CIS_ID, STRANGER_ID = "PUP-2473", "MOPS-2473", "CIS-2473", "CIS-2474", "PUP-9999"
JOB_BROKER = Actor(user="anna.nowak@pup-2473", institution=PUP_ID, role="job_broker")
SOCIAL_WORKER = Actor(user="ewa.lis@mops-2473", institution=OPS_ID, role="social_worker")
OPS_ASSISTANT = Actor(user="jan.maj@mops-2473", institution=OPS_ID, role="assistant")
CIS_WORKER = Actor(user="olga.wrona@cis-2473", institution=CIS_ID, role="social_worker")
OTHER_CIS_WORKER = Actor(user="piotr.sowa@cis-2474", institution=OTHER_CIS_ID, role="social_worker")
STRANGER = Actor(user="someone@pup-9999", institution=STRANGER_ID, role="job_broker")

PUP = PlanParty(institution_id=PUP_ID, institution_kind=InstitutionKind.PUP, worker=JOB_BROKER.user)
OPS = PlanParty(institution_id=OPS_ID, institution_kind=InstitutionKind.OPS, worker=SOCIAL_WORKER.user)


def days(n: int) -> date:
    """TODAY plus `n` days."""
    return TODAY + timedelta(days=n)


def period(start: int = 0, end: int | None = 30) -> Period:
    """A period from TODAY+start to TODAY+end days (open-ended when end is None)."""
    return Period(from_=days(start), to=None if end is None else days(end))


def open_plan(actor: Actor = JOB_BROKER, *, social_preparation_first: bool = True) -> OpenPlan:
    return OpenPlan(actor=actor, today=TODAY, plan_id=PLAN_ID, client_id=CLIENT_ID, agreement_id=AGREEMENT_ID,
                    pup=PUP, ops=OPS, social_preparation_first=social_preparation_first)


def opened(*, social_preparation_first: bool = True) -> list[BaseModel]:
    """The history of a freshly opened plan."""
    return [PlanOpened(plan_id=PLAN_ID, client_id=CLIENT_ID, agreement_id=AGREEMENT_ID, pup=PUP, ops=OPS,
                       social_preparation_first=social_preparation_first, opened_on=TODAY)]


def step_id(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x5000 + n)


def add_step(actor: Actor, instrument: Instrument, n: int = 1, **changes: Any) -> AddStep:
    fields: dict[str, Any] = {"actor": actor, "today": TODAY, "step_id": step_id(n), "instrument": instrument,
                              "title": f"{instrument.value} for the client", "planned": period(1, 60)}
    return AddStep(**{**fields, **changes})


def schedule(actor: Actor, n: int = 1, **changes: Any) -> ScheduleStep:
    fields: dict[str, Any] = {"actor": actor, "today": TODAY, "step_id": step_id(n), "scheduled": period(7, 30)}
    return ScheduleStep(**{**fields, **changes})


def complete(actor: Actor, n: int = 1, **changes: Any) -> CompleteStep:
    fields: dict[str, Any] = {"actor": actor, "today": TODAY, "step_id": step_id(n), "outcome": "done"}
    return CompleteStep(**{**fields, **changes})


def sign_ipzs(actor: Actor = CIS_WORKER, ipzs: int = 1, **changes: Any) -> SignIpzs:
    fields: dict[str, Any] = {"actor": actor, "today": TODAY, "ipzs_id": uuid.UUID(int=0x1000 + ipzs),
                              "main_goal": IpzsGoal.OPEN_MARKET_EMPLOYMENT}
    return SignIpzs(**{**fields, **changes})


def when(history: Sequence[BaseModel], command: BaseModel) -> list[BaseModel]:
    """The events `command` produces after `history`."""
    return list(decider.decide(command, decider.fold(history)))


def given(history: Sequence[BaseModel], *commands: BaseModel) -> list[BaseModel]:
    """`history` extended by the events of each command in turn (each must be accepted)."""
    events = list(history)
    for command in commands:
        events += when(events, command)
    return events


def state_of(history: Sequence[BaseModel]) -> PlanState:
    return decider.fold(history)
