"""Which commands an import row needs (pure): only what changed in the source since its previous import, and
only what differs from the client record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from libs.events.schemas.common import InstitutionKind
from services.clients.domain import commands as cmd
from services.clients.domain.client_state import ClientState
from services.clients.importing.records import ClientRow, ImportedBenefit, SourceSystem
from services.clients.importing.repository import PreviousImport

_BENEFIT_IDS = uuid.UUID("0f6f5a53-7b5e-4a55-9d0e-6a3c7d1f2b10")  # namespace of imported benefit ids


@dataclass(frozen=True, slots=True)
class ImportContext:
    """The batch a row belongs to: who imports, from which system, as of which day."""

    institution_id: str
    institution_kind: InstitutionKind
    source: SourceSystem
    export_date: date

    @property
    def declared_by_client(self) -> bool:
        """Default for incomes: OPS records the client's statement, the PUP its own records."""
        return self.source is SourceSystem.POMOST


@dataclass(frozen=True, slots=True)
class RowPlan:
    """The commands of a row, in the order they are decided, and the benefits to remember for next time."""

    commands: tuple[BaseModel, ...]
    registers: bool
    benefit_ids: tuple[uuid.UUID, ...]


def benefit_id(ctx: ImportContext, client_id: uuid.UUID, benefit: ImportedBenefit) -> uuid.UUID:
    """A benefit's id from its content: the same benefit imported again is recognised, a changed one is new.

    Seeded with the client id, not the PESEL: the id is published in events and must not let anyone recover it.
    """
    seed = "|".join([ctx.source.value, ctx.institution_id, str(client_id), benefit.kind, benefit.basis.value,
                     str(benefit.monthly_amount), benefit.period.from_.isoformat(),
                     benefit.period.to.isoformat() if benefit.period.to else ""])
    return uuid.uuid5(_BENEFIT_IDS, seed)


def plan_row(row: ClientRow, ctx: ImportContext, state: ClientState, client_id: uuid.UUID,
             previous: PreviousImport | None, sections: dict[str, str]) -> RowPlan:
    """The commands that bring the record in line with the row (none when nothing changed)."""
    changed = {name for name, digest in sections.items() if previous is None or previous.sections.get(name) != digest}
    commands: list[BaseModel] = []
    registers = ctx.institution_id not in state.registrations
    if registers:
        commands.append(cmd.RegisterClient(
            client_id=client_id, institution_id=ctx.institution_id, institution_kind=ctx.institution_kind,
            identity=row.identity, address=row.address, registered_on=row.registered_on or ctx.export_date))
    if "address" in changed and state.address is not None and row.address != state.address:
        commands.append(cmd.ChangeAddress(institution_id=ctx.institution_id, address=row.address))
    profile = {name: getattr(row, name) for name in ("education", "work_history", "household")
               if name in changed and getattr(row, name) is not None
               and getattr(row, name) != getattr(state.profile, name)}
    if profile:
        commands.append(cmd.UpdateProfile(institution_id=ctx.institution_id, institution_kind=ctx.institution_kind,
                                          **profile))
    if "unemployment" in changed and row.unemployment is not None:
        commands.extend(_status(row, ctx, state))
    benefit_ids: tuple[uuid.UUID, ...] = previous.benefit_ids if previous else ()
    if "benefits" in changed and row.benefits is not None:
        granted, ended, listed = _benefits(row.benefits, ctx, state, client_id, previous)
        benefit_ids = tuple(listed)
        commands.extend(ended + granted)  # ends first: a replaced benefit stops before its successor is granted
    if "incomes" in changed and row.incomes is not None:
        commands.extend(_incomes(row, ctx, state))
    return RowPlan(tuple(commands), registers, benefit_ids)


def _status(row: ClientRow, ctx: ImportContext, state: ClientState) -> list[BaseModel]:
    facts = row.unemployment
    assert facts is not None
    current = state.unemployment.get(ctx.institution_id)
    if current is not None and (current.status, current.reason) == (facts.status, facts.reason):
        return []
    return [cmd.ChangeUnemploymentStatus(institution_id=ctx.institution_id, institution_kind=ctx.institution_kind,
                                         **facts.model_dump())]


def _benefits(benefits: tuple[ImportedBenefit, ...], ctx: ImportContext, state: ClientState, client_id: uuid.UUID,
              previous: PreviousImport | None) -> tuple[list[BaseModel], list[BaseModel], list[uuid.UUID]]:
    """Grant the listed benefits not yet on the record; end those this source listed before and dropped."""
    wanted = {benefit_id(ctx, client_id, b): b for b in benefits}
    granted: list[BaseModel] = [
        cmd.GrantBenefit(benefit_id=bid, institution_id=ctx.institution_id, institution_kind=ctx.institution_kind,
                         kind=b.kind, basis=b.basis, monthly_amount=b.monthly_amount, period=b.period)
        for bid, b in wanted.items() if bid not in state.benefits]
    ended: list[BaseModel] = []
    for bid in previous.benefit_ids if previous else ():
        old = state.benefits.get(bid)
        if bid in wanted or old is None or old.status == "ended" or old.institution_id != ctx.institution_id:
            continue
        last_day = min(ctx.export_date, old.period.to) if old.period.to else ctx.export_date
        ended.append(cmd.EndBenefit(
            benefit_id=bid, institution_id=ctx.institution_id, ended_on=max(last_day, old.period.from_),
            reason=f"no longer in the {ctx.source.event_source.value} export of {ctx.export_date.isoformat()} "
                   "(ended or replaced there)"))
    return granted, ended, list(wanted)


def _incomes(row: ClientRow, ctx: ImportContext, state: ClientState) -> list[BaseModel]:
    """Declare the incomes the record does not know yet (an income is a fact of a period: never re-declared)."""
    known: set[tuple[Any, ...]] = {(i.institution_id, i.source, i.monthly_amount, i.period, i.declared_by_client)
                                   for i in state.incomes}
    commands: list[BaseModel] = []
    for income in row.incomes or ():
        by_client = ctx.declared_by_client if income.declared_by_client is None else income.declared_by_client
        key = (ctx.institution_id, income.source, income.monthly_amount, income.period, by_client)
        if key not in known:
            known.add(key)
            commands.append(cmd.DeclareIncome(institution_id=ctx.institution_id, source=income.source,
                                              monthly_amount=income.monthly_amount, period=income.period,
                                              declared_by_client=by_client))
    return commands
