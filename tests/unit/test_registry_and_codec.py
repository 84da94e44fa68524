"""Event contracts in memory: registration, upcasting, and the Kafka header codec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from libs.events.ids import new_event_id
from libs.events.kafka_codec import MessageDecodeError, decode_event, encode_headers, read_envelope
from libs.events.registry import PayloadDecodeError, UnknownEventType
from tests.sample_events import CounterIncremented, CounterOpened, metadata, registry


def test_old_versions_are_upcast_to_the_latest() -> None:
    assert registry.from_json("CounterIncremented", 1, b'{"by": 3}') == CounterIncremented(by=3, reason="unknown")
    assert registry.from_json("CounterIncremented", 2, {"by": 3, "reason": "r"}) == CounterIncremented(
        by=3, reason="r")


def test_unknown_types_versions_and_bad_payloads_are_named() -> None:
    with pytest.raises(UnknownEventType, match="Nope"):
        registry.from_json("Nope", 1, b"{}")
    with pytest.raises(UnknownEventType, match="version 9"):
        registry.from_json("CounterOpened", 9, b"{}")
    with pytest.raises(PayloadDecodeError, match="name"):
        registry.from_json("CounterOpened", 1, b'{"nome": "x"}')
    with pytest.raises(PayloadDecodeError, match="not JSON"):
        registry.from_json("CounterOpened", 1, b"{")


def test_registering_the_same_type_and_version_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        registry.event("CounterOpened", 1, context="test")(CounterOpened)


def test_headers_round_trip_to_the_same_event() -> None:
    now = datetime.now(UTC)
    event_id = new_event_id()
    meta = metadata("client-1")
    headers = encode_headers(
        event_id=event_id, context="test", event_type="CounterOpened", schema_version=1, source="/pzw/test",
        stream_type="counter", stream_id="s1", stream_version=3, global_position=42, occurred_at=now,
        recorded_at=now, metadata=meta)
    event = decode_event(read_envelope(headers), registry.to_json(CounterOpened(name="x")), registry)
    assert (event.event_id, event.stream_id, event.stream_version, event.global_position) == (event_id, "s1", 3, 42)
    assert event.payload == CounterOpened(name="x")
    assert event.metadata == meta
    assert event.occurred_at == now


def test_messages_that_are_not_our_cloudevents_are_refused_with_a_reason() -> None:
    with pytest.raises(MessageDecodeError, match="ce_specversion"):
        read_envelope([])
    with pytest.raises(MessageDecodeError, match="not an event of this platform"):
        read_envelope([("ce_specversion", b"1.0"), ("ce_type", b"com.example.Other")])
    envelope = read_envelope([("ce_specversion", b"1.0"), ("ce_type", b"pl.pzw.test.CounterOpened")])
    with pytest.raises(MessageDecodeError, match="missing"):
        decode_event(envelope, b'{"name": "x"}', registry)
