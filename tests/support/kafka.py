"""Reading what landed on a real Kafka topic."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord


async def read_topic(bootstrap: str, topic: str, expected: int, within: float = 30.0) -> list[ConsumerRecord]:
    """All records of `topic` from the beginning, waiting until at least `expected` arrived (or `within` passed)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = asyncio.get_running_loop().time() + within
    try:
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
        # anything beyond `expected` that is already there (duplicates) is read too
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return records


def headers_of(record: ConsumerRecord) -> dict[str, bytes]:
    return dict(record.headers or ())
