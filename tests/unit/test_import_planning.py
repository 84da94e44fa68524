"""Which commands an import row needs: only what changed in the source, only what differs from the record."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from libs.events.schemas.common import InstitutionKind, Period
from services.clients.domain import commands as cmd
from services.clients.domain.client import decider
from services.clients.domain.client_state import ClientState
from services.clients.importing.planning import ImportContext, benefit_id, plan_row
from services.clients.importing.records import ClientRow, SourceSystem, row_hash, section_hashes
from services.clients.importing.repository import PreviousImport
from services.clients.importing.validation import validate

CLIENT = uuid.UUID(int=42)
OPS = ImportContext("MOPS-2462", InstitutionKind.OPS, SourceSystem.POMOST, date(2026, 11, 2))
PUP = ImportContext("PUP-2462", InstitutionKind.PUP, SourceSystem.SYRIUSZ, date(2026, 11, 2))


def row(source: SourceSystem = SourceSystem.POMOST, **changes: Any) -> ClientRow:
    raw: dict[str, Any] = {
        "external_id": "P-1", "identity": {"pesel": "44051401359", "first_name": "Jan", "last_name": "Kowalski"},
        "address": {"gmina": "Bytom", "postal_code": "41-902", "city": "Bytom", "street": "Rycerska"},
        "registered_on": "2026-10-15", "education": {"level": "vocational"},
        "work_history": [{"occupation": "ślusarz", "period": {"from": "2015-03-01", "to": "2018-06-30"}}]}
    if source is SourceSystem.POMOST:
        raw["household"] = {"members": 3, "dependants": 1}
        raw["benefits"] = [{"kind": "zasiłek okresowy", "basis": "poverty", "monthly_amount": "418.00",
                            "period": {"from": "2026-11-01", "to": "2027-04-30"}}]
        raw["incomes"] = [{"source": "employment", "monthly_amount": "1200", "period": {"from": "2026-10-01",
                                                                                       "to": "2026-10-31"}}]
    else:
        raw["unemployment"] = {"status": "registered", "effective_on": "2026-10-01", "with_benefit_right": True}
    raw.update(changes)
    checked = validate(source, 1, raw)
    assert isinstance(checked, ClientRow), checked
    return checked


def apply(ctx: ImportContext, r: ClientRow, state: ClientState | None = None,
          previous: PreviousImport | None = None) -> tuple[list[BaseModel], ClientState, PreviousImport]:
    """Plan the row, decide its commands, and return what the next import will see as the previous one."""
    state = state or ClientState()
    plan = plan_row(r, ctx, state, CLIENT, previous, section_hashes(r))
    for command in plan.commands:
        state = decider.fold(decider.decide(command, state), state)
    return list(plan.commands), state, PreviousImport(CLIENT, row_hash(r), section_hashes(r), plan.benefit_ids)


def kinds(commands: list[BaseModel]) -> list[str]:
    return [type(c).__name__ for c in commands]


def test_a_new_person_is_registered_with_every_section() -> None:
    commands, state, _ = apply(OPS, row())
    assert kinds(commands) == ["RegisterClient", "UpdateProfile", "GrantBenefit", "DeclareIncome"]
    register = commands[0]
    assert isinstance(register, cmd.RegisterClient)
    assert (register.client_id, register.registered_on) == (CLIENT, date(2026, 10, 15))
    assert state.profile.household is not None
    assert state.incomes[0].declared_by_client is True  # OPS: the client's own statement by default


def test_the_same_row_again_plans_nothing() -> None:
    _, state, previous = apply(OPS, row())
    commands, _, _ = apply(OPS, row(), state, previous)
    assert commands == []


def test_a_changed_section_plans_only_that_section() -> None:
    _, state, previous = apply(OPS, row())
    commands, state, _ = apply(OPS, row(education={"level": "higher"}), state, previous)
    assert kinds(commands) == ["UpdateProfile"]
    update = commands[0]
    assert isinstance(update, cmd.UpdateProfile)
    assert (update.education is not None, update.household, update.work_history) == (True, None, None)


def test_a_section_unchanged_in_the_source_does_not_override_the_record() -> None:
    _, state, previous = apply(OPS, row())
    corrected = cmd.UpdateProfile(institution_id="MOPS-2462", institution_kind=InstitutionKind.OPS,
                                  education={"level": "higher"})
    state = decider.fold(decider.decide(corrected, state), state)
    commands, _, _ = apply(OPS, row(external_id="P-1b"), state, previous)
    assert commands == []


def test_another_institution_joins_the_record_and_moves_the_address() -> None:
    _, state, _ = apply(OPS, row())
    syriusz = row(SourceSystem.SYRIUSZ, address={"gmina": "Bytom", "postal_code": "41-902", "city": "Bytom",
                                                 "street": "Rycerska", "building": "3"})
    commands, state, _ = apply(PUP, syriusz, state)
    assert kinds(commands) == ["RegisterClient", "ChangeAddress", "ChangeUnemploymentStatus"]
    assert sorted(state.registrations) == ["MOPS-2462", "PUP-2462"]
    assert state.address is not None
    assert state.address.building == "3"


def test_status_changes_only_when_status_or_reason_change() -> None:
    _, state, previous = apply(PUP, row(SourceSystem.SYRIUSZ))
    later = row(SourceSystem.SYRIUSZ, unemployment={"status": "registered", "effective_on": "2026-10-05"})
    commands, state, previous = apply(PUP, later, state, previous)
    assert commands == []
    gone = row(SourceSystem.SYRIUSZ, unemployment={"status": "deregistered", "reason": "took_work",
                                                  "effective_on": "2026-11-20"})
    commands, state, _ = apply(PUP, gone, state, previous)
    assert kinds(commands) == ["ChangeUnemploymentStatus"]
    assert state.unemployment["PUP-2462"].reason is not None


def test_a_changed_benefit_ends_the_old_one_and_grants_the_new_one() -> None:
    _, state, previous = apply(OPS, row())
    [old_id] = previous.benefit_ids
    raised = row(benefits=[{"kind": "zasiłek okresowy", "basis": "poverty", "monthly_amount": "450.00",
                            "period": {"from": "2026-11-01", "to": "2027-04-30"}}])
    commands, state, previous = apply(OPS, raised, state, previous)
    assert kinds(commands) == ["EndBenefit", "GrantBenefit"]
    end = commands[0]
    assert isinstance(end, cmd.EndBenefit)
    assert (end.benefit_id, end.ended_on) == (old_id, date(2026, 11, 2))
    assert "POMOST export of 2026-11-02" in end.reason
    assert state.benefits[old_id].status == "ended"
    assert [b.monthly_amount for b in state.benefits.values() if b.status == "active"] == [Decimal("450.00")]
    commands, _, _ = apply(OPS, row(benefits=[]), state, previous)
    assert kinds(commands) == ["EndBenefit"]


def test_benefit_ids_are_stable_and_do_not_reveal_the_pesel() -> None:
    benefit = row().benefits
    assert benefit is not None
    assert benefit_id(OPS, CLIENT, benefit[0]) == benefit_id(OPS, CLIENT, benefit[0])
    assert benefit_id(OPS, uuid.UUID(int=43), benefit[0]) != benefit_id(OPS, CLIENT, benefit[0])


def test_incomes_already_on_the_record_are_not_declared_again() -> None:
    _, state, previous = apply(OPS, row())
    more = row(incomes=[{"source": "employment", "monthly_amount": "1200.00",
                         "period": {"from": "2026-10-01", "to": "2026-10-31"}},
                        {"source": "employment", "monthly_amount": "1250.00",
                         "period": {"from": "2026-11-01", "to": "2026-11-30"}}])
    commands, state, _ = apply(OPS, more, state, previous)
    assert kinds(commands) == ["DeclareIncome"]
    assert [i.period for i in state.incomes] == [Period(from_=date(2026, 10, 1), to=date(2026, 10, 31)),
                                                 Period(from_=date(2026, 11, 1), to=date(2026, 11, 30))]
