"""The feed table: placing drafts as items, writing them with their outbox rows, and reading pages of a region."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import orjson

from libs.events.db import Connection
from libs.events.ids import derived_id
from libs.events.schemas import registry
from libs.events.schemas.regional import SubjectItem
from libs.events.store import Checkpoint
from services.reporting.regional.deidentify import Pseudonymiser, age_band, month_of
from services.reporting.regional.state import ClientRow, Draft


@dataclass(frozen=True, slots=True)
class FeedItem:
    """An item ready to store: its place in the feed and its payload JSON (validated against its schema)."""

    item_id: uuid.UUID
    region: str
    month: str
    item_type: str
    schema_version: int
    stream_id: str
    partition_key: str
    payload: bytes


def place(draft: Draft, client: ClientRow | None, pseudonyms: Pseudonymiser) -> FeedItem | None:
    """The item of a draft in its region, or None when the region is unknown (address without a TERYT code)."""
    region = draft.region or (client.region if client else None)
    if region is None:
        return None
    fields = dict(draft.fields, region=region, month=month_of(draft.day))
    if issubclass(draft.item, SubjectItem):
        assert draft.client_id is not None
        assert client is not None
        subject = pseudonyms.subject(draft.client_id, region)
        band = age_band(client.birth_month, draft.day)
        fields.update(subject=subject, age_band=band.value if band else None)
        stream_id, key = f"{region}:{subject}", subject
    else:
        key = str(fields.get("offer_id") or draft.source)
        stream_id = f"{region}:{key}"
    # Validation by the item's schema is the last guard: an unexpected field is refused (extra="forbid").
    payload = draft.item.model_validate(fields)
    kind = registry.type_of(payload)
    # Why a derived id rather than a UUIDv7: a v7 id encodes the moment it was made, which would date the fact.
    item_id = derived_id("regional", draft.source, kind.name, region)
    return FeedItem(item_id, region, fields["month"], kind.name, kind.version, stream_id, key,
                    registry.to_json(payload))


async def write(conn: Connection, items: Sequence[FeedItem]) -> int:
    """Store new items with consecutive stream versions and queue them for publishing; return how many."""
    if not items:
        return 0
    existing = {r["item_id"] for r in await conn.fetch(
        "SELECT f.item_id FROM unnest($1::uuid[]) AS u(id) JOIN regional_feed f ON f.item_id = u.id",
        [i.item_id for i in items])}
    fresh = [i for i in items if i.item_id not in existing]
    if not fresh:
        return 0
    streams = list({i.stream_id for i in fresh})
    versions = {r["stream_id"]: r["version"] for r in await conn.fetch(
        "SELECT s.stream_id, s.version FROM unnest($1::text[]) AS u(id) JOIN regional_streams s ON s.stream_id = u.id",
        streams)}
    numbered = []
    for item in fresh:
        versions[item.stream_id] = versions.get(item.stream_id, 0) + 1
        numbered.append(versions[item.stream_id])
    await conn.execute(
        """INSERT INTO regional_streams (stream_id, version) SELECT * FROM unnest($1::text[], $2::int[])
           ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version""", list(versions), list(versions.values()))
    await conn.execute(
        """WITH inserted AS (
               INSERT INTO regional_feed (item_id, region, month, item_type, schema_version, stream_id,
                                          stream_version, partition_key, payload)
               SELECT u.item_id, u.region, u.month, u.item_type, u.schema_version, u.stream_id, u.stream_version,
                      u.partition_key, u.payload::jsonb
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::int[],
                           $8::text[], $9::text[]) WITH ORDINALITY
                    AS u(item_id, region, month, item_type, schema_version, stream_id, stream_version,
                         partition_key, payload, n)
               ORDER BY u.n
               RETURNING seq)
           INSERT INTO regional_outbox (seq) SELECT seq FROM inserted""",
        [i.item_id for i in fresh], [i.region for i in fresh], [i.month for i in fresh],
        [i.item_type for i in fresh], [i.schema_version for i in fresh], [i.stream_id for i in fresh], numbered,
        [i.partition_key for i in fresh], [i.payload.decode() for i in fresh])
    return len(fresh)


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as read back from the feed table, with the cursor that resumes after it."""

    cursor: Checkpoint
    item_id: uuid.UUID
    item_type: str
    schema_version: int
    stream_id: str
    stream_version: int
    month: str
    data: dict[str, object]


async def page(pool: asyncpg.Pool, region: str, after: Checkpoint, limit: int) -> list[StoredItem]:
    """Up to `limit` items of a region after the cursor, in commit-safe order (never skips a late commit)."""
    rows = await pool.fetch(
        """SELECT seq, transaction_id::text::bigint AS tx, item_id, item_type, schema_version, stream_id,
                  stream_version, month, payload::text AS payload
           FROM regional_feed
           WHERE region = $1 AND (transaction_id, seq) > ($2::text::xid8, $3)
             AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY transaction_id, seq LIMIT $4""",
        region, str(after.transaction_id), after.global_position, limit)
    return [StoredItem(Checkpoint(r["tx"], r["seq"]), r["item_id"], r["item_type"], r["schema_version"],
                       r["stream_id"], r["stream_version"], r["month"], orjson.loads(r["payload"])) for r in rows]
