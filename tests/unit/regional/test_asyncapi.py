"""docs/asyncapi/regional-feed.yaml describes every item of the feed, with payloads from contracts/regional/."""

from __future__ import annotations

from pathlib import Path

import yaml

from libs.events.kafka_codec import headers_from_stored
from libs.events.schemas import registry
from libs.events.schemas.regional import VOIVODESHIPS

DOC = Path(__file__).resolve().parents[3] / "docs" / "asyncapi" / "regional-feed.yaml"


def test_every_regional_item_is_a_message_of_the_channel_with_its_contract() -> None:
    spec = yaml.safe_load(DOC.read_text(encoding="utf-8"))
    names = {event_type.name for event_type, _ in registry if event_type.context == "regional"}
    messages = spec["components"]["messages"]
    assert set(messages) == names
    assert set(spec["channels"]["regionalFeed"]["messages"]) == names
    for name, message in messages.items():
        assert (DOC.parent / message["payload"]["$ref"]).resolve().exists(), name
    assert spec["channels"]["regionalFeed"]["parameters"]["voivodeship"]["enum"] == sorted(VOIVODESHIPS)


def test_the_documented_headers_are_the_platforms() -> None:
    spec = yaml.safe_load(DOC.read_text(encoding="utf-8"))
    documented = set(spec["components"]["schemas"]["CloudEventHeaders"]["properties"])
    import uuid
    from datetime import UTC, datetime

    moment = datetime(2026, 3, 1, tzinfo=UTC)
    made = headers_from_stored(event_id=uuid.uuid4(), ce_type_value=b"t", schema_version=1, source=b"s",
                               stream_type="regional-subject", stream_id="24:x", stream_version=1, global_position=1,
                               occurred_at=moment, recorded_at=moment, metadata={
                                   "correlation_id": uuid.uuid4(), "actor": {}, "partition_key": "x"})
    assert {name for name, _ in made} == documented
