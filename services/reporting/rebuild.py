"""Rebuilding read models by replay: empty them, consume their topics from the beginning up to the end offsets
seen at the start, with a progress bar (ProjectionRunner.rebuild() semantics, one runner per projection)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import DescribeGroupsRequest_v1, DescribeGroupsRequest_v2
from aiokafka.protocol.api import Request

from libs.events.kafka_admin import ensure_topics, partitions_of
from libs.events.projection import Projection, ProjectionRunner
from libs.events.schemas import registry
from libs.events.sealing import PayloadSealer
from libs.events.topics import event_topic
from services.reporting.progress import ProgressBar

SERVICE = "reporting"


class RebuildRefused(RuntimeError):
    """The rebuild would race a running consumer of the same read model, or names an unknown one."""


@dataclass(frozen=True, slots=True)
class RebuildResult:
    """What a rebuild replayed: messages in the topics (end offsets), messages read by all the projections
    together (one topic may feed several), events applied, dead letters, seconds."""

    projections: tuple[str, ...]
    messages: int
    read: int
    applied: int
    dead_letters: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def choose(available: Sequence[Projection], names: Sequence[str]) -> list[Projection]:
    """The projections named (all when none is). A read model of a group is rebuilt with its whole group (they
    share one consumer and its offsets); unknown names are refused with the known ones listed."""
    known: dict[str, Projection] = {}
    for projection in available:
        known[projection.name] = projection
        for part in getattr(projection, "parts", ()):
            known.setdefault(part.name, projection)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RebuildRefused(f"unknown read model(s) {unknown}; known: {sorted(known)}")
    chosen = {id(known[n]): known[n] for n in names}
    return list(chosen.values()) if names else list(available)


def group_of(projection: Projection, prefix: str = SERVICE) -> str:
    """The consumer group the reporting service runs the projection with."""
    return f"{prefix}.{projection.name}"


class _DescribeGroups(Request[DescribeGroupsRequest_v1 | DescribeGroupsRequest_v2]):  # type: ignore[misc]
    """DescribeGroups limited to v1-v2: aiokafka 0.14 decodes the v3 answer with the v2 schema, and the broker's
    connection then fails (AIOKafkaAdminClient.describe_consumer_groups is unusable against Kafka 4)."""

    API_KEY = 15

    def __init__(self, groups: list[str]) -> None:
        self._groups = groups

    def build(self, request_struct_class: type[DescribeGroupsRequest_v1 | DescribeGroupsRequest_v2]
              ) -> DescribeGroupsRequest_v1 | DescribeGroupsRequest_v2:
        return request_struct_class(self._groups)


async def running_groups(bootstrap: str, groups: Sequence[str]) -> list[str]:
    """Those of `groups` that have members now (a reporting service consuming)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        busy = []
        for group in groups:
            node = await admin.find_coordinator(group)
            response = await admin._send_request(_DescribeGroups([group]), node)  # private: see _DescribeGroups
            busy += [g[1] for g in response.groups if g[5]]  # (error, group, state, type, protocol, members)
        return busy
    finally:
        await admin.close()


async def end_offsets(bootstrap: str, topics: Sequence[str]) -> dict[TopicPartition, int]:
    """The current end offset of every partition of `topics`: what the rebuild replays up to."""
    partitions = await partitions_of(bootstrap, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions)) if partitions else {}
    finally:
        await consumer.stop()


async def rebuild(pool: asyncpg.Pool, bootstrap: str, projections: Sequence[Projection], *, force: bool = False,
                  partitions: int = 4, show: bool = True, poll: float = 0.2, group_prefix: str = SERVICE,
                  sealer: PayloadSealer | None = None) -> RebuildResult:
    """Empty `projections` and replay their topics up to today's end offsets, all projections concurrently."""
    names = tuple(p.name for p in projections)
    busy = [] if force else await running_groups(bootstrap, [group_of(p, group_prefix) for p in projections])
    if busy and not force:
        raise RebuildRefused(f"consumer groups {busy} are running (a reporting service?): stop it, or run it with "
                             "PZW_REPORTING_RUN_PROJECTIONS=false, before rebuilding (or pass --force)")
    topics = sorted({t for p in projections for t in p.topics})
    specs = [event_topic(t, partitions) for t in topics]
    await ensure_topics(bootstrap, specs + [s.dead_letter for s in specs])
    ends = await end_offsets(bootstrap, topics)
    targets = {p.name: {tp: end for tp, end in ends.items() if tp.topic in p.topics and end > 0} for p in projections}
    total = sum(sum(t.values()) for t in targets.values())
    runners = [ProjectionRunner(pool, bootstrap, p, registry, group_id=group_of(p, group_prefix), sealer=sealer)
               for p in projections]
    for runner in runners:
        await runner.rebuild()  # not running: creates the tables, empties the read model and its bookkeeping
    bar = ProgressBar(f"rebuild {', '.join(names)}", total) if show else None
    started = time.perf_counter()
    stops = {r.projection.name: asyncio.Event() for r in runners}
    tasks = [asyncio.create_task(r.run(stops[r.projection.name])) for r in runners]
    try:
        while True:
            done = await _progress(pool, targets, stops)
            if bar:
                bar.update(done, f"applied {sum(r.applied for r in runners):,}")
            if all(stop.is_set() for stop in stops.values()):
                break
            for task in tasks:
                if task.done():
                    task.result()  # a runner that stopped by itself: surface its error
            await asyncio.sleep(poll)
    finally:
        for stop in stops.values():
            stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks)
        if bar:
            bar.close()
    return RebuildResult(names, sum(ends.values()), total, sum(r.applied for r in runners),
                         sum(r.dead_letters for r in runners), time.perf_counter() - started)


async def _progress(pool: asyncpg.Pool, targets: dict[str, dict[TopicPartition, int]],
                    stops: dict[str, asyncio.Event]) -> int:
    """Messages replayed so far; stops each projection that reached all its end offsets."""
    rows = await pool.fetch("SELECT projection, topic, partition, next_offset FROM projection_offsets "
                            "WHERE projection = ANY($1::text[])", list(targets))
    stored = {(r["projection"], TopicPartition(r["topic"], r["partition"])): r["next_offset"] for r in rows}
    done = 0
    for name, target in targets.items():
        reached = {tp: min(stored.get((name, tp), 0), end) for tp, end in target.items()}
        done += sum(reached.values())
        if all(reached[tp] >= end for tp, end in target.items()):
            stops[name].set()
    return done
