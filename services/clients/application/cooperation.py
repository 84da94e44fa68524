"""Use cases of cooperation: agreements between a PUP and an OPS, and the regions that pair their workers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg
from pydantic import BaseModel

from libs.events.decider import CommandHandler, DomainError, Outcome
from libs.events.envelope import Actor
from libs.events.store import PostgresEventStore
from libs.events.topics import CLIENTS
from services.clients.adapters.indexes import WriteIndexes
from services.clients.application.clients import metadata_for
from services.clients.domain import agreement, region
from services.clients.domain.agreement import AgreementState
from services.clients.domain.policies import RegionTerms
from services.clients.domain.region import RegionState


class CooperationApplication:
    """Signs and ends agreements, defines regions and hands caseloads over; the tables follow in-transaction."""

    def __init__(self, pool: asyncpg.Pool, store: PostgresEventStore, indexes: WriteIndexes) -> None:
        self._pool = pool
        self._indexes = indexes
        self._agreements: CommandHandler[BaseModel, AgreementState] = CommandHandler(
            store, agreement.decider, CLIENTS)
        self._regions: CommandHandler[BaseModel, RegionState] = CommandHandler(store, region.decider, CLIENTS)

    async def sign_agreement(self, command: agreement.SignAgreement, actor: Actor) -> Outcome[AgreementState]:
        return await self._agreement(command.agreement_id, command, actor, 0)

    async def end_agreement(self, agreement_id: uuid.UUID, command: agreement.EndAgreement, actor: Actor,
                            expected_version: int) -> Outcome[AgreementState]:
        return await self._agreement(agreement_id, command, actor, expected_version)

    async def _agreement(self, agreement_id: uuid.UUID, command: BaseModel, actor: Actor,
                         expected_version: int) -> Outcome[AgreementState]:
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._agreements.handle(
                str(agreement_id), command, metadata_for(actor, agreement_id), occurred_at=datetime.now(UTC),
                expected_version=expected_version, conn=conn)
            if outcome.events and outcome.state.terms is not None:
                await self._indexes.put_agreement(conn, outcome.state.terms)
        return outcome

    async def agreement(self, agreement_id: uuid.UUID) -> tuple[AgreementState, int]:
        return await self._agreements.load(str(agreement_id))

    async def define_region(self, command: region.DefineRegion, actor: Actor,
                            expected_version: int) -> Outcome[RegionState]:
        return await self._region(command.region_id, command, actor, expected_version, command.name)

    async def remove_region(self, region_id: uuid.UUID, actor: Actor, expected_version: int) -> Outcome[RegionState]:
        return await self._region(region_id, region.RemoveRegion(), actor, expected_version, None)

    async def hand_over(self, institution_id: str, from_worker: str, to_worker: str, on: date,
                        actor: Actor) -> list[uuid.UUID]:
        """Hand a worker's caseload over in every region where they serve `institution_id`."""
        regions = await self._indexes.regions_of_worker(institution_id, from_worker)
        if not regions:
            raise DomainError(f"{from_worker} serves no region of {institution_id}", field="from_worker")
        command = region.HandOverCaseload(institution_id=institution_id, from_worker=from_worker,
                                          to_worker=to_worker, handed_over_on=on)
        for region_id in regions:
            await self._region(region_id, command, actor, None, None)
        return regions

    async def _region(self, region_id: uuid.UUID, command: BaseModel, actor: Actor, expected_version: int | None,
                      name: str | None) -> Outcome[RegionState]:
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await self._regions.handle(
                str(region_id), command, metadata_for(actor, region_id), occurred_at=datetime.now(UTC),
                expected_version=expected_version, conn=conn)
            if outcome.events:
                state = outcome.state
                terms = None if state.removed else state.terms
                current = await conn.fetchval("SELECT name FROM regions WHERE region_id = $1", region_id)
                await self._indexes.put_region(conn, name or current or "", terms, region_id)
        return outcome

    async def region(self, region_id: uuid.UUID) -> tuple[RegionState, int]:
        return await self._regions.load(str(region_id))

    async def regions(self, institution_id: str | None) -> list[tuple[str, RegionTerms]]:
        return await self._indexes.regions_list(institution_id)
