"""The conflict detector as a faust-streaming application.

It reads the clients, plans and matching topics (all keyed by client id, so one client's events meet in one
partition), keeps each client's facts and next deadline in changelog-backed tables (a restarted worker recovers
them from Kafka, no manual replay), and records every new conflict in the matching service's event store, whose
outbox publishes it. Faust's own delivery is treated as at least once: facts are idempotent and a conflict's id is
derived from its rule, client and evidence, so a repeat changes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import faust
import structlog

from libs.events.kafka_codec import MessageDecodeError, decode_event, read_envelope, sealed_items
from libs.events.metrics import conflicts_detected
from libs.events.migrations import migrate
from libs.events.schemas import registry
from libs.events.sealing import remote_sealer
from libs.events.store import PostgresEventStore
from libs.events.topics import CLIENTS, MATCHING, PLANS
from services.matching.adapters.conflicts_table import MIGRATIONS, ConflictsTable
from services.matching.application.conflicts import ConflictsApplication, Detection
from services.matching.config import MatchingSettings
from services.matching.conflicts.detection import Finding
from services.matching.conflicts.detector import RELEVANT, Detector, client_of
from services.matching.conflicts.facts import ClientFacts
from services.matching.conflicts.ruleset import load_rules

log = structlog.get_logger(__name__)


class _Sink:
    """Lazily connected PostgreSQL side of the detector (faust owns the event loop)."""

    def __init__(self, settings: MatchingSettings) -> None:
        self._settings = settings
        self._conflicts: ConflictsApplication | None = None
        self._lock = asyncio.Lock()

    async def conflicts(self) -> ConflictsApplication:
        async with self._lock:
            if self._conflicts is None:
                pool = await asyncpg.create_pool(self._settings.database_url, min_size=1, max_size=4)
                store = PostgresEventStore(pool, registry)
                await store.migrate()
                await migrate(pool, "matching", MIGRATIONS)
                self._conflicts = ConflictsApplication(pool, store, ConflictsTable(pool))
        return self._conflicts


def create_app(settings: MatchingSettings | None = None) -> faust.App:
    """The faust app with its topics, tables, agent and timer."""
    settings = settings or MatchingSettings()
    app = faust.App(
        settings.stream_app_id, broker=f"kafka://{settings.kafka_bootstrap}", store="memory://",
        topic_partitions=settings.topic_partitions, web_enabled=False, datadir=str(settings.stream_data_dir),
        consumer_auto_offset_reset="earliest", producer_acks=-1, table_cleanup_interval=3600.0,
        # Changelog writes are many and small: let the producer batch them for a few milliseconds.
        producer_linger_ms=5,
    )
    sources = app.topic(CLIENTS, PLANS, MATCHING, key_serializer="raw", value_serializer="raw")
    facts_table = app.Table("client-facts", default=None, partitions=settings.topic_partitions)
    deadlines = app.Table("client-deadlines", default=None, partitions=settings.topic_partitions)
    detector = Detector(load_rules(settings.rules_path))
    sink = _Sink(settings)
    sealer = remote_sealer(registry, settings)  # a key is fetched once per client, then cached

    buffer: list[Detection] = []
    flushing = asyncio.Lock()

    async def flush() -> None:
        # Findings of many events commit together (one fsync for many). A crash can drop what is buffered but
        # not its facts (in the tables): the reconciliation below derives those conflicts again.
        async with flushing:
            if not buffer:
                return
            batch, buffer[:] = list(buffer), []
            new = await (await sink.conflicts()).record_many(batch)
            for detection in batch:
                detector.seen.add(detection.detected.conflict_id)
            if new:
                log.info("conflicts detected", count=len(new))
                by_rule = {d.detected.conflict_id: d.detected.rule_id for d in batch}
                for conflict_id in new:
                    conflicts_detected.add(1, {"rule": by_rule[conflict_id]})

    def collect(findings: list[Finding], causation: Any = None, correlation: Any = None) -> None:
        now = datetime.now(UTC)
        buffer.extend(Detection(f.to_event(now), causation, correlation) for f in findings)

    @app.agent(sources)
    async def evaluate(stream: faust.StreamT) -> None:
        async for event in stream.events():
            message = event.message
            try:
                envelope = read_envelope(message.headers)
                if envelope.event_name not in RELEVANT:
                    continue
                if sealer is not None:
                    await sealer.prepare(sealed_items([(message.headers, message.value)]))
                recorded = decode_event(envelope, message.value, registry, sealer)
            except MessageDecodeError as exc:
                await _dead_letter(app, message, str(exc))
                continue
            client = client_of(recorded)
            if client is None:
                continue
            key = str(client)
            stored = facts_table.get(key)
            facts = ClientFacts.model_validate_json(stored) if stored else None
            new_facts, deadline, findings = detector.on_event(facts, recorded)
            facts_table[key] = new_facts.model_dump_json()
            due = deadline.isoformat() if deadline else None
            if deadlines.get(key) != due:  # most events do not move the deadline: spare the changelog a write
                deadlines[key] = due
            if findings:
                collect(findings, recorded.event_id, recorded.metadata.correlation_id)
                if len(buffer) >= settings.flush_size:
                    await flush()  # back-pressure: the stream waits for PostgreSQL when it runs ahead

    @app.timer(interval=settings.flush_interval_seconds)
    async def flush_regularly() -> None:
        await flush()

    @app.timer(interval=settings.timer_interval_seconds)
    async def check_deadlines() -> None:
        # Deadlines live in a changelog-backed table: after a restart they are recovered and still fire.
        today = datetime.now(UTC).date()
        for key, deadline in list(deadlines.items()):
            if not deadline or date.fromisoformat(deadline) > today:
                continue
            stored = facts_table.get(key)
            if stored:
                collect(detector.on_deadline(ClientFacts.model_validate_json(stored)))
        await flush()

    @app.timer(interval=settings.reconcile_interval_seconds)
    async def reconcile() -> None:
        # Every finding derivable from the stored facts is recorded (idempotently): nothing dropped from the
        # buffer by a crash stays missing.
        for stored in list(facts_table.values()):
            if stored:
                collect(detector.reconcile(ClientFacts.model_validate_json(stored)))
            if len(buffer) >= settings.flush_size:
                await flush()
        await flush()

    app.conf.pzw_detector = detector  # type: ignore[attr-defined]
    return app


async def _dead_letter(app: faust.App, message: Any, reason: str) -> None:
    headers = [h for h in (message.headers or []) if not h[0].startswith("dlq_")]
    headers += [("dlq_reason", reason.encode()[:4000]), ("dlq_error_type", b"decode"),
                ("dlq_consumer", b"matching.conflicts"), ("dlq_original_topic", message.topic.encode()),
                ("dlq_original_partition", str(message.partition).encode()),
                ("dlq_original_offset", str(message.offset).encode())]
    dlq = app.topic(f"{message.topic}.dlq", key_serializer="raw", value_serializer="raw")
    await dlq.send(key=message.key, value=message.value, headers=headers)
