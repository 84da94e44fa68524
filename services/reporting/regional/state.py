"""What the regional projection remembers between batches, loaded once per batch and saved once per batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.schemas import registry
from libs.events.schemas.regional import RegionalItem


@dataclass(slots=True)
class ClientRow:
    """A client as the feed needs it: the voivodeship of the address and the birth month."""

    region: str | None
    birth_month: date | None


@dataclass(frozen=True, slots=True)
class PlanRow:
    client_id: uuid.UUID
    opened_on: date


@dataclass(frozen=True, slots=True)
class StepRow:
    instrument: str
    category: str
    owner_kind: str


@dataclass(frozen=True, slots=True)
class Draft:
    """A de-identified fact before it is placed: which client (or region), which item, which day, which fields."""

    source: uuid.UUID
    item: type[RegionalItem]
    day: date
    fields: dict[str, Any]
    client_id: uuid.UUID | None = None
    region: str | None = None  # set for facts without a client (offers) and for a move out of a region

    def to_json(self) -> bytes:
        return orjson.dumps({"source": str(self.source), "type": self.item.__name__, "day": self.day.isoformat(),
                             "fields": self.fields, "region": self.region})

    @classmethod
    def from_json(cls, client_id: uuid.UUID, raw: str | bytes) -> Draft:
        data = orjson.loads(raw)
        return cls(source=uuid.UUID(data["source"]), item=ITEM_CLASSES[data["type"]],
                   day=date.fromisoformat(data["day"]), fields=data["fields"], client_id=client_id,
                   region=data.get("region"))


# Item classes are named like their event types (RegionalPlanClosed is "RegionalPlanClosed").
ITEM_CLASSES: dict[str, type[RegionalItem]] = {
    cls.__name__: cls for event_type, cls in registry if event_type.context == "regional" and issubclass(
        cls, RegionalItem)
}


@dataclass(slots=True)
class BatchState:
    """The rows a batch needs, in memory; changes are written back by `save` in the batch's transaction."""

    clients: dict[uuid.UUID, ClientRow] = field(default_factory=dict)
    plans: dict[uuid.UUID, PlanRow] = field(default_factory=dict)
    steps: dict[uuid.UUID, StepRow] = field(default_factory=dict)
    offers: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    conflicts: dict[uuid.UUID, str] = field(default_factory=dict)
    pending: dict[uuid.UUID, list[Draft]] = field(default_factory=dict)
    changed_clients: set[uuid.UUID] = field(default_factory=set)
    new_plans: set[uuid.UUID] = field(default_factory=set)
    new_steps: set[uuid.UUID] = field(default_factory=set)
    new_offers: set[uuid.UUID] = field(default_factory=set)
    new_conflicts: set[uuid.UUID] = field(default_factory=set)
    new_pending: list[Draft] = field(default_factory=list)
    released: set[uuid.UUID] = field(default_factory=set)

    def wait_for_client(self, draft: Draft) -> None:
        """Keep a fact until its client's registration is consumed (the topics are read independently)."""
        self.new_pending.append(draft)

    def take_pending(self, client_id: uuid.UUID) -> list[Draft]:
        """The facts that waited for this client, oldest first (they are deleted when the batch commits)."""
        waiting = self.pending.pop(client_id, [])
        if waiting:
            self.released.add(client_id)
        fresh = [d for d in self.new_pending if d.client_id == client_id]
        if fresh:
            self.new_pending = [d for d in self.new_pending if d.client_id != client_id]
        return waiting + fresh


def _ids(events: Sequence[RecordedEvent], attribute: str) -> list[uuid.UUID]:
    return list({v for e in events if isinstance(v := getattr(e.payload, attribute, None), uuid.UUID)})


