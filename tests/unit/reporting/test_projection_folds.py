"""What projections write for a batch (no database: a connection that records the statements).

The point of folding a batch per row: events of one stream that do not commute (identified, stopped, identified
again; scheduled then completed) must leave the row as the last event left it, in one statement per table."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from libs.events.schemas import clients as cl
from libs.events.schemas import plans as pl
from libs.events.schemas.common import Address, InstitutionKind, Period
from services.reporting.projections.casework import Casework
from services.reporting.projections.client_directory import ClientDirectory
from services.reporting.projections.group import ProjectionGroup
from services.reporting.projections.joint_plans import JointPlans
from services.reporting.projections.upserts import RowChanges, table
from tests.support.recorded import recorded

CLIENT, PLAN, STEP = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
PAIR = {"client_id": CLIENT, "pup_institution_id": "PUP-1", "ops_institution_id": "MOPS-101"}


class Recorder:
    """Stands in for an asyncpg connection: remembers every statement and its rows."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[Any, ...]]]] = []

    async def execute(self, sql: str, *args: Any) -> None:
        columns = {len(a) for a in args if isinstance(a, list)}
        if "unnest(" in sql and len(columns) == 1 and all(isinstance(a, list) for a in args):
            self.calls.append((sql, list(zip(*args, strict=True))))
        else:
            self.calls.append((sql, [args]))

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.calls.append((sql, list(rows)))

    def rows(self, fragment: str) -> list[tuple[Any, ...]]:
        return [row for sql, rows in self.calls if fragment in sql for row in rows]

    def tables(self) -> list[str]:
        """Statement kind and table of every call: "INSERT rm_client", "UPDATE rm_client"."""
        return [" ".join(re.match(r"\s*(INSERT) INTO (\w+)|\s*(UPDATE) (\w+)", sql).group(  # type: ignore[union-attr]
            *((1, 2) if sql.lstrip().startswith("INSERT") else (3, 4)))) for sql, _ in self.calls]


def at(day: int) -> datetime:
    return datetime(2026, 1, day, 10, tzinfo=UTC)


async def test_identified_stopped_and_identified_again_in_one_batch_ends_shared() -> None:
    events = [recorded(cl.SharedClientIdentified(**PAIR, agreement_id=uuid.UUID(int=9),
                                                 basis=cl.SharingBasis.CONSENT, identified_on=date(2026, 1, 1)),
                       version=1, occurred_at=at(1)),
              recorded(cl.SharedClientSharingStopped(**PAIR, reason="consent withdrawn", stopped_on=date(2026, 1, 2)),
                       version=2, occurred_at=at(2)),
              recorded(cl.SharedClientIdentified(**PAIR, agreement_id=uuid.UUID(int=9),
                                                 basis=cl.SharingBasis.LEGAL_BASIS, identified_on=date(2026, 1, 3)),
                       version=3, occurred_at=at(3))]
    conn = Recorder()
    await Casework().apply(conn, events)
    [statement] = [sql for sql, _ in conn.calls]
    assert "INSERT INTO rm_pair" in statement
    assert "ON CONFLICT (client_id, pup_institution_id, ops_institution_id) DO UPDATE" in statement
    [row] = conn.rows("rm_pair")
    columns = statement.split("(", 2)[1].split(")")[0].split(", ")
    values = dict(zip(columns, row, strict=True))
    assert (values["sharing_active"], values["stopped_on"], values["identified_on"]) == (True, None, date(2026, 1, 3))


