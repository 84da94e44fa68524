"""Topic declarations and their idempotent creation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic as the platform needs it; event topics keep their history forever (projections replay them)."""

    name: str
    partitions: int = 4
    replication: int = 1
    config: dict[str, str] = field(default_factory=lambda: {"retention.ms": "-1"})

    @property
    def dead_letter(self) -> TopicSpec:
        """The dead-letter topic of this topic: `<topic>.dlq`."""
        return TopicSpec(f"{self.name}.dlq", 1, self.replication, dict(self.config))


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


async def ensure_topics(bootstrap_servers: str, topics: Iterable[TopicSpec]) -> None:
    """Create the topics that do not exist yet; existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if not missing:
            return
        new = [NewTopic(t.name, t.partitions, t.replication, topic_configs=t.config) for t in missing]
        with contextlib.suppress(TopicAlreadyExistsError):  # another service created it in the meantime
            await admin.create_topics(new)
    finally:
        await admin.close()


async def partitions_of(bootstrap_servers: str, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the topics that exist (an unsubscribed consumer does not know them)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        wanted = [t for t in topics if t in set(await admin.list_topics())]
        if not wanted:
            return []
        described = await admin.describe_topics(wanted)
        return [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    finally:
        await admin.close()
