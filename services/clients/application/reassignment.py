"""Process manager: when regions or agreements change, apply the assignment and sharing rules to the clients
they affect (and once a day, to clients of agreements whose validity starts or ends)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from libs.events.envelope import Actor, RecordedEvent
from libs.events.errors import ConcurrencyError
from libs.events.schemas import clients as ev
from libs.events.schemas.clients import AssignmentReason
from services.clients.adapters.indexes import WriteIndexes
from services.clients.application.clients import ClientsApplication

ACTOR = Actor.system("clients.reassignment")
HANDLES = frozenset({"RegionDefined", "RegionRemoved", "CaseloadHandedOver", "CooperationAgreementSigned",
                     "CooperationAgreementEnded"})


class Reassignment:
    """Reacts to the service's own cooperation events (at least once; re-evaluating a client is idempotent)."""

    def __init__(self, clients: ClientsApplication, indexes: WriteIndexes,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self._clients = clients
        self._indexes = indexes
        self._today = today

    async def handle(self, event: RecordedEvent) -> None:
        payload = event.payload
        if isinstance(payload, ev.RegionDefined | ev.RegionRemoved):
            affected = await self._indexes.clients_at_any([payload.pup_institution_id, payload.ops_institution_id])
            await self._reevaluate(affected, AssignmentReason.REGION_CHANGED)
        elif isinstance(payload, ev.CaseloadHandedOver):
            for _, terms in await self._indexes.regions_list(payload.institution_id):
                if terms.region_id == payload.region_id:
                    affected = await self._indexes.clients_at_any([terms.pup_institution_id, terms.ops_institution_id])
                    await self._reevaluate(affected, AssignmentReason.HANDOVER)
        elif isinstance(payload, ev.CooperationAgreementSigned):
            affected = await self._indexes.clients_at_all([payload.pup_institution_id, payload.ops_institution_id])
            await self._reevaluate(affected, AssignmentReason.REGION_CHANGED)
        elif isinstance(payload, ev.CooperationAgreementEnded):
            terms = next((t for t in await self._indexes.agreements_for_id(payload.agreement_id)), None)
            if terms is not None:
                affected = await self._indexes.clients_at_all([terms.pup_institution_id, terms.ops_institution_id])
                await self._reevaluate(affected, AssignmentReason.REGION_CHANGED)

    async def sweep(self, today: date) -> int:
        """Re-evaluate clients of agreements that start today or ended yesterday (validity boundaries)."""
        count = 0
        for terms in await self._indexes.all_agreements():
            ends = terms.valid.to + timedelta(days=1) if terms.valid.to else None
            if today in (terms.valid.from_, ends, terms.ended_on):
                affected = await self._indexes.clients_at_all([terms.pup_institution_id, terms.ops_institution_id])
                await self._reevaluate(affected, AssignmentReason.REGION_CHANGED)
                count += len(affected)
        return count

    async def run_daily_sweep(self, stop: asyncio.Event, interval: float = 3600.0) -> None:
        """Sweep once when started and whenever the date changes."""
        swept: date | None = None
        while not stop.is_set():
            if swept != self._today():
                swept = self._today()
                await self.sweep(swept)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def _reevaluate(self, clients: list[uuid.UUID], reason: AssignmentReason) -> None:
        for client_id in clients:
            await _retrying(lambda c=client_id: self._clients.reevaluate(c, reason, ACTOR))


async def _retrying(attempt: Callable[[], Awaitable[object]], times: int = 8) -> None:
    # A worker may change the same client at the same moment: load again and re-decide. If it keeps conflicting,
    # the error stops the subscription, which restarts from its checkpoint: the event is handled again, not lost.
    for n in range(times):
        try:
            await attempt()
            return
        except ConcurrencyError:
            if n == times - 1:
                raise
            await asyncio.sleep(0.01 * (n + 1))
