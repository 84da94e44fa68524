"""Replaying one client's story through the services' HTTP APIs, as the workers would click it.

Events the services derive themselves (sharing, region assignment, a referral's plan step) are not sent: the
services make them. Ids the APIs accept from the caller (steps, benefits, referrals) are the story's; ids the
services assign (clients, plans, offers) are mapped; ids the caller may choose (steps, benefits, referrals) are
fresh for every run, so that sending a data set twice to one platform does not reuse them (the people, with their
PESEL numbers, are the same: a second run needs another seed). Dates the services take from their clock (a plan
step's completion) are today's: only sink (b) reproduces the story's dates exactly.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from pydantic import BaseModel

from libs.events.envelope import Actor
from libs.events.ids import derived_id
from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from tools.demo_data.events import StoryEvent
from tools.demo_data.tokens import ActorTokens


class ReplayError(RuntimeError):
    """A service refused a step of the story."""


def headers(tokens: ActorTokens, actor: Actor, version: int | None = None) -> dict[str, str]:
    """The actor's Authorization header, with If-Match when a version is given."""
    h = tokens.header(actor)
    if version is not None:
        h["If-Match"] = f'"{version}"'
    return h


def body(payload: BaseModel, *fields: str) -> dict[str, Any]:
    data: dict[str, Any] = payload.model_dump(mode="json", include=set(fields))
    return data


async def ok(answer: httpx.Response) -> dict[str, Any]:
    if answer.status_code >= 300:
        raise ReplayError(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:500]}")
    return dict(answer.json()) if answer.content else {}


