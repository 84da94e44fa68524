"""The regional topics are read by standard tools: the CloudEvents Python SDK (binary mode) and Kafka's own console
consumer. Both see CloudEvents of the platform's conventions, dated no finer than the month."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event

from libs.events.kafka_codec import decode_event, read_envelope
from libs.events.schemas import registry
from libs.events.schemas.regional import RegionalItem
from services.reporting.regional.deidentify import topic_of
from tests.integration.regional.conftest import Feed
from tests.support.kafka import headers_of, read_whole_topic
from tests.unit.regional.personal_values import leaks

pytestmark = pytest.mark.infra

KAFKA_LIBS = Path(__file__).resolve().parents[3] / ".cache" / "kafka" / "libs"


async def _mine(feed: Feed, region: str) -> list:  # type: ignore[type-arg]
    records = await read_whole_topic(feed.infra.kafka_bootstrap, topic_of(region))
    return [r for r in records if r.key.decode() in feed.subjects]


async def test_the_cloudevents_sdk_reads_every_item_of_the_regional_topics(feed: Feed) -> None:
    seen = 0
    for region in feed.regions:
        for record in await _mine(feed, region):
            headers = headers_of(record)
            event = from_binary_event(KafkaMessage(headers=headers, key=record.key, value=record.value))
            assert event.get_type().startswith("pl.pzw.regional.Regional")
            assert event.get_source() == "/pzw/reporting/regional"
            assert event.get_id() == headers["ce_id"].decode()
            assert event.get_subject() == f"{region}:{record.key.decode()}"
            time = event.get_time()
            assert time is not None
            assert (time.day, time.hour, time.minute, time.second) == (1, 0, 0, 0)
            data = event.get_data()
            assert data["region"] == region
            assert data["month"] == time.strftime("%Y-%m")
            assert headers["ce_recordedat"] == headers["ce_time"]
            # The Kafka record's own timestamp is the month too, never the moment of publishing.
            assert datetime.fromtimestamp(record.timestamp / 1000, UTC) == time
            # The platform's own decoder reads it as well (a ROPS system built on libs.events).
            decoded = decode_event(read_envelope(record.headers), record.value, registry)
            assert isinstance(decoded.payload, RegionalItem)
            seen += 1
    assert seen >= feed.expected


async def test_the_kafka_console_consumer_reads_the_regional_topic(feed: Feed) -> None:
    region = max(feed.regions, key=lambda r: 0 if r == "24" else 1)
    topic = topic_of(region)
    total = len(await read_whole_topic(feed.infra.kafka_bootstrap, topic))
    mine = {r.value for r in await _mine(feed, region)}
    command = ["java", "-cp", f"{KAFKA_LIBS}/*", "org.apache.kafka.tools.consumer.ConsoleConsumer",
               "--bootstrap-server", feed.infra.kafka_bootstrap, "--topic", topic, "--from-beginning",
               "--max-messages", str(total), "--timeout-ms", "30000",
               "--property", "print.headers=true", "--property", "print.key=true"]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == total
    found: set[str] = set()  # an item may be sent again (at least once) or repeat another's body
    for line in lines:
        headers, key, value = line.split("\t", 2)
        parsed = dict(h.split(":", 1) for h in headers.split(","))
        assert parsed["ce_specversion"] == "1.0"
        assert parsed["content-type"] == "application/json"
        assert parsed["ce_type"].startswith("pl.pzw.regional.")
        assert parsed["ce_partitionkey"] == key
        body = orjson.loads(value)
        assert body["region"] == region
        if value.encode() in mine:
            found.add(value)
            assert key in feed.subjects
    assert {v.encode() for v in found} == mine
    assert mine
    assert leaks(feed.forbidden, done.stdout) == []
