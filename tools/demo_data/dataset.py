"""A whole data set as a stream: the network's setup, then client after client (never all in memory)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from libs.events.envelope import Metadata, RecordedEvent
from libs.events.schemas import registry
from tools.demo_data.events import StoryEvent, network_events
from tools.demo_data.network import Pair, build
from tools.demo_data.scenario import Scenario
from tools.demo_data.story import Story

TOPICS = {"clients": "pzw.clients.v1", "plans": "pzw.plans.v1", "matching": "pzw.matching.v1"}
SOURCES = {"clients": "/pzw/clients", "plans": "/pzw/plans", "matching": "/pzw/matching"}


@dataclass(slots=True)
class DataSet:
    """The scenario's network and its stories; `positions` numbers events per service like each event store."""

    scenario: Scenario
    shard: int = 0  # with several writer processes, positions interleave: shard + n * shards stays unique
    shards: int = 1
    network: list[Pair] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOPICS, 0))

    def __post_init__(self) -> None:
        s = self.scenario
        self.network = build(s.seed, s.pups, s.ops, s.regions_per_pair, s.start, s.powiat_offset)

    def setup(self) -> list[StoryEvent]:
        """Agreements, regions and offers (each on a stream of its own, version 1)."""
        return network_events(self.network, self.scenario.seed, self.scenario.start, self.scenario.end)

    def story(self, index: int) -> list[StoryEvent]:
        """The events of client `index`; clients are spread over the pairs round robin."""
        s = self.scenario
        pair = self.network[index % len(self.network)]
        return Story(pair, index, s.seed, s.start, s.end, s.entry_days, s.conflict_rate, s.shared_rate).tell()

    def stories(self, first: int = 0, last: int | None = None) -> Iterator[list[StoryEvent]]:
        """Clients `first` to `last` (default: all), one story at a time."""
        for index in range(first, self.scenario.clients if last is None else last):
            yield self.story(index)

    def everything(self, first: int = 0, last: int | None = None, setup: bool = True) -> Iterator[list[StoryEvent]]:
        """The setup (as one batch) followed by the stories."""
        if setup:
            yield self.setup()
        yield from self.stories(first, last)

    def recorded(self, events: list[StoryEvent]) -> list[tuple[str, RecordedEvent]]:
        """(service, event) as the services' stores would hold them: stream versions and global positions."""
        versions: dict[str, int] = {}
        out = []
        for e in events:
            versions[e.stream_id] = version = versions.get(e.stream_id, 0) + 1
            self.positions[e.service] += 1
            position = (self.positions[e.service] - 1) * self.shards + self.shard + 1
            kind = registry.type_of(e.payload)
            out.append((e.service, RecordedEvent(
                event_id=e.event_id, event_type=kind.name, schema_version=kind.version, stream_type=e.stream_type,
                stream_id=e.stream_id, stream_version=version, global_position=position,
                occurred_at=e.occurred_at, recorded_at=e.occurred_at + timedelta(milliseconds=3), payload=e.payload,
                metadata=Metadata(actor=e.actor, correlation_id=e.correlation_id, partition_key=e.key))))
        return out
