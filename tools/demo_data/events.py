"""What a data set is made of: story events (a payload, who did it, when, on which stream) and the network's setup."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from libs.events.envelope import Actor
from libs.events.schemas.clients import (
    CaseWorkers,
    CooperationAgreementSigned,
    LegalBasis,
    RegionArea,
    RegionDefined,
    StreetRange,
)
from libs.events.schemas.common import Period
from libs.events.schemas.matching import OfferLocation, OfferPublished
from tools.demo_data.ids import uuid7_at
from tools.demo_data.network import Pair

WARSAW = ZoneInfo("Europe/Warsaw")
LEGAL_BASIS = LegalBasis(
    code="RODO-6-1-e", applies_from=date(2025, 6, 1),
    text="art. 6 ust. 1 lit. e RODO w zw. z ustawą z dnia 12 marca 2004 r. o pomocy społecznej i ustawą z dnia "
         "20 marca 2025 r. o rynku pracy i służbach zatrudnienia")


@dataclass(frozen=True, slots=True)
class StoryEvent:
    """One event of a data set, as the service named by `service` would store and publish it.

    `derived` marks consequences a service produces on its own (sharing, region assignment, a referral's plan
    step): the HTTP sink does not send them, the services make them; the Kafka sink writes them like any other.
    """

    service: str  # clients | plans | matching: the topic and the CloudEvents source
    stream_type: str
    stream_id: str
    key: str
    payload: BaseModel
    occurred_at: datetime
    actor: Actor
    event_id: uuid.UUID
    correlation_id: uuid.UUID
    derived: bool = False


def office_time(day: date, rng: random.Random) -> datetime:
    """A moment of an office day in Poland (8:00-15:30), in UTC."""
    local = datetime.combine(day, time(8), WARSAW) + timedelta(minutes=rng.randint(0, 450), seconds=rng.randint(0, 59))
    return local.astimezone(UTC)


def network_events(network: list[Pair], seed: int, start: date, end: date) -> list[StoryEvent]:
    """Agreements, regions and offers of every pair: what exists before the first client arrives."""
    rng = random.Random(f"setup:{seed}")
    events: list[StoryEvent] = []

    def emit(service: str, stream_type: str, stream_id: uuid.UUID, payload: BaseModel, actor: Actor,
             day: date) -> None:
        moment = office_time(day, rng)
        events.append(StoryEvent(service, stream_type, str(stream_id), str(stream_id), payload, moment, actor,
                                 uuid7_at(moment, rng), uuid7_at(moment, rng)))

    signed = start - timedelta(days=60)
    for pair in network:
        director = pair.actor(f"dyrektor@{pair.pup.lower()}", "supervisor")
        emit("clients", "agreement", pair.agreement_id, CooperationAgreementSigned(
            agreement_id=pair.agreement_id, pup_institution_id=pair.pup, ops_institution_id=pair.ops,
            valid=Period(from_=signed), legal_basis=LEGAL_BASIS), director, signed)
        administrator = pair.actor(f"administrator@{pair.ops.lower()}", "administrator", ops=True)
        for region in pair.regions:
            area = RegionArea(streets=tuple(StreetRange(city=pair.gmina.name, street=s) for s in region.streets)) \
                if region.streets else RegionArea(gminas=(pair.gmina.teryt,))
            emit("clients", "region", region.region_id, RegionDefined(
                region_id=region.region_id, name=region.name, pup_institution_id=pair.pup,
                ops_institution_id=pair.ops, area=area, workers=CaseWorkers(
                    job_broker=region.job_broker, career_counsellor=region.career_counsellor,
                    social_worker=region.social_worker)), administrator, signed + timedelta(days=14))
        broker = pair.actor(pair.regions[0].job_broker, "job_broker")
        for offer in pair.offers:
            emit("matching", "offer", offer.offer_id, OfferPublished(
                offer_id=offer.offer_id, kind=offer.kind, instrument=offer.instrument, title=offer.title,
                location=OfferLocation(gmina=pair.gmina.name, teryt=pair.gmina.teryt,
                                       postal_code=pair.gmina.postal_codes[0]),
                capacity=offer.capacity, period=Period(from_=start, to=end + timedelta(days=90)),
                funded_by=pair.pup, monthly_pay=offer.monthly_pay), broker, start - timedelta(days=3))
    return events
