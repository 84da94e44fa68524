"""The plans service, as the referral process calls it over HTTP (If-Match handled, retried when stale).

The HTTP client carries the matching service account's token (libs.events.auth.ServiceToken); each call names the
worker who issued the referral in X-On-Behalf-Of, so plans applies that worker's institution rules.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from libs.events.auth.dependency import on_behalf_of
from libs.events.envelope import Actor


class PlanChangeRefused(Exception):
    """The plans service refused a change for a domain reason (the answer's detail says which)."""


class PlansClient:
    """Adds, schedules, fails and completes plan steps on behalf of the worker who issued a referral."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    @staticmethod
    def _headers(actor: Actor) -> dict[str, str]:
        return on_behalf_of(actor)

    async def step(self, plan_id: uuid.UUID, step_id: uuid.UUID, actor: Actor) -> dict[str, Any] | None:
        answer = await self._http.get(f"/plans/{plan_id}/steps/{step_id}", headers=self._headers(actor))
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    async def change(self, plan_id: uuid.UUID, path: str, body: dict[str, Any], actor: Actor,
                     attempts: int = 5) -> None:
        """POST a change with the plan's current version; a stale version is read again and retried."""
        for _ in range(attempts):
            plan = await self._http.get(f"/plans/{plan_id}", headers=self._headers(actor))
            plan.raise_for_status()
            answer = await self._http.post(f"/plans/{plan_id}{path}", json=body,
                                           headers={**self._headers(actor), "If-Match": plan.headers["ETag"]})
            if answer.status_code in (200, 201):
                return
            detail = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
            if answer.status_code == 409 and "current_version" in detail:
                continue  # someone changed the plan meanwhile: read it again
            if answer.status_code in (403, 409, 422):
                raise PlanChangeRefused(f"{answer.status_code}: {detail.get('detail', answer.text)}")
            answer.raise_for_status()
        raise PlanChangeRefused(f"plan {plan_id} kept changing; gave up after {attempts} attempts")
