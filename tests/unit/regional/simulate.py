"""The regional projection's loop without a database, for tests: translate, place, or wait for the client."""

from __future__ import annotations

from libs.events.envelope import RecordedEvent
from services.reporting.regional.deidentify import Pseudonymiser
from services.reporting.regional.feed_store import FeedItem, place
from services.reporting.regional.items import translate
from services.reporting.regional.state import BatchState

PSEUDONYMS = Pseudonymiser(b"unit-test-key-for-the-feed-items")


def run(events: list[RecordedEvent], state: BatchState | None = None) -> tuple[list[FeedItem], BatchState]:
    """The projection's loop without a database: translate, place, or wait for the client."""
    state = state or BatchState()
    items = []
    for event in events:
        for draft in translate(event, state):
            client = state.clients.get(draft.client_id) if draft.client_id else None
            if draft.client_id is not None and client is None:
                state.wait_for_client(draft)
                continue
            placed = place(draft, client, PSEUDONYMS)
            if placed is not None:
                items.append(placed)
    return items, state
