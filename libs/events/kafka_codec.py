"""Wire format on Kafka: CloudEvents 1.0 in binary mode.

The message value is the payload JSON, the key is the partition key (the client id), and the envelope travels in
headers: the required `ce_*` attributes, extension attributes for the event-store envelope, and W3C `traceparent`.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from libs.events.envelope import Actor, Metadata, RecordedEvent
from libs.events.registry import EventRegistry
from libs.events.sealing import PayloadSealer

SPEC_VERSION = b"1.0"
TYPE_PREFIX = "pl.pzw."

Headers = Sequence[tuple[str, bytes]]


class MessageDecodeError(ValueError):
    """A Kafka message that is not a valid event of this platform (missing header, bad value, unknown schema)."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What the relay hands to the Kafka producer."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def ce_type(context: str, name: str) -> str:
    """The CloudEvents `type` of an event: `pl.pzw.<context>.<EventName>`."""
    return f"{TYPE_PREFIX}{context}.{name}"


def encode_headers(
    *, event_id: uuid.UUID, context: str, event_type: str, schema_version: int, source: str,
    stream_type: str, stream_id: str, stream_version: int, global_position: int,
    occurred_at: datetime, recorded_at: datetime, metadata: Metadata,
) -> list[tuple[str, bytes]]:
    """The headers of one event (the value is its payload JSON as stored)."""
    return headers_from_stored(
        event_id=event_id, ce_type_value=ce_type(context, event_type).encode(), schema_version=schema_version,
        source=source.encode(), stream_type=stream_type, stream_id=stream_id, stream_version=stream_version,
        global_position=global_position, occurred_at=occurred_at, recorded_at=recorded_at,
        metadata=metadata.to_dict())


def headers_from_stored(
    *, event_id: uuid.UUID, ce_type_value: bytes, schema_version: int, source: bytes, stream_type: str,
    stream_id: str, stream_version: int, global_position: int, occurred_at: datetime, recorded_at: datetime,
    metadata: dict[str, Any] | None = None, metadata_headers: list[tuple[str, bytes]] | None = None,
) -> list[tuple[str, bytes]]:
    """The headers from stored values and the stored metadata (the relay's hot path: no model building).

    Pass `metadata_headers` (from `metadata_to_headers`) to reuse them across the events of one append.
    """
    headers = [
        ("ce_specversion", SPEC_VERSION),
        ("ce_id", str(event_id).encode()),
        ("ce_type", ce_type_value),
        ("ce_source", source),
        ("ce_time", occurred_at.isoformat().encode()),
        ("ce_subject", stream_id.encode()),
        ("content-type", b"application/json"),
        ("ce_schemaversion", str(schema_version).encode()),
        ("ce_streamtype", stream_type.encode()),
        ("ce_streamversion", str(stream_version).encode()),
        ("ce_position", str(global_position).encode()),
        ("ce_recordedat", recorded_at.isoformat().encode()),
    ]
    headers.extend(metadata_headers if metadata_headers is not None else metadata_to_headers(metadata or {}))
    return headers


def metadata_to_headers(metadata: dict[str, Any]) -> list[tuple[str, bytes]]:
    """The headers carrying an event's metadata (correlation, causation, actor, partition key, trace)."""
    headers = [("ce_correlationid", str(metadata["correlation_id"]).encode()),
               ("ce_actor", orjson.dumps(metadata["actor"]))]
    if metadata.get("causation_id"):
        headers.append(("ce_causationid", str(metadata["causation_id"]).encode()))
    if metadata.get("partition_key"):
        headers.append(("ce_partitionkey", str(metadata["partition_key"]).encode()))
    if metadata.get("traceparent"):
        headers.append(("traceparent", str(metadata["traceparent"]).encode()))
    return headers


def encode_recorded(event: RecordedEvent, registry: EventRegistry, *, topic: str, source: str) -> OutgoingMessage:
    """The Kafka message of a recorded event, exactly as the outbox relay sends it."""
    headers = encode_headers(
        event_id=event.event_id, context=registry.context_of(event.event_type), event_type=event.event_type,
        schema_version=registry.type_of(event.payload).version, source=source, stream_type=event.stream_type,
        stream_id=event.stream_id, stream_version=event.stream_version, global_position=event.global_position,
        occurred_at=event.occurred_at, recorded_at=event.recorded_at, metadata=event.metadata)
    return OutgoingMessage(topic, event.partition_key.encode(), registry.to_json(event.payload), headers)