async def test_a_step_added_scheduled_and_completed_in_one_batch_is_one_row_then_the_plan_is_recomputed() -> None:
    owner = pl.PlanParty(institution_id="PUP-1", institution_kind=InstitutionKind.PUP, worker="anna")
    keys = {"plan_id": PLAN, "client_id": CLIENT, "step_id": STEP}
    events = [recorded(pl.PlanStepAdded(**keys, owner=owner, instrument=pl.Instrument.INTERNSHIP,
                                        category=pl.StepCategory.VOCATIONAL, social_preparation=False, title="staż",
                                        planned=Period(from_=date(2026, 2, 1), to=date(2026, 5, 1))),
                       stream_id=str(PLAN), version=1, occurred_at=at(1)),
              recorded(pl.PlanStepScheduled(**keys, scheduled=Period(from_=date(2026, 2, 2), to=date(2026, 5, 2))),
                       stream_id=str(PLAN), version=2, occurred_at=at(2)),
              recorded(pl.PlanStepCompleted(**keys, completed_on=date(2026, 5, 2), outcome="ok"),
                       stream_id=str(PLAN), version=3, occurred_at=at(3))]
    conn = Recorder()
    await JointPlans().apply(conn, events)
    [step] = conn.rows("INSERT INTO rm_plan_step")
    assert "completed" in step
    assert "internship" in step  # its activation form
    recompute = conn.calls[-1]
    assert "UPDATE rm_plan p SET first_step_on" in recompute[0]
    assert recompute[1][0][0] == [PLAN]


async def test_the_first_registration_gives_the_person_and_a_move_applies_after_the_inserts() -> None:
    identity = cl.PersonIdentity(first_name="Jan", last_name="Kowalski", birth_date=date(1980, 1, 1))
    home = Address(gmina="Bytom", teryt="2461011", postal_code="41-902", city="Bytom")
    moved = Address(gmina="Katowice", teryt="2469011", postal_code="40-001", city="Katowice")
    events = [recorded(cl.ClientAddressChanged(client_id=uuid.UUID(int=7), address=moved), version=2),
              recorded(cl.ClientRegistered(client_id=CLIENT, institution_id="PUP-1", institution_kind="PUP",
                                           identity=identity, address=home, registered_on=date(2026, 1, 1)),
                       version=1),
              recorded(cl.ClientAddressChanged(client_id=CLIENT, address=moved), version=2),
              recorded(cl.ClientRegistered(client_id=CLIENT, institution_id="MOPS-101", institution_kind="OPS",
                                           identity=identity, address=home, registered_on=date(2026, 1, 2)),
                       version=3)]
    conn = Recorder()
    await ClientDirectory().apply(conn, events)
    assert conn.tables() == ["INSERT rm_client", "INSERT rm_client_registration", "UPDATE rm_client"]
    assert len(conn.rows("INSERT INTO rm_client_registration")) == 2
    # the moves: key, then the changed columns in name order (gmina, postal_code, teryt, updated_at)
    assert {r[0]: r[1] for r in conn.rows("UPDATE rm_client")} == {uuid.UUID(int=7): "Katowice", CLIENT: "Katowice"}


async def test_many_rows_go_in_one_unnest_statement_and_arrays_row_by_row() -> None:
    plain = table("t_plain", "id uuid", "name text")
    arrays = table("t_arrays", "id uuid", "tags text[]")
    changes = RowChanges()
    for n in range(20):
        changes.set(plain, (uuid.UUID(int=n),), name=f"n{n}")
        changes.set(arrays, (uuid.UUID(int=n),), tags=["a", "b"])
    changes.set(plain, (uuid.UUID(int=0),), name="last wins")
    conn = Recorder()
    await changes.write(conn)
    assert [len(rows) for _, rows in conn.calls] == [20, 20]
    assert "unnest($1::uuid[], $2::text[])" in conn.calls[0][0]
    assert "VALUES ($1::uuid, $2::text[])" in conn.calls[1][0]
    assert conn.calls[0][1][0] == (uuid.UUID(int=0), "last wins")
    assert len(changes) == 0


async def test_a_group_hands_each_part_only_its_events_in_one_go() -> None:
    group = ProjectionGroup("g", [ClientDirectory(), Casework()])
    assert group.handles == ClientDirectory.handles | Casework.handles
    assert [m.name for m in group.migrations] == ["client_directory_001", "client_directory_002",
                                                  "client_directory_003", "casework_001"]
    conn = Recorder()
    await group.apply(conn, [recorded(cl.ClientAssignedToRegion(**PAIR, region_id=None,
                                                                reason=cl.AssignmentReason.ADDRESS))])
    assert conn.tables() == ["INSERT rm_pair"]