async def eventually(probe: Callable[[], Awaitable[bool]], what: str | Callable[[], str],
                     within: float = 180.0) -> None:
    """Wait for another service to catch up from Kafka (plans learning of a shared client, a referral's step)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise ReplayError(f"gave up waiting for {what() if callable(what) else what} after {within:.0f}s")
        await asyncio.sleep(0.1)


class ClientReplay:
    """Sends one story; `ids` maps the story's server-assigned ids (clients, plans, offers) to the real ones."""

    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str], offers: dict[uuid.UUID, str],
                 tokens: ActorTokens) -> None:
        self.http, self.urls, self.offers, self.tokens = http, urls, offers, tokens
        self.client: str | None = None
        self.plan: str | None = None
        self.ids: dict[uuid.UUID, uuid.UUID] = {}

    def headers(self, actor: Actor, version: int | None = None) -> dict[str, str]:
        return headers(self.tokens, actor, version)

    def fresh(self, story_id: uuid.UUID) -> str:
        """The id this run uses for an id of the story the caller may choose (a step, a benefit, a referral)."""
        return str(self.ids.setdefault(story_id, uuid.uuid4()))

    async def replay(self, story: list[StoryEvent]) -> None:
        for event in story:
            if not event.derived:
                await self.send(event.payload, event.actor)

    async def send(self, e: BaseModel, actor: Actor) -> None:
        if isinstance(e, c.ClientRegistered):
            record = await ok(await self.http.post(f"{self.urls['clients']}/clients", headers=self.headers(actor),
                                                   json=body(e, "institution_id", "institution_kind", "identity",
                                                             "address", "contact", "registered_on")))
            self.client = record["client_id"]
        elif isinstance(e, c.UnemploymentStatusChanged):
            await self._client_post("/unemployment-status", actor, body(
                e, "status", "reason", "effective_on", "with_benefit_right"))
        elif isinstance(e, c.ClientProfileUpdated):
            sections = e.model_dump(mode="json", exclude={"client_id", "institution_id"}, exclude_none=True)
            await ok(await self.http.patch(f"{self._client_url}/profile", json=sections,
                                           headers=self.headers(actor, await self._client_version(actor))))
        elif isinstance(e, c.BenefitGranted):
            await self._client_post("/benefits", actor, {**body(e, "kind", "basis", "monthly_amount", "period"),
                                                         "benefit_id": self.fresh(e.benefit_id)})
        elif isinstance(e, c.BenefitEnded):
            await ok(await self.http.post(f"{self._client_url}/benefits/{self.fresh(e.benefit_id)}/end", json={
                "on": e.ended_on.isoformat(), "reason": e.reason},
                headers=self.headers(actor, await self._client_version(actor))))
        elif isinstance(e, c.IncomeDeclared):
            await self._client_post("/incomes", actor, body(e, "source", "monthly_amount", "period",
                                                            "declared_by_client"))
        elif isinstance(e, c.ClientAddressChanged):
            await ok(await self.http.put(f"{self._client_url}/address", json=e.address.model_dump(mode="json"),
                                         headers=self.headers(actor, await self._client_version(actor))))
        elif isinstance(e, p.PlanOpened):
            await self._open_plan(actor)
        elif isinstance(e, m.ReferralIssued | m.ReferralOutcomeRecorded):
            await self._referral(e, actor)
        else:
            await self._plan_change(e, actor)

    @property
    def _client_url(self) -> str:
        return f"{self.urls['clients']}/clients/{self.client}"

    async def _client_version(self, actor: Actor) -> int:
        answer = await ok(await self.http.get(self._client_url, headers=self.headers(actor)))
        return int(answer["version"])

    async def _client_post(self, path: str, actor: Actor, json: dict[str, Any]) -> None:
        await ok(await self.http.post(f"{self._client_url}{path}", json=json, headers=self.headers(actor)))

    async def _open_plan(self, actor: Actor) -> None:
        async def shared() -> bool:
            answer = await self.http.get(f"{self.urls['plans']}/clients/{self.client}/sharing",
                                         headers=self.headers(actor))
            return answer.status_code == 200 and any(s["usable_today"] for s in answer.json())

        await eventually(shared, f"the plans service to learn that client {self.client} is shared")
        plan = await ok(await self.http.post(f"{self.urls['plans']}/plans", headers=self.headers(actor),
                                             json={"client_id": self.client}))
        self.plan = plan["plan_id"]

    async def _plan_change(self, e: BaseModel, actor: Actor) -> None:
        step = getattr(e, "step_id", None)
        path, json = _plan_request(e, self.fresh(step) if step else "")
        if isinstance(e, p.PlanStepAdded):
            json["step_id"] = self.fresh(e.step_id)
        version = (await ok(await self.http.get(f"{self.urls['plans']}/plans/{self.plan}",
                                                headers=self.headers(actor))))["version"]
        await ok(await self.http.post(f"{self.urls['plans']}/plans/{self.plan}{path}", json=json,
                                      headers=self.headers(actor, version)))

    async def _step_status(self, step_id: str, actor: Actor) -> str | None:
        answer = await self.http.get(f"{self.urls['plans']}/plans/{self.plan}/steps/{step_id}",
                                     headers=self.headers(actor))
        return str(answer.json()["status"]) if answer.status_code == 200 else None

    async def _referral(self, e: m.ReferralIssued | m.ReferralOutcomeRecorded, actor: Actor) -> None:
        if isinstance(e, m.ReferralIssued):
            assert e.step_id is not None
            referral_id = self.fresh(e.referral_id)
            self.ids[e.step_id] = derived_id("referral-step", uuid.UUID(referral_id))  # the matching service's id
            json = {"client_id": self.client, "offer_id": self.offers[e.offer_id], "plan_id": self.plan,
                    "referral_id": referral_id}
            url = f"{self.urls['matching']}/referrals?today={e.issued_on.isoformat()}"

            last: list[str] = []

            async def issued() -> bool:  # the matching service may not have read the client's events yet
                answer = await self.http.post(url, json=json, headers=self.headers(actor))
                if answer.status_code == 201:
                    return True
                scores = await self.http.get(f"{self.urls['matching']}/clients/{self.client}/offers",
                                             params={"today": e.issued_on.isoformat()})
                blocking = [c["code"] for s in (scores.json() if scores.status_code == 200 else [])
                            if s["offer_id"] == json["offer_id"] for c in s["components"] if c["points"] == 0]
                last[:] = [f"{answer.status_code} {answer.text[:200]} {blocking}"]
                return False

            await eventually(issued, lambda: f"the referral of client {self.client} (last answer: {last})")
            step_id, wanted = self.fresh(e.step_id), {"scheduled"}
        else:
            await ok(await self.http.post(f"{self.urls['matching']}/referrals/{self.fresh(e.referral_id)}/outcome",
                                          headers=self.headers(actor), json=body(e, "outcome", "recorded_on", "note")))
            endings = {m.ReferralOutcome.REFUSED: {"failed"}, m.ReferralOutcome.EMPLOYED: {"completed"}}
            if e.outcome not in endings:
                return
            step_id, wanted = str(derived_id("referral-step", uuid.UUID(self.fresh(e.referral_id)))), endings[e.outcome]

        async def step_done() -> bool:
            return await self._step_status(step_id, actor) in wanted

        await eventually(step_done, f"the plan step of referral {e.referral_id}")


def _plan_request(e: BaseModel, step: str) -> tuple[str, dict[str, Any]]:
    """The plans API's path and body for a plan event a worker causes (`step`: the run's id of its step)."""
    if isinstance(e, p.SocialContractConcluded):
        return "/social-contract", body(e, "contract_number", "valid", "goals")
    if isinstance(e, p.IpdConcluded):
        return "/ipd", body(e, "ipd_number", "valid", "goals")
    if isinstance(e, p.PlanStepAdded):
        return "/steps", body(e, "instrument", "title", "planned", "social_preparation", "funded_by")
    if isinstance(e, p.PlanStepScheduled):
        return f"/steps/{step}/schedule", body(e, "scheduled")
    if isinstance(e, p.PlanStepCompleted):
        return f"/steps/{step}/complete", body(e, "outcome")
    if isinstance(e, p.PlanStepFailed):
        return f"/steps/{step}/fail", body(e, "reason", "note")
    if isinstance(e, p.PlanStepCancelled):
        return f"/steps/{step}/cancel", body(e, "reason")
    if isinstance(e, p.SocialPreparationWaived):
        return "/waive-social-preparation", body(e, "reason")
    if isinstance(e, p.PlanReviewed):
        return "/review", body(e, "summary")
    if isinstance(e, p.PlanClosed):
        return "/close", body(e, "outcome")
    raise ReplayError(f"no HTTP request replays {type(e).__name__}")
