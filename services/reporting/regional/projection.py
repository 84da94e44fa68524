"""The projection that turns the platform's events into the de-identified regional feed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import structlog

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.topics import CLIENTS, CONFLICTS, MATCHING, PLANS
from services.reporting.regional import feed_store, state
from services.reporting.regional.deidentify import Pseudonymiser
from services.reporting.regional.items import HANDLES, translate

log = structlog.get_logger(__name__)


class RegionalFeedProjection(Projection):
    """Consumes clients, plans, matching and conflicts; writes feed items and their outbox rows in one transaction.

    Why the outbox is written here: the items, the projection's Kafka position and the rows the publisher will send
    commit together, so every item is published at least once and none is published that was not stored.
    """

    name: ClassVar[str] = "regional_feed"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS, PLANS, MATCHING, CONFLICTS)
    handles: ClassVar[frozenset[str]] = HANDLES
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.regional.sql", "regional_feed_001")

    def __init__(self, pseudonyms: Pseudonymiser) -> None:
        self._pseudonyms = pseudonyms
        self.unlocated = 0  # facts dropped: the client's address has no TERYT code, so no voivodeship

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        batch = await state.load(conn, events)
        items: list[feed_store.FeedItem] = []
        for event in events:
            for draft in translate(event, batch):
                if draft.client_id is None:
                    placed = feed_store.place(draft, None, self._pseudonyms)
                else:
                    client = batch.clients.get(draft.client_id)
                    if client is None:
                        batch.wait_for_client(draft)
                        continue
                    placed = feed_store.place(draft, client, self._pseudonyms)
                if placed is None:
                    self.unlocated += 1
                    continue
                items.append(placed)
        await state.save(conn, batch)
        await feed_store.write(conn, items)

    async def reset(self, conn: Connection) -> None:
        # A rebuild derives the same item ids again; they are published again (consumers drop them by version).
        await conn.execute(f"TRUNCATE {', '.join(state.TABLES)}")
