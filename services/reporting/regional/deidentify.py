"""The de-identification primitives of the regional feed: pseudonyms, regions, age bands, months."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from libs.events.kafka_admin import TopicSpec
from libs.events.schemas.plans import PlanOutcome
from libs.events.schemas.regional import VOIVODESHIPS, ActivationForm, AgeBand

WARSAW = ZoneInfo("Europe/Warsaw")
TOPIC_PREFIX = "pzw.regional."

_BANDS: tuple[tuple[int, AgeBand], ...] = (
    (65, AgeBand.FROM_65), (55, AgeBand.FROM_55), (45, AgeBand.FROM_45), (35, AgeBand.FROM_35),
    (25, AgeBand.FROM_25), (18, AgeBand.FROM_18), (0, AgeBand.UNDER_18))

ACTIVATION: dict[PlanOutcome, ActivationForm] = {
    PlanOutcome.EMPLOYMENT: ActivationForm.EMPLOYMENT,
    PlanOutcome.SUBSIDISED_EMPLOYMENT: ActivationForm.SUBSIDISED_EMPLOYMENT,
    PlanOutcome.TRAINING_COMPLETED: ActivationForm.TRAINING,
    PlanOutcome.INTERVENTION_WORKS: ActivationForm.INTERVENTION_WORKS,
    PlanOutcome.PUBLIC_WORKS: ActivationForm.PUBLIC_WORKS,
    PlanOutcome.SOCIALLY_USEFUL_WORKS: ActivationForm.SOCIALLY_USEFUL_WORKS,
    PlanOutcome.INTERNSHIP: ActivationForm.INTERNSHIP,
    PlanOutcome.OWN_BUSINESS: ActivationForm.OWN_BUSINESS,
    PlanOutcome.SOCIAL_COOPERATIVE: ActivationForm.SOCIAL_COOPERATIVE,
}
"""Plan outcomes that count as activation (PlanOutcome: all but dropped out, moved away and other)."""

INSTRUMENT_FORMS = frozenset({
    ActivationForm.SUBSIDISED_EMPLOYMENT, ActivationForm.TRAINING, ActivationForm.INTERVENTION_WORKS,
    ActivationForm.PUBLIC_WORKS, ActivationForm.SOCIALLY_USEFUL_WORKS, ActivationForm.INTERNSHIP})
"""The narrower set of activation forms the pilot's 61.43% counts (seed 003): labour-market instruments only."""


class Pseudonymiser:
    """Stable pseudonyms per client and region: HMAC-SHA256(key, client id | region), 128 bits in hex.

    Why a keyed hash and not a plain hash: client ids are UUIDs that other systems know; without the key nobody can
    recompute the pseudonym of a known client id. Why the region is hashed in: a client who moves gets an
    unrelated pseudonym in the new region, so two ROPS cannot join their feeds on it.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must have at least 16 bytes")
        self._key = key

    def subject(self, client_id: uuid.UUID, region: str) -> str:
        message = f"{client_id}|{region}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]


def region_of(teryt: str | None) -> str | None:
    """The voivodeship (first two TERYT digits) of a gmina code, or None when unknown or not a voivodeship."""
    if not teryt or len(teryt) < 2:
        return None
    code = teryt[:2]
    return code if code in VOIVODESHIPS else None


def topic_of(region: str) -> str:
    """The Kafka topic of a region's feed: pzw.regional.<voivodeship>.v1."""
    return f"{TOPIC_PREFIX}{region}.v1"


def all_topics() -> list[str]:
    return [topic_of(code) for code in VOIVODESHIPS]


def regional_topic(name: str, partitions: int) -> TopicSpec:
    """A regional topic: history kept forever, and record timestamps of any month accepted.

    Why the timestamp setting: a record's timestamp is its item's month (never the moment it was processed), and
    an item can concern a month still to come (a benefit granted from next month); Kafka 4 refuses timestamps
    more than an hour ahead unless the topic allows them.
    """
    return TopicSpec(name, partitions, config={"retention.ms": "-1",
                                               "message.timestamp.after.max.ms": str(2**63 - 1)})


def month_of(day: date) -> str:
    """A date truncated to its month, `YYYY-MM`."""
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> datetime:
    """Midnight UTC of the first day of a `YYYY-MM` month: the only time a feed item carries."""
    year, mon = month.split("-")
    return datetime(int(year), int(mon), 1, tzinfo=UTC)


def local_day(moment: datetime) -> date:
    """The calendar day in Poland of a moment (institutions work by the Polish calendar)."""
    return moment.astimezone(WARSAW).date()


def birth_month(birth_date: date) -> date:
    """What the feed keeps of a birth date: its month (the exact date is never stored)."""
    return birth_date.replace(day=1)


def age_band(born: date | None, day: date) -> AgeBand | None:
    """The age band on `day` of someone born in the month `born` (age counted from the month: +-1 month)."""
    if born is None:
        return None
    age = day.year - born.year - (1 if day.month < born.month else 0)
    return next(band for lowest, band in _BANDS if age >= lowest) if age >= 0 else AgeBand.UNDER_18
