"""The platform's metrics (OpenTelemetry instruments; exported over OTLP when configured, see tracing.py)."""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

meter = metrics.get_meter("pzw")

append_duration = meter.create_histogram(
    "pzw.eventstore.append.duration", unit="ms", description="time to append events to a stream")
dead_letters = meter.create_counter(
    "pzw.consumer.dead_letters", description="messages sent to a dead-letter topic, by topic and reason")
conflicts_detected = meter.create_counter(
    "pzw.conflicts.detected", description="benefit conflicts raised, by rule")
notifications_sent = meter.create_counter(
    "pzw.notifications.sent", description="notifications stored and sent, by kind and channel")

# Gauges read the latest values the workers keep here (a callback must not query a database).
_outbox_backlog: dict[str, int] = {}
_consumer_lag: dict[tuple[str, str, int], int] = {}


def set_outbox_backlog(service: str, rows: int) -> None:
    _outbox_backlog[service] = rows


def set_consumer_lag(group: str, topic: str, partition: int, lag: int) -> None:
    _consumer_lag[(group, topic, partition)] = lag


def _observe_backlog(_: CallbackOptions) -> Iterable[Observation]:
    return [Observation(rows, {"service": service}) for service, rows in _outbox_backlog.items()]


def _observe_lag(_: CallbackOptions) -> Iterable[Observation]:
    return [Observation(lag, {"group": group, "topic": topic, "partition": partition})
            for (group, topic, partition), lag in _consumer_lag.items()]


meter.create_observable_gauge("pzw.outbox.backlog", callbacks=[_observe_backlog],
                              description="events stored but not yet acknowledged by Kafka")
meter.create_observable_gauge("pzw.consumer.lag", callbacks=[_observe_lag],
                              description="messages behind the end of each partition, per consumer group")
