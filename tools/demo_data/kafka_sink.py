"""Sink (b): events written straight onto the Kafka topics, exactly as the outbox relays would publish them.

Each service's events go to its topic (pzw.clients.v1, pzw.plans.v1, pzw.matching.v1) in binary CloudEvents mode
(the headers of libs.events.kafka_codec, as encode_recorded makes them), keyed by client id, with per-stream
versions and per-service positions as the event stores would number them. Clients are generated one after another
and sent in producer batches with a bounded number in flight, so memory stays flat whatever the data set's size.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from aiokafka.partitioner import DefaultPartitioner

from libs.events.envelope import RecordedEvent
from libs.events.kafka_admin import ensure_topics
from libs.events.kafka_codec import OutgoingMessage, ce_type, headers_from_stored, metadata_to_headers
from libs.events.outbox import reliable_producer
from libs.events.schemas import registry
from libs.events.topics import event_topic
from tools.demo_data.dataset import SOURCES, TOPICS, DataSet
from tools.demo_data.progress import Progress
from tools.demo_data.scenario import Scenario


class Encoder:
    """encode_recorded's output, faster: type headers and the metadata of one append are encoded once."""

    def __init__(self) -> None:
        self._types: dict[str, bytes] = {}
        self._sources = {s: v.encode() for s, v in SOURCES.items()}
        self._last: tuple[object, list[tuple[str, bytes]]] = (None, [])

    def message(self, service: str, event: RecordedEvent) -> OutgoingMessage:
        kind = self._types.get(event.event_type)
        if kind is None:
            kind = self._types[event.event_type] = ce_type(registry.context_of(event.event_type),
                                                           event.event_type).encode()
        if self._last[0] != event.metadata.correlation_id:
            self._last = (event.metadata.correlation_id, metadata_to_headers(event.metadata.to_dict()))
        headers = headers_from_stored(
            event_id=event.event_id, ce_type_value=kind, schema_version=event.schema_version,
            source=self._sources[service], stream_type=event.stream_type, stream_id=event.stream_id,
            stream_version=event.stream_version, global_position=event.global_position,
            occurred_at=event.occurred_at, recorded_at=event.recorded_at, metadata_headers=self._last[1])
        return OutgoingMessage(TOPICS[service], event.partition_key.encode(), registry.to_json(event.payload), headers)


async def write_to_kafka(dataset: DataSet, bootstrap: str, *, partitions: int = 4, first: int = 0,
                         last: int | None = None, setup: bool = True, progress: Progress | None = None,
                         in_flight: int = 64) -> int:
    """Generate and publish the setup and clients `first`..`last`; return the number of events sent."""
    specs = [event_topic(t, partitions) for t in TOPICS.values()]
    await ensure_topics(bootstrap, specs + [s.dead_letter for s in specs])
    # The relay's guarantees (idempotent, acks=all, one request in flight per partition) with whole batches
    # built here: the per-message overhead of send() is what limits a Python producer.
    producer = reliable_producer(bootstrap, linger_ms=50, max_batch_size=1024 * 1024)
    await producer.start()
    counts = {t: len(await producer.partitions_for(t)) for t in TOPICS.values()}  # existing topics keep theirs
    sender = _Batches(producer, in_flight)
    encoder, partitioner = Encoder(), DefaultPartitioner()
    sent = 0
    try:
        for n, story in enumerate(dataset.everything(first, last, setup)):
            partition_of: dict[bytes, int] = {}
            for service, event in dataset.recorded(story):
                message = encoder.message(service, event)
                partition = partition_of.get(message.key)
                if partition is None:  # the producer's own choice (murmur2 of the key), computed once per key
                    every = list(range(counts[message.topic]))
                    partition = partition_of[message.key] = partitioner(message.key, every, every)
                await sender.add(message, partition)
            sent += len(story)
            if progress is not None:
                progress.add(0 if setup and n == 0 else 1, len(story))
        await sender.flush()
    finally:
        await producer.stop()
    return sent


def write_shard(scenario: Scenario, bootstrap: str, partitions: int, shard: int, shards: int) -> int:
    """One writer process's share of the clients (`shard` of `shards`); prints its rate; returns its events."""
    size = -(-scenario.clients // shards)
    first, last = shard * size, min((shard + 1) * size, scenario.clients)
    progress = Progress(last - first)
    sent = asyncio.run(write_to_kafka(DataSet(scenario, shard, shards), bootstrap, partitions=partitions,
                                      first=first, last=last, setup=shard == 0, progress=progress))
    print(f"[writer {shard}] {sent:,} events in {progress.elapsed:,.1f} s: {sent / progress.elapsed:,.0f} events/s",
          file=sys.stderr)
    return sent


class _Batches:
    """One open batch per (topic, partition); a full batch is sent, at most `in_flight` batches unacknowledged."""

    def __init__(self, producer: Any, in_flight: int) -> None:
        self._producer = producer
        self._open: dict[tuple[str, int], Any] = {}
        self._waiting: list[asyncio.Future[Any]] = []
        self._in_flight = in_flight

    async def add(self, message: OutgoingMessage, partition: int) -> None:
        where = (message.topic, partition)
        batch = self._open.get(where)
        if batch is None:
            batch = self._open[where] = self._producer.create_batch()
        if batch.append(key=message.key, value=message.value, timestamp=None, headers=message.headers) is None:
            await self._send(where)
            batch = self._open[where] = self._producer.create_batch()
            batch.append(key=message.key, value=message.value, timestamp=None, headers=message.headers)

    async def _send(self, where: tuple[str, int]) -> None:
        batch = self._open.pop(where)
        batch.close()
        self._waiting.append(await self._producer.send_batch(batch, where[0], partition=where[1]))
        if len(self._waiting) >= self._in_flight:
            await asyncio.gather(*self._waiting)
            self._waiting.clear()

    async def flush(self) -> None:
        for where in list(self._open):
            await self._send(where)
        await asyncio.gather(*self._waiting)
        self._waiting.clear()