def sealed_items(records: Sequence[tuple[Headers | None, bytes | None]], wanted: frozenset[str] | None = None
                 ) -> list[tuple[str, int, bytes]]:
    """(event name, schema version, value) of the well-formed messages among `records` whose event name is
    `wanted` (all when None): what `PayloadSealer.prepare` needs to load the keys of a batch at once."""
    items = []
    for headers, value in records:
        indexed = dict(headers or ())
        ce_type_value, version = indexed.get("ce_type"), indexed.get("ce_schemaversion")
        if ce_type_value is None or version is None or value is None or not version.isdigit():
            continue
        name = ce_type_value.decode(errors="replace").rsplit(".", 1)[-1]
        if wanted is None or name in wanted:
            items.append((name, int(version), value))
    return items


@dataclass(frozen=True, slots=True)
class IncomingEnvelope:
    """The header part of a received event, read before (and independently of) its payload."""

    headers: dict[str, bytes]

    @property
    def event_name(self) -> str:
        return self._required("ce_type").decode().rsplit(".", 1)[-1]

    @property
    def stream_id(self) -> str:
        return self._required("ce_subject").decode()

    @property
    def stream_version(self) -> int:
        return int(self._required("ce_streamversion"))

    def _required(self, name: str) -> bytes:
        try:
            return self.headers[name]
        except KeyError:
            raise MessageDecodeError(f"header {name} is missing") from None


def read_envelope(headers: Headers | None) -> IncomingEnvelope:
    """Index the headers of a message; raises MessageDecodeError when it is not a CloudEvent of ours."""
    indexed = dict(headers or ())
    envelope = IncomingEnvelope(indexed)
    if indexed.get("ce_specversion") != SPEC_VERSION:
        raise MessageDecodeError("header ce_specversion is missing or not 1.0")
    if not envelope._required("ce_type").decode().startswith(TYPE_PREFIX):
        raise MessageDecodeError(f"ce_type {indexed['ce_type']!r} is not an event of this platform")
    return envelope


def decode_event(envelope: IncomingEnvelope, value: bytes | None, registry: EventRegistry,
                 sealer: PayloadSealer | None = None) -> RecordedEvent:
    """Turn a received message into a RecordedEvent, upcasting the payload to the latest schema version.

    Sealed personal fields need a `sealer` whose keys were loaded for the batch (`PayloadSealer.prepare`);
    without one such a message does not decode.
    """
    h = envelope.headers
    try:
        name = envelope.event_name
        version = int(envelope._required("ce_schemaversion"))
        if value is None:
            raise MessageDecodeError("message has no value")
        erased: tuple[str, ...] = ()
        if sealer is not None:
            decoded = sealer.open_prepared(name, version, value)
            payload, erased = decoded.payload, decoded.erased
        else:
            payload = registry.from_json(name, version, value)
        causation = h.get("ce_causationid")
        metadata = Metadata(
            actor=_actor(envelope._required("ce_actor")),
            correlation_id=uuid.UUID(envelope._required("ce_correlationid").decode()),
            causation_id=uuid.UUID(causation.decode()) if causation else None,
            partition_key=_text(h.get("ce_partitionkey")),
            traceparent=_text(h.get("traceparent")),
        )
        return RecordedEvent(
            event_id=uuid.UUID(envelope._required("ce_id").decode()),
            event_type=name,
            schema_version=version,
            stream_type=envelope._required("ce_streamtype").decode(),
            stream_id=envelope.stream_id,
            stream_version=envelope.stream_version,
            global_position=int(envelope._required("ce_position")),
            occurred_at=datetime.fromisoformat(envelope._required("ce_time").decode()),
            recorded_at=datetime.fromisoformat(envelope._required("ce_recordedat").decode()),
            payload=payload,
            metadata=metadata,
            erased=erased,
        )
    except MessageDecodeError:
        raise
    except Exception as exc:  # any malformed header or payload becomes a dead letter, never a crash
        raise MessageDecodeError(f"{type(exc).__name__}: {exc}") from exc


def _text(raw: bytes | None) -> str | None:
    return raw.decode() if raw is not None else None


@functools.lru_cache(maxsize=4096)
def _actor(raw: bytes) -> Actor:
    """Actors repeat across events (the same workers): parse each distinct header once."""
    return Actor.model_validate_json(raw)
