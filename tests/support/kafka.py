"""Reading what landed on a real Kafka topic."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from libs.events.kafka_admin import partitions_of


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


async def publish(bootstrap: str, topic: str, events: list, source: str = "/pzw/test") -> None:  # type: ignore[type-arg]
    """Send RecordedEvents to a topic exactly as the outbox relay would (same key, value and headers)."""
    from aiokafka import AIOKafkaProducer

    from libs.events.kafka_codec import encode_recorded
    from libs.events.schemas import registry

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for event in events:
            message = encode_recorded(event, registry, topic=topic, source=source)
            await producer.send_and_wait(message.topic, message.value, key=message.key, headers=message.headers)
    finally:
        await producer.stop()


async def group_caught_up(bootstrap: str, group: str, topics: list[str]) -> bool:
    """True when the consumer group has committed offsets at the end of every partition of `topics`."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    from libs.events.kafka_admin import partitions_of

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await admin.start()
    await consumer.start()
    try:
        try:
            committed = await admin.list_consumer_group_offsets(group)
        except KafkaError:
            return False  # the group has no coordinator or no offsets yet
        partitions = await partitions_of(bootstrap, topics)
        ends = await consumer.end_offsets(partitions)
        done = [end == 0 or (tp in committed and committed[tp].offset >= end) for tp, end in ends.items()]
        return bool(partitions) and all(done)
    finally:
        await consumer.stop()
        await admin.close()


async def read_whole_topic(bootstrap: str, topic: str) -> list[ConsumerRecord]:  # type: ignore[type-arg]
    """Every record of a topic now (its size from the end offsets: the session's tests share the topic)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(await partitions_of(bootstrap, [topic]))
    finally:
        await consumer.stop()
    return await read_topic(bootstrap, topic, expected=sum(ends.values()), within=30)
