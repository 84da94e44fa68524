"""Tables of the offer catalogue, referrals and candidates, as the matching use cases read and write them."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from libs.events.db import Connection
from libs.events.schemas.clients import EducationLevel
from libs.events.schemas.common import Period
from libs.events.schemas.matching import OfferPublished
from libs.events.schemas.plans import Instrument
from services.matching.domain.scoring import Candidate, Offer

_LIVE_STEPS = ("added", "scheduled")


class Catalogue:
    """Offers with their places taken, referrals, and candidates built from the other contexts' events."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @staticmethod
    async def put_offer(conn: Connection, offer: OfferPublished) -> None:
        await conn.execute("INSERT INTO offers (offer_id, published) VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING",
                           offer.offer_id, offer.model_dump_json())

    @staticmethod
    async def withdraw_offer(conn: Connection, offer_id: uuid.UUID) -> None:
        await conn.execute("UPDATE offers SET withdrawn = true WHERE offer_id = $1", offer_id)

    @staticmethod
    async def put_referral(conn: Connection, referral_id: uuid.UUID, offer_id: uuid.UUID,
                           client_id: uuid.UUID) -> None:
        await conn.execute("""INSERT INTO referrals (referral_id, offer_id, client_id) VALUES ($1, $2, $3)
                              ON CONFLICT DO NOTHING""", referral_id, offer_id, client_id)

    @staticmethod
    async def referral_outcome(conn: Connection, referral_id: uuid.UUID, outcome: str) -> None:
        await conn.execute("UPDATE referrals SET outcome = $2 WHERE referral_id = $1", referral_id, outcome)

    async def offers(self, *, include_withdrawn: bool = False, offer_id: uuid.UUID | None = None) -> list[Offer]:
        rows = await self._pool.fetch(
            """SELECT o.published::text AS published, o.withdrawn,
                      (SELECT count(*) FROM referrals r WHERE r.offer_id = o.offer_id
                         AND coalesce(r.outcome, '') NOT IN ('refused', 'no_show')) AS taken
               FROM offers o WHERE ($1 OR NOT o.withdrawn) AND ($2::uuid IS NULL OR o.offer_id = $2)
               ORDER BY o.offer_id""", include_withdrawn, offer_id)
        return [Offer(OfferPublished.model_validate_json(r["published"]), int(r["taken"])) for r in rows]

    async def candidates(self, client_id: uuid.UUID | None = None) -> list[Candidate]:
        rows = await self._pool.fetch(
            "SELECT * FROM match_candidates WHERE $1::uuid IS NULL OR client_id = $1 ORDER BY client_id", client_id)
        steps = await self._pool.fetch(
            """SELECT client_id, instrument, social_preparation, status, period_from, period_to
               FROM match_candidate_steps WHERE $1::uuid IS NULL OR client_id = $1""", client_id)
        by_client: dict[uuid.UUID, list[asyncpg.Record]] = {}
        for step in steps:
            by_client.setdefault(step["client_id"], []).append(step)
        return [_candidate(r, by_client.get(r["client_id"], [])) for r in rows]


def _candidate(row: asyncpg.Record, steps: list[asyncpg.Record]) -> Candidate:
    preparation = [s for s in steps if s["social_preparation"]]
    done = (any(s["status"] == "completed" for s in preparation)
            and not any(s["status"] in _LIVE_STEPS for s in preparation))
    pending = bool(row["plan_id"]) and row["social_preparation_first"] and not row["preparation_waived"] and not done
    active = tuple((Instrument(s["instrument"]), Period(from_=s["period_from"] or date.min, to=s["period_to"]))
                   for s in steps if s["status"] in _LIVE_STEPS and s["instrument"])
    return Candidate(
        client_id=row["client_id"], gmina=row["gmina"], teryt=row["teryt"], postal_code=row["postal_code"],
        education=EducationLevel(row["education"]) if row["education"] else None,
        qualifications=frozenset(row["qualifications"]), driving_licence=frozenset(row["driving_licence"]),
        work_restrictions=frozenset(row["work_restrictions"]), occupations=frozenset(row["occupations"]),
        preparation_pending=pending, active_steps=active)
