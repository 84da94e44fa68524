"""Replay: rebuilding every read model of the reporting service from N stored events, against the raw read rate.

A synthetic platform history (clients, their joint plans with steps, CIS participation, referrals, conflicts; about
36 events per shared client, realistic proportions and field sizes) is produced once onto four fresh 4-partition
topics in the relays' wire format. Each round then runs `services.reporting.rebuild.rebuild()` (what
`python -m services.reporting rebuild` runs: every projection from offset zero into a fresh database, concurrently,
until each has reached the end offsets) and a bare aiokafka consumer reading the same four topics with a fresh
group, timed the same way. The figure is messages replayed per second (every message of the topics, handled or not);
the rows then hold the read models of the whole history.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer

from bench.common import Row, Settings, checkpoint, create_database, create_topic, drop_database, median, progress
from bench.data import _PLACES as PLACES
from bench.data import person
from libs.events.kafka_codec import ce_type, headers_from_stored, metadata_to_headers
from libs.events.outbox import reliable_producer
from libs.events.schemas import registry
from services.reporting.bootstrap import projections
from services.reporting.rebuild import rebuild

TARGET_SECONDS = 120.0  # for 1,000,000 events
CONTEXTS = ("clients", "plans", "matching", "conflicts")
Event = tuple[str, str, str, str, str, dict[str, Any], datetime]  # context, stream type, stream, key, type, body, at

VOCATIONAL = ["job_offer", "training", "internship", "public_works", "intervention_works", "socially_useful_works",
              "subsidised_employment"]
OUTCOMES = ["employment", "subsidised_employment", "training_completed", "internship", "public_works",
            "dropped_out", "moved_away", "other"]


def _d(day: date) -> str:
    return day.isoformat()


class History:
    """A deterministic synthetic history: `clients()` yields each client's events, in order per stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.index = 0
        self.offers = [self._id() for _ in range(400)]

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def offers_published(self) -> Iterator[Event]:
        for n, offer in enumerate(self.offers):
            gmina, teryt, _, _, county = PLACES[n % len(PLACES)]
            instrument = VOCATIONAL[n % len(VOCATIONAL)]
            kind = instrument if instrument in ("training", "internship", "public_works", "intervention_works",
                                                "socially_useful_works") else "job_offer"
            body = {"offer_id": offer, "kind": kind, "instrument": instrument, "title": f"Oferta {n}: magazynier",
                    "location": {"gmina": gmina, "teryt": teryt}, "capacity": 5,
                    "period": {"from": "2024-01-01", "to": "2026-12-31"}, "funded_by": f"PUP-{county}"}
            yield ("matching", "offer", offer, offer, "OfferPublished", body, datetime(2024, 1, 1, tzinfo=UTC))

    def client(self) -> Iterator[Event]:
        """One client's story: registration at a PUP and an OPS, sharing, a joint plan, maybe CIS, referrals,
        conflicts."""
        rng, self.index = self.rng, self.index + 1
        p = person(self.index, rng)
        county = next(c for g, _, _, _, c in PLACES if g == p.address.gmina)
        pup, ops, cis = f"PUP-{county}", f"MOPS-{county}01", f"CIS-{county}01"
        broker, social = f"broker{rng.randint(1, 6)}@{pup}", f"social{rng.randint(1, 6)}@{ops}"
        client = self._id()
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
        at = [datetime.combine(start, clock(9), tzinfo=UTC)]

        def ev(context: str, stream_type: str, stream: str, name: str, body: dict[str, Any], days: int = 0) -> Event:
            at[0] = at[0] + timedelta(days=days, minutes=rng.randint(1, 300))
            return (context, stream_type, stream, client, name, body, at[0])

        c = functools.partial(ev, "clients", "client", client)

        identity = {"pesel": p.pesel, "first_name": p.first_name, "last_name": p.last_name,
                    "birth_date": _d(p.birth_date)}
        address = p.address.model_dump(mode="json", exclude_none=True)
        pair = {"client_id": client, "pup_institution_id": pup, "ops_institution_id": ops}
        for institution, kind in ((pup, "PUP"), (ops, "OPS")):
            yield c("ClientRegistered", {
                "client_id": client, "institution_id": institution, "institution_kind": kind, "identity": identity,
                "address": address, "contact": p.contact.model_dump(mode="json"), "registered_on": _d(start)})
        yield c("ClientAssignedToRegion", {**pair, "region_id": None,
                                                                         "reason": "address"})
        yield c("CaseWorkersAssigned", {
            **pair, "workers": {"job_broker": broker, "career_counsellor": None, "social_worker": social},
            "reason": "address"})
        yield c("SharedClientIdentified", {
            **pair, "agreement_id": self.offers[0], "basis": "legal_basis", "identified_on": _d(start)})
        yield c("UnemploymentStatusChanged", {
            "client_id": client, "institution_id": pup, "status": "registered", "effective_on": _d(start)})
        benefit = self._id()
        yield c("BenefitGranted", {
            "client_id": client, "benefit_id": benefit, "institution_id": ops, "institution_kind": "OPS",
            "kind": "zasiłek okresowy", "basis": rng.choice(["unemployment", "poverty"]), "monthly_amount": "640.00",
            "period": {"from": _d(start), "to": _d(start + timedelta(days=180))}})
        yield c("IncomeDeclared", {
            "client_id": client, "institution_id": ops, "source": "social_benefit", "monthly_amount": "640.00",
            "period": {"from": _d(start), "to": None}, "declared_by_client": True})
        yield c("ClientProfileUpdated", {
            "client_id": client, "institution_id": ops, "household": {"members": 3, "dependants": 1}})
        yield from self._plan(ev, client, pup, ops, cis, broker, social, start)
        if rng.random() < 0.3:
            yield c("UnemploymentStatusChanged", {
                "client_id": client, "institution_id": pup, "status": "deregistered", "reason": "took_work",
                "effective_on": _d(start + timedelta(days=150))}, 1)
            yield c("BenefitEnded", {
                "client_id": client, "benefit_id": benefit, "institution_id": ops,
                "ended_on": _d(start + timedelta(days=151)), "reason": "podjęcie pracy"})

    def _plan(self, ev: Any, client: str, pup: str, ops: str, cis: str, broker: str, social: str, start: date
              ) -> Iterator[Event]:
        rng, plan = self.rng, self._id()
        keys = {"plan_id": plan, "client_id": client}
        pe = functools.partial(ev, "plans", "plan", plan)
        opened = start + timedelta(days=rng.randint(5, 40))
        party = {"pup": {"institution_id": pup, "institution_kind": "PUP", "worker": broker},
                 "ops": {"institution_id": ops, "institution_kind": "OPS", "worker": social}}
        yield pe("PlanOpened", {**keys, "agreement_id": self.offers[0], **party,
                                                       "social_preparation_first": True, "opened_on": _d(opened)}, 10)
        valid = {"from": _d(opened), "to": _d(opened + timedelta(days=180))}
        yield pe("SocialContractConcluded", {
            **keys, "contract_number": f"KS/{rng.randint(1, 9999)}", "social_worker": social, "valid": valid,
            "goals": ["regularny dochód", "stabilne mieszkanie"]}, 2)
        yield pe("IpdConcluded", {**keys, "ipd_number": f"IPD/{rng.randint(1, 9999)}",
                                                          "job_broker": broker, "valid": valid, "goals": ["praca"]}, 2)
        added: list[str] = []
        for n in range(4):
            step, owner = self._id(), party["ops"] if n == 0 else party["pup"]
            instrument = "social_work" if n == 0 else rng.choice(VOCATIONAL)
            begin = opened + timedelta(days=10 + 25 * n)
            planned = {"from": _d(begin), "to": _d(begin + timedelta(days=rng.randint(14, 90)))}
            added.append(step)
            yield pe("PlanStepAdded", {
                **keys, "step_id": step, "owner": owner, "instrument": instrument,
                "category": "social" if n == 0 else "vocational", "social_preparation": n == 0,
                "title": f"Krok {n}: {instrument}", "planned": planned, "funded_by": None}, 1)
            yield pe("PlanStepScheduled", {**keys, "step_id": step, "scheduled": planned}, 3)
            end = rng.random()
            if end < 0.6:
                yield pe("PlanStepCompleted", {
                    **keys, "step_id": step, "completed_on": planned["to"], "outcome": "zrealizowano"}, 20)
            elif end < 0.8:
                yield pe("PlanStepFailed", {
                    **keys, "step_id": step, "failed_on": planned["from"],
                    "reason": rng.choice(["refused", "no_show", "dropped_out"]), "note": None}, 5)
            elif end < 0.9:
                yield pe("PlanStepCancelled", {**keys, "step_id": step,
                                                                      "reason": "rezygnacja"}, 2)
        if rng.random() < 0.2:
            yield from self._cis(ev, keys, cis, opened + timedelta(days=30))
        yield from self._matching(ev, client, plan, pup, broker, opened)
        if rng.random() < 0.15:
            yield from self._conflict(ev, client, pup, ops, opened + timedelta(days=60))
        yield pe("PlanReviewed", {
            **keys, "reviewed_on": _d(opened + timedelta(days=90)), "reviewer": social, "institution_id": ops,
            "summary": "Przegląd planu: postępy zgodne z kontraktem."}, 5)
        if rng.random() < 0.5:
            yield pe("PlanClosed", {
                **keys, "closed_on": _d(opened + timedelta(days=rng.randint(60, 300))),
                "outcome": rng.choice(OUTCOMES), "closed_by": broker, "institution_id": pup}, 30)

    def _cis(self, ev: Any, keys: dict[str, str], cis: str, signed: date) -> Iterator[Event]:
        rng, ipzs = self.rng, self._id()
        worker = f"cis{rng.randint(1, 4)}@{cis}"
        term = {"from": _d(signed), "to": _d(signed + timedelta(days=30))}
        yield ev("plans", "plan", keys["plan_id"], "IpzsSigned", {
            **keys, "ipzs_id": ipzs, "cis": {"institution_id": cis, "institution_kind": "CIS", "worker": worker},
            "main_goal": "open_market_employment", "term": term}, 1)
        step = self._id()
        yield ev("plans", "plan", keys["plan_id"], "PlanStepAdded", {
            **keys, "step_id": step, "owner": {"institution_id": cis, "institution_kind": "CIS",
                                               "worker": f"instructor{rng.randint(1, 3)}@{cis}"},
            "instrument": "cis_classes", "category": "cis", "social_preparation": False, "title": "Zajęcia CIS",
            "planned": {"from": _d(signed), "to": _d(signed + timedelta(days=120))}, "funded_by": None}, 1)
        for month in range(4):
            index = signed.month - 1 + month
            first = date(signed.year + index // 12, index % 12 + 1, 1)
            ids = {**keys, "ipzs_id": ipzs, "cis_institution_id": cis, "month": _d(first)}
            present = rng.randint(12, 20)
            yield ev("plans", "plan", keys["plan_id"], "CisAttendanceRecorded", {
                **ids, "days_scheduled": 20, "days_present": present, "days_excused": 20 - present,
                "recorded_by": worker}, 28)
            granted = present >= 18
            yield ev("plans", "plan", keys["plan_id"], "IntegrationBonusDecided", {
                **ids, "granted": granted, "amount": "250.00" if granted else None, "decided_by": f"manager@{cis}"},
                     1)
            if month < 3:
                begin = signed + timedelta(days=31 * (month + 1))
                yield ev("plans", "plan", keys["plan_id"], "IpzsRenewed", {
                    **keys, "ipzs_id": ipzs, "term": {"from": _d(begin), "to": _d(begin + timedelta(days=30))},
                    "assessment": "uczestnik zmotywowany"}, 1)
        yield ev("plans", "plan", keys["plan_id"], "IpzsEnded", {
            **keys, "ipzs_id": ipzs, "ended_on": _d(signed + timedelta(days=120)),
            "reason": rng.choice(["employment", "end_of_period", "social_cooperative"])}, 5)

    def _matching(self, ev: Any, client: str, plan: str, pup: str, broker: str, opened: date) -> Iterator[Event]:
        rng = self.rng
        for _ in range(2):
            offer = rng.choice(self.offers)
            match = self._id()
            yield ev("matching", "match", match, "MatchProposed", {
                "match_id": match, "client_id": client, "offer_id": offer, "score": round(rng.random() * 100, 1),
                "components": [{"code": "distance.same_gmina", "points": 20.0, "explanation": "ta sama gmina"}],
                "proposed_by": broker}, 1)
        referral = self._id()
        offer = rng.choice(self.offers)
        yield ev("matching", "referral", referral, "ReferralIssued", {
            "referral_id": referral, "client_id": client, "offer_id": offer, "plan_id": plan, "step_id": None,
            "institution_id": pup, "issued_by": broker, "issued_on": _d(opened + timedelta(days=20))}, 1)
        if rng.random() < 0.7:
            yield ev("matching", "referral", referral, "ReferralOutcomeRecorded", {
                "referral_id": referral, "client_id": client, "offer_id": offer,
                "outcome": rng.choice(["accepted", "refused", "no_show", "employed"]),
                "recorded_on": _d(opened + timedelta(days=30)), "note": None}, 10)

    def _conflict(self, ev: Any, client: str, pup: str, ops: str, day: date) -> Iterator[Event]:
        rng, conflict = self.rng, self._id()
        detected = datetime.combine(day, clock(12), tzinfo=UTC)
        yield ev("conflicts", "conflict", conflict, "BenefitConflictDetected", {
            "conflict_id": conflict, "client_id": client, "rule_id": rng.choice(["R1", "R2", "R3", "R4", "R6"]),
            "rule_version": 1, "severity": "high", "period": {"from": _d(day), "to": None},
            "explanation_pl": "Wsparcie finansują jednocześnie dwie instytucje.",
            "explanation_en": "The support is funded by two institutions.", "legal_basis": "art. 44 ufp",
            "evidence_event_ids": [self._id(), self._id()], "institutions": [pup, ops],
            "detected_at": detected.isoformat()}, 1)
        if rng.random() < 0.6:
            yield ev("conflicts", "conflict", conflict, "BenefitConflictResolved", {
                "conflict_id": conflict, "client_id": client, "resolution": rng.choice(["confirmed", "dismissed"]),
                "reason": "sprawdzono", "resolved_by": f"social@{ops}", "institution_id": ops}, 3)


async def produce(bootstrap: str, topics: dict[str, str], count: int, seed: int) -> int:
    """Produce about `count` events of the synthetic history onto `topics` (context -> topic); returns how many."""
    history = History(seed)
    producer = reliable_producer(bootstrap, linger_ms=20)
    await producer.start()
    versions: dict[str, int] = {}
    types: dict[str, bytes] = {}
    meta: tuple[str, list[tuple[str, bytes]]] = ("", [])
    sent, pending = 0, []
    try:
        stories = history.offers_published()
        while sent < count:
            for context, stream_type, stream, key, name, body, at in stories:
                if meta[0] != key:  # one client's story shares its metadata headers
                    meta = (key, metadata_to_headers({"correlation_id": key, "partition_key": key, "actor": {
                        "user": "bench", "institution": "PUP-2473", "role": "job_broker"}}))
                versions[stream] = version = versions.get(stream, 0) + 1
                headers = headers_from_stored(
                    event_id=uuid.UUID(int=history.rng.getrandbits(128), version=4),
                    ce_type_value=types.get(name) or types.setdefault(name, ce_type(context, name).encode()),
                    schema_version=1, source=b"/pzw/bench", stream_type=stream_type, stream_id=stream,
                    stream_version=version, global_position=sent + 1, occurred_at=at, recorded_at=at,
                    metadata_headers=meta[1])
                pending.append(await producer.send(topics[context], orjson.dumps(body), key=key.encode(),
                                                   headers=headers))
                sent += 1
                if len(pending) >= 20_000:
                    await asyncio.gather(*pending)
                    pending.clear()
            stories = history.client()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


def check_sample(seed: int, stories: int = 50) -> None:
    """Every event type of the first stories decodes against its contract (a bad generator fails here, not as
    dead letters in the middle of a measurement)."""
    history = History(seed)
    events = [*history.offers_published()] + [e for _ in range(stories) for e in history.client()]
    for _, _, _, _, name, body, _ in events:
        registry.from_json(name, 1, orjson.dumps(body))


async def consume(bootstrap: str, topics: list[str], count: int) -> float:
    """Seconds a bare consumer (fresh group) takes to read `count` messages of `topics`, from its start."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=unique_group("bench.replay.raw"),
                                enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=5000)
    started = time.perf_counter()
    await consumer.start()
    try:
        seen = 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=100, max_records=5000)
            seen += sum(len(records) for records in batches.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


def unique_group(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


async def replay(admin_dsn: str, bootstrap: str, topics: dict[str, str], count: int) -> tuple[float, int, int]:
    """Rebuild every read model from `topics` into a fresh database: (seconds, events applied, plans stored)."""
    chosen = projections()
    for projection in chosen:  # the same read models, reading the bench's topics
        projection.topics = tuple(topics[t.split(".")[1]] for t in projection.topics)  # type: ignore[misc]
    dsn = await create_database(admin_dsn, "bench_replay")
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=len(chosen) + 4)
    try:
        result = await rebuild(pool, bootstrap, chosen, force=True, show=False, group_prefix=unique_group("bench"))
        if result.messages != count or result.dead_letters:
            raise RuntimeError(f"replayed {result.messages} of {count} messages, {result.dead_letters} dead letters")
        return result.seconds, result.applied, await pool.fetchval("SELECT count(*) FROM rm_plan")
    finally:
        await pool.close()
        await drop_database(admin_dsn, dsn)


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    """Replay rate of every read model (median of rounds) with the raw read rate of the same topics as baseline."""
    target = settings.scaled(1_000_000, 50_000)
    check_sample(seed=7)
    topics = {context: await create_topic(bootstrap, f"bench.{context}") for context in CONTEXTS}
    started = time.perf_counter()
    count = await produce(bootstrap, topics, target, seed=7)
    progress(f"replay: produced {count:,} events in {time.perf_counter() - started:.1f}s")
    rates, raw_rates, seconds, applied = [], [], [], 0
    for _ in range(settings.rounds):
        await checkpoint(admin_dsn)
        elapsed, applied, plans = await replay(admin_dsn, bootstrap, topics, count)
        raw = await consume(bootstrap, list(topics.values()), count)
        seconds.append(elapsed)
        rates.append(count / elapsed)
        raw_rates.append(count / raw)
        progress(f"replay round: {count:,} events in {elapsed:.1f}s = {rates[-1]:,.0f}/s, {plans:,} plans "
                 f"(raw read {raw_rates[-1]:,.0f}/s)")
    budget = TARGET_SECONDS * count / 1_000_000
    rate, raw_rate, took = median(rates), median(raw_rates), median(seconds)
    details = {"events": count, "events_applied": applied, "seconds": seconds, "partitions": 4,
               "read_models": [p.name for p in projections()], "target_s_for_1m": TARGET_SECONDS,
               "includes": "consumer start and group join of every projection; one process, runners concurrent"}
    return [Row(f"replay: rebuild every read model from {count:,} events", rate, raw_rate, "events/s",
                "raw aiokafka read of the same topics", f">= {1_000_000 / TARGET_SECONDS:,.0f} events/s "
                f"(1M in < {TARGET_SECONDS:.0f} s)", rate >= 1_000_000 / TARGET_SECONDS, rates, raw_rates, details),
            Row(f"replay: time to rebuild from {count:,} events", took, None, "s", "",
                f"< {budget:.0f} s", took < budget, seconds)]
