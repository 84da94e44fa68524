"""Dead letters: a message that cannot be decoded or keeps failing goes to `<topic>.dlq` with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from libs.events.kafka_admin import dead_letter_topic
from libs.events.metrics import dead_letters


class DeadLetterPublisher:
    """Copies a failed message, unchanged, to its dead-letter topic and adds why and where it failed."""

    def __init__(self, producer: AIOKafkaProducer, consumer_name: str) -> None:
        self._producer = producer
        self._consumer_name = consumer_name

    async def publish(self, record: ConsumerRecord[bytes, bytes], reason: str, error_type: str) -> None:
        """Send and wait for the acknowledgement: the caller records the offset only after this returns."""
        headers = [h for h in (record.headers or ()) if not h[0].startswith("dlq_")]
        headers += [
            ("dlq_reason", reason.encode()[:4000]),
            ("dlq_error_type", error_type.encode()),
            ("dlq_consumer", self._consumer_name.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await self._producer.send_and_wait(
            dead_letter_topic(record.topic), record.value, key=record.key, headers=headers)
        dead_letters.add(1, {"topic": record.topic, "reason": error_type, "consumer": self._consumer_name})
