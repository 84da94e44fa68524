"""What-if replay: run a rule set over the stored history (the Kafka topics from their beginning) without
emitting anything, and report the conflicts it would raise."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Any

from aiokafka import AIOKafkaConsumer

from libs.events.kafka_admin import partitions_of
from libs.events.kafka_codec import MessageDecodeError, decode_event, read_envelope, sealed_items
from libs.events.registry import EventRegistry
from libs.events.sealing import PayloadSealer
from libs.events.topics import CLIENTS, MATCHING, PLANS
from services.matching.conflicts.detection import Finding, detect
from services.matching.conflicts.detector import RELEVANT, client_of
from services.matching.conflicts.facts import ClientFacts, apply
from services.matching.conflicts.ruleset import RuleSet

Facts = dict[uuid.UUID, ClientFacts]


async def replay_facts(bootstrap: str, registry: EventRegistry,
                       topics: tuple[str, ...] = (CLIENTS, PLANS, MATCHING),
                       sealer: PayloadSealer | None = None) -> tuple[Facts, int]:
    """Every client's facts from the topics as they stand now (read up to the end offsets taken at the start)."""
    facts: dict[uuid.UUID, ClientFacts] = {}
    read = 0
    partitions = await partitions_of(bootstrap, topics)
    if not partitions:
        return facts, read
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batches.items():
                if sealer is not None:  # the keys of the batch in one look-up
                    await sealer.prepare(sealed_items([(r.headers, r.value) for r in records], RELEVANT))
                for record in records:
                    read += 1
                    if record.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
                    try:
                        envelope = read_envelope(record.headers)
                        if envelope.event_name not in RELEVANT:
                            continue
                        event = decode_event(envelope, record.value, registry, sealer)
                    except MessageDecodeError:
                        continue  # the live detector sends these to the dead letters; a replay skips them
                    client = client_of(event)
                    if client is not None:
                        facts[client] = apply(facts.get(client) or ClientFacts(client_id=client), event)
    finally:
        await consumer.stop()
    return facts, read


def report(facts: dict[uuid.UUID, ClientFacts], rules: RuleSet, today: date,
           known: set[uuid.UUID]) -> dict[str, Any]:
    """The conflicts `rules` would raise on `today`, marking those the live detector has already raised."""
    findings: list[Finding] = [f for client_facts in facts.values() for f in detect(client_facts, rules, today)]
    findings.sort(key=lambda f: (f.rule.id, str(f.client_id), str(f.conflict_id)))
    per_rule = Counter(f.rule.id for f in findings)
    return {
        "as_of": today.isoformat(),
        "clients": len(facts),
        "rules": [{"id": r.id, "version": r.version, "thresholds": r.thresholds} for r in rules.in_force(today)],
        "per_rule": dict(sorted(per_rule.items())),
        "new": sum(1 for f in findings if f.conflict_id not in known),
        "conflicts": [{
            "conflict_id": str(f.conflict_id), "client_id": str(f.client_id), "rule_id": f.rule.id,
            "rule_version": f.rule.version, "severity": f.rule.severity.value,
            "period": f.period.model_dump(mode="json"), "explanation_pl": f.rule.explanation_pl.format(**f.values),
            "explanation_en": f.rule.explanation_en.format(**f.values),
            "evidence_event_ids": sorted(str(e) for e in f.evidence), "already_raised": f.conflict_id in known,
        } for f in findings],
    }