async def load(conn: Connection, events: Sequence[RecordedEvent]) -> BatchState:
    """Everything the batch's events refer to, in one query per table."""
    state = BatchState()
    clients = _ids(events, "client_id")
    for r in await conn.fetch("""SELECT c.* FROM unnest($1::uuid[]) AS u(id)
                                 JOIN regional_client c ON c.client_id = u.id""", clients):
        state.clients[r["client_id"]] = ClientRow(r["region"], _month_date(r["birth_month"]))
    for r in await conn.fetch("""SELECT p.* FROM unnest($1::uuid[]) AS u(id)
                                 JOIN regional_plan p ON p.plan_id = u.id""", _ids(events, "plan_id")):
        state.plans[r["plan_id"]] = PlanRow(r["client_id"], r["opened_on"])
    for r in await conn.fetch("""SELECT s.* FROM unnest($1::uuid[]) AS u(id)
                                 JOIN regional_step s ON s.step_id = u.id""", _ids(events, "step_id")):
        state.steps[r["step_id"]] = StepRow(r["instrument"], r["category"], r["owner_kind"])
    for r in await conn.fetch("""SELECT o.* FROM unnest($1::uuid[]) AS u(id)
                                 JOIN regional_offer o ON o.offer_id = u.id""", _ids(events, "offer_id")):
        state.offers[r["offer_id"]] = (r["offer_kind"], r["instrument"])
    for r in await conn.fetch("""SELECT c.* FROM unnest($1::uuid[]) AS u(id)
                                 JOIN regional_conflict c ON c.conflict_id = u.id""", _ids(events, "conflict_id")):
        state.conflicts[r["conflict_id"]] = r["rule_id"]
    unknown = [c for c in clients if c not in state.clients]
    for r in await conn.fetch("""SELECT p.client_id, p.draft::text AS draft FROM unnest($1::uuid[]) AS u(id)
                                 JOIN regional_pending p ON p.client_id = u.id ORDER BY p.client_id, p.n""",
                              unknown):
        state.pending.setdefault(r["client_id"], []).append(Draft.from_json(r["client_id"], r["draft"]))
    return state


async def save(conn: Connection, state: BatchState) -> None:
    """Write back what the batch changed (one statement per table)."""
    if state.changed_clients:
        rows = [(c, state.clients[c].region, _month_text(state.clients[c].birth_month))
                for c in state.changed_clients]
        await conn.executemany(
            """INSERT INTO regional_client (client_id, region, birth_month) VALUES ($1, $2, $3)
               ON CONFLICT (client_id) DO UPDATE SET region = EXCLUDED.region,
                   birth_month = coalesce(EXCLUDED.birth_month, regional_client.birth_month)""", rows)
    if state.new_plans:
        await conn.executemany("INSERT INTO regional_plan VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                               [(p, state.plans[p].client_id, state.plans[p].opened_on) for p in state.new_plans])
    if state.new_steps:
        await conn.executemany("INSERT INTO regional_step VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                               [(s, *_step(state.steps[s])) for s in state.new_steps])
    if state.new_offers:
        await conn.executemany("INSERT INTO regional_offer VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                               [(o, *state.offers[o]) for o in state.new_offers])
    if state.new_conflicts:
        await conn.executemany("INSERT INTO regional_conflict VALUES ($1, $2) ON CONFLICT DO NOTHING",
                               [(c, state.conflicts[c]) for c in state.new_conflicts])
    if state.released:
        await conn.execute("DELETE FROM regional_pending WHERE client_id = ANY($1::uuid[])", list(state.released))
    if state.new_pending:
        await conn.executemany("INSERT INTO regional_pending (client_id, draft) VALUES ($1, $2::jsonb)",
                               [(d.client_id, d.to_json().decode()) for d in state.new_pending])


def _month_text(day: date | None) -> str | None:
    return f"{day.year:04d}-{day.month:02d}" if day else None


def _month_date(text: str | None) -> date | None:
    return date(int(text[:4]), int(text[5:7]), 1) if text else None


def _step(row: StepRow) -> tuple[str, str, str]:
    return row.instrument, row.category, row.owner_kind


TABLES = ("regional_client", "regional_plan", "regional_step", "regional_offer", "regional_conflict",
          "regional_pending", "regional_streams", "regional_feed", "regional_outbox")
