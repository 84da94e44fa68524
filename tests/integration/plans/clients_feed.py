"""Clients-context events as the plans service receives them: built here, written to a scratch event store and
relayed to Kafka by the real outbox relay, exactly as the clients service would publish them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
from pydantic import BaseModel

from libs.events.envelope import Actor, Metadata, NewEvent, RecordedEvent
from libs.events.ids import new_id
from libs.events.infra import Infrastructure
from libs.events.outbox import OutboxRelay, reliable_producer
from libs.events.schemas import registry
from libs.events.schemas.clients import (
    CaseWorkers,
    CaseWorkersAssigned,
    ClientRegistered,
    CooperationAgreementEnded,
    CooperationAgreementSigned,
    LegalBasis,
    PersonIdentity,
    SharedClientIdentified,
    SharedClientSharingStopped,
    SharingBasis,
)
from libs.events.schemas.common import Address, InstitutionKind, Period
from libs.events.store import ANY_VERSION, PostgresEventStore, StreamAppend
from libs.events.topics import CLIENTS
from tests.conftest import create_database

SYSTEM = Actor.system("clients-test-feed")
LEGAL_BASIS = LegalBasis(code="UPS-art-46", text="art. 46 ustawy o pomocy społecznej", applies_from=date(2004, 5, 1))
DEFAULT_AGREEMENT = uuid.UUID("0190b7a2-0000-7000-8000-0000000a0001")
HOME = Address(gmina="Siemianowice Śląskie", teryt="2474011", postal_code="41-100", city="Siemianowice Śląskie")


@dataclass(frozen=True)
class Pair:
    """A PUP and an OPS that cooperate, with the paired workers of one region."""

    pup: str = "PUP-2473"
    ops: str = "MOPS-2473"
    job_broker: str = "anna.nowak@pup-2473"
    social_worker: str = "ewa.lis@mops-2473"
    career_counsellor: str | None = "jan.doradca@pup-2473"
    agreement_id: uuid.UUID = DEFAULT_AGREEMENT
    social_preparation_first: bool = True


def agreement_signed(pair: Pair, valid_to: date | None = None) -> CooperationAgreementSigned:
    return CooperationAgreementSigned(
        agreement_id=pair.agreement_id, pup_institution_id=pair.pup, ops_institution_id=pair.ops,
        valid=Period(from_=date(2026, 1, 1), to=valid_to), legal_basis=LEGAL_BASIS,
        social_preparation_first=pair.social_preparation_first)


def agreement_ended(pair: Pair) -> CooperationAgreementEnded:
    return CooperationAgreementEnded(agreement_id=pair.agreement_id, ended_on=date(2026, 6, 30),
                                     reason="terminated by the OPS")


def registered(client_id: uuid.UUID, institution: str, kind: InstitutionKind) -> ClientRegistered:
    identity = PersonIdentity(pesel="44051401359", first_name="Jan", last_name="Kowalski",
                              birth_date=date(1944, 5, 14))
    return ClientRegistered(client_id=client_id, institution_id=institution, institution_kind=kind,
                            identity=identity, address=HOME, registered_on=date(2026, 11, 2))


def identified(client_id: uuid.UUID, pair: Pair) -> SharedClientIdentified:
    return SharedClientIdentified(
        client_id=client_id, pup_institution_id=pair.pup, ops_institution_id=pair.ops,
        agreement_id=pair.agreement_id, basis=SharingBasis.LEGAL_BASIS, legal_basis=LEGAL_BASIS,
        social_preparation_first=pair.social_preparation_first, identified_on=date(2026, 11, 2))


def workers_assigned(client_id: uuid.UUID, pair: Pair) -> CaseWorkersAssigned:
    return CaseWorkersAssigned(
        client_id=client_id, pup_institution_id=pair.pup, ops_institution_id=pair.ops, reason="address",
        workers=CaseWorkers(job_broker=pair.job_broker, social_worker=pair.social_worker,
                            career_counsellor=pair.career_counsellor))


def sharing_stopped(client_id: uuid.UUID, pair: Pair) -> SharedClientSharingStopped:
    return SharedClientSharingStopped(client_id=client_id, pup_institution_id=pair.pup, ops_institution_id=pair.ops,
                                      reason="consent withdrawn", stopped_on=date(2026, 11, 20))


def shared_client_history(client_id: uuid.UUID, pair: Pair) -> list[BaseModel]:
    """A person registered at the PUP and the OPS, identified as shared, with paired workers assigned."""
    return [registered(client_id, pair.pup, InstitutionKind.PUP), registered(client_id, pair.ops, InstitutionKind.OPS),
            identified(client_id, pair), workers_assigned(client_id, pair)]


def recorded(stream_id: str, events: list[BaseModel], first_version: int = 1) -> list[RecordedEvent]:
    """Events as a projection receives them (for applying a projection directly, without Kafka)."""
    now = datetime.now(UTC)
    metadata = Metadata(actor=SYSTEM, correlation_id=new_id(), partition_key=stream_id)
    return [RecordedEvent(
        event_id=new_id(), event_type=registry.type_of(p).name, schema_version=registry.type_of(p).version,
        stream_type="client", stream_id=stream_id, stream_version=first_version + i, global_position=0,
        occurred_at=now, recorded_at=now, payload=p, metadata=metadata) for i, p in enumerate(events)]


class ClientsFeed:
    """Appends clients-context events to a scratch event store; its outbox relay publishes them to Kafka."""

    def __init__(self, store: PostgresEventStore, topic: str) -> None:
        self._store = store
        self._topic = topic

    async def append(self, stream_id: str, events: list[BaseModel], stream_type: str = "client") -> None:
        """Append to a stream keyed by its id (the client id for client events), as the clients service does."""
        now = datetime.now(UTC)
        metadata = Metadata(actor=SYSTEM, correlation_id=new_id(), partition_key=stream_id)
        await self._store.append(StreamAppend(stream_type, stream_id, ANY_VERSION,
                                              [NewEvent(payload=e, occurred_at=now) for e in events], metadata,
                                              self._topic))

    async def share(self, client_id: uuid.UUID, pair: Pair) -> None:
        await self.append(str(client_id), shared_client_history(client_id, pair))

    async def sign_agreement(self, pair: Pair) -> None:
        await self.append(str(pair.agreement_id), [agreement_signed(pair)], stream_type="agreement")


@asynccontextmanager
async def clients_feed(infra: Infrastructure, topic: str = CLIENTS) -> AsyncIterator[ClientsFeed]:
    """A scratch clients event store with its outbox relay running, publishing to `topic`."""
    pool = await asyncpg.create_pool(await create_database(infra.postgres_dsn, "clientsfeed"), min_size=1,
                                     max_size=4)
    store = PostgresEventStore(pool, registry)
    await store.migrate()
    relay = OutboxRelay(pool, lambda: reliable_producer(infra.kafka_bootstrap), registry, source="/pzw/clients")
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield ClientsFeed(store, topic)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await pool.close()
