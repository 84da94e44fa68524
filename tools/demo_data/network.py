"""The cooperation network of a data set: PUPs, OPSs, their agreements, regions with paired workers, and offers."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from libs.events.envelope import Actor
from libs.events.schemas.matching import OfferKind
from libs.events.schemas.plans import Instrument
from tools.demo_data.gminas import Gmina, powiats
from tools.demo_data.ids import uuid7_at
from tools.demo_data.people import FIRST_FEMALE, FIRST_MALE, LAST_COMMON, LAST_UNISEX, STREETS, ascii_login, female_form


@dataclass(frozen=True, slots=True)
class Region:
    """A rejon: streets (in a town) or the whole gmina (a GOPS), served by a job broker and a social worker."""

    region_id: uuid.UUID
    name: str
    streets: tuple[str, ...]  # empty: the whole gmina
    job_broker: str
    career_counsellor: str | None
    social_worker: str


@dataclass(frozen=True, slots=True)
class Offer:
    offer_id: uuid.UUID
    kind: OfferKind
    instrument: Instrument
    title: str
    capacity: int
    monthly_pay: str | None


@dataclass(frozen=True, slots=True)
class Pair:
    """A PUP and an OPS of its powiat with a signed agreement (porozumienie), their regions and the PUP's offers."""

    pup: str
    ops: str
    gmina: Gmina
    agreement_id: uuid.UUID
    regions: tuple[Region, ...]
    streets: tuple[str, ...]
    offers: tuple[Offer, ...]

    def actor(self, user: str, role: str, ops: bool = False) -> Actor:
        return Actor(user=user, institution=self.ops if ops else self.pup, role=role)


_OFFERS = (
    (OfferKind.INTERNSHIP, Instrument.INTERNSHIP, "Staż: pracownik biurowy", "1994.40"),
    (OfferKind.INTERNSHIP, Instrument.INTERNSHIP, "Staż: magazynier", "1994.40"),
    (OfferKind.JOB_OFFER, Instrument.JOB_OFFER, "Oferta pracy: sprzedawca", "4806.00"),
    (OfferKind.JOB_OFFER, Instrument.JOB_OFFER, "Oferta pracy: pomocnik kucharza", "4806.00"),
    (OfferKind.TRAINING, Instrument.TRAINING, "Szkolenie: operator wózka widłowego", None),
    (OfferKind.PUBLIC_WORKS, Instrument.PUBLIC_WORKS, "Roboty publiczne: utrzymanie zieleni", "4806.00"),
)


def _worker(rng: random.Random, institution: str, taken: set[str]) -> str:
    while True:
        male = rng.random() < 0.25  # most social workers and job brokers are women
        first = rng.choice(FIRST_MALE if male else FIRST_FEMALE)
        last = rng.choice(LAST_COMMON + LAST_UNISEX[:200])
        login = f"{ascii_login(first, last if male else female_form(last))}@{institution.lower()}"
        if login not in taken:
            taken.add(login)
            return login


def choose_pairs(pups: int, ops: int, offset: int = 0) -> list[tuple[str, Gmina]]:
    """`ops` (PUP powiat, gmina) pairs over `pups` powiats of the table from `offset`, every PUP with one at least."""
    table = list(powiats().items())
    if offset + pups > len(table):
        raise ValueError(f"the embedded TERYT table has {len(table)} powiats: at most {len(table) - offset} PUPs")
    chosen = table[offset:offset + pups]
    available = sum(len(g) for _, g in chosen)
    if not pups <= ops <= available:
        raise ValueError(f"{pups} PUPs cover {available} gminas: choose between {pups} and {available} OPSs")
    pairs = [(p, gminas[0]) for p, gminas in chosen]
    extra = [(p, g) for p, gminas in chosen for g in gminas[1:]]
    return pairs + extra[: ops - pups]


def build(seed: int, pups: int, ops: int, regions_per_pair: int, start: date, offset: int = 0) -> list[Pair]:
    """The network, deterministic for a seed: ids, workers, regions and offers of every pair."""
    rng = random.Random(f"network:{seed}")
    moment = datetime.combine(start - timedelta(days=30), time(9), UTC)
    taken: set[str] = set()
    network = []
    for powiat, gmina in choose_pairs(pups, ops, offset):
        pup, ops_id = f"PUP-{powiat}", f"{gmina.ops_prefix}-{gmina.teryt[:6]}"
        streets = tuple(rng.sample(STREETS, 6 * regions_per_pair)) if gmina.kind != "rural" else ()
        count = regions_per_pair if streets else 1  # a rural gmina is one region served by its GOPS
        regions = tuple(Region(
            region_id=uuid7_at(moment, rng), name=f"Rejon {n + 1} – {gmina.name}",
            streets=streets[n::count] if streets else (), job_broker=_worker(rng, pup, taken),
            career_counsellor=_worker(rng, pup, taken) if rng.random() < 0.5 else None,
            social_worker=_worker(rng, ops_id, taken)) for n in range(count))
        offers = tuple(Offer(uuid7_at(moment, rng), kind, instrument, title, rng.randint(20, 80), pay)
                       for kind, instrument, title, pay in _OFFERS)
        network.append(Pair(pup, ops_id, gmina, uuid7_at(moment, rng), regions, streets, offers))
    return network
