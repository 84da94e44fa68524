"""The Kafka topics of the platform: one per bounded context, each with a dead-letter topic."""

from libs.events.kafka_admin import TopicSpec

CLIENTS = "pzw.clients.v1"
PLANS = "pzw.plans.v1"
MATCHING = "pzw.matching.v1"
CONFLICTS = "pzw.conflicts.v1"
NOTIFICATIONS = "pzw.notifications.v1"
ACCESS = "pzw.access.v1"
"""Reads of personal data by every service, gathered into the clients service's access log."""


def event_topic(name: str, partitions: int, replication: int = 1) -> TopicSpec:
    """An event topic as the platform declares it (history kept forever: projections are rebuilt by replay)."""
    return TopicSpec(name, partitions, replication)
