"""A structured row (from CSV or JSON) -> normalised ClientRow, or the rejection naming each wrong field."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_number

from services.clients.importing import vocabulary as v
from services.clients.importing.records import ClientRow, SourceSystem


@dataclass(frozen=True, slots=True)
class FieldError:
    """One thing wrong with a row: the field (CSV column or JSON path) and what is wrong with it."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was not imported, and why."""

    row_number: int
    errors: tuple[FieldError, ...]
    external_id: str | None = None

    @property
    def reason(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)


Namer = Callable[[Sequence[str | int]], str]


def json_path(loc: Sequence[str | int]) -> str:
    """The JSON path of an error location, list positions 1-based as people count (work_history[2].period)."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "row"


def _each(items: Any, normalise: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                normalise(item)


def _apply(section: Any, **fields: Callable[[Any], Any]) -> None:
    if isinstance(section, dict):
        for key, normalise in fields.items():
            if key in section:
                section[key] = normalise(section[key])


def _period(item: dict[str, Any]) -> None:
    _apply(item.get("period"), **{"from": v.day, "to": v.day})


def _work(item: dict[str, Any]) -> None:
    _apply(item, occupation=v.text, employer=v.text)
    _period(item)


def _benefit(item: dict[str, Any]) -> None:
    _apply(item, kind=v.text, basis=lambda x: v.code(x, v.BASIS), monthly_amount=v.amount)
    _period(item)


def _income(item: dict[str, Any]) -> None:
    _apply(item, source=lambda x: v.code(x, v.INCOME), monthly_amount=v.amount, declared_by_client=v.boolean)
    _period(item)


def normalise(row: dict[str, Any]) -> dict[str, Any]:
    """Trim and map Polish labels, dates, amounts and codes in place (both formats); returns the row."""
    _apply(row, external_id=v.text, registered_on=v.day)
    identity = row.get("identity")
    _apply(identity, pesel=v.digits, first_name=v.name, last_name=v.name, birth_date=v.day)
    if isinstance(identity, dict):
        _apply(identity.get("document"), type=lambda x: v.code(x, v.DOCUMENT), number=v.document_number)
        _birth_date_from_pesel(identity)
    _apply(row.get("address"), gmina=v.text, teryt=v.digits, postal_code=v.postal_code, city=v.text,
           street=v.street, building=v.text, apartment=v.text)
    _apply(row.get("education"), level=lambda x: v.code(x, v.EDUCATION), profession=v.text)
    _each(row.get("work_history"), _work)
    _apply(row.get("unemployment"), status=lambda x: v.code(x, v.STATUS), reason=lambda x: v.code(x, v.REASON),
           effective_on=v.day, with_benefit_right=v.boolean)
    _apply(row.get("household"), single_parent=v.boolean)
    _each(row.get("benefits"), _benefit)
    _each(row.get("incomes"), _income)
    return row


def _birth_date_from_pesel(identity: dict[str, Any]) -> None:
    """A PESEL encodes the birth date: a row that gives only the PESEL gets the date from it."""
    pesel = identity.get("pesel")
    if identity.get("birth_date") is None and isinstance(pesel, str) and pesel:
        with contextlib.suppress(StdnumError, ValueError):  # an invalid PESEL is named by _pesel_problem
            identity["birth_date"] = pesel_number.get_birth_date(pesel_number.validate(pesel))


def _pesel_problem(row: dict[str, Any]) -> str | None:
    """Why the row's PESEL is not valid, when it had to stand in for a missing birth date."""
    identity = row.get("identity")
    pesel = identity.get("pesel") if isinstance(identity, dict) else None
    if not isinstance(pesel, str) or not pesel:
        return None
    try:
        pesel_number.validate(pesel)
    except StdnumError as exc:
        return f"pesel is not valid: {exc}"
    return None


_ONLY = {SourceSystem.SYRIUSZ: ("household", "a household is recorded by the OPS (POMOST), not in Syriusz"),
         SourceSystem.POMOST: ("unemployment", "only a labour office (Syriusz) records the unemployment status")}


def validate(source: SourceSystem, row_number: int, row: Any, name: Namer = json_path) -> ClientRow | Rejection:
    """The normalised row, or a rejection whose errors name fields with `name` (CSV column or JSON path)."""
    if not isinstance(row, dict):
        return Rejection(row_number, (FieldError("row", f"expected an object, got {type(row).__name__}"),))
    external_id = row.get("external_id") if isinstance(row.get("external_id"), str) else None
    foreign, why = _ONLY[source]
    if row.get(foreign) is not None:
        return Rejection(row_number, (FieldError(foreign, why),), external_id)
    try:
        return ClientRow.model_validate(normalise(row))
    except ValidationError as exc:
        errors = [_field_error(e["loc"], e["msg"], name) for e in exc.errors(include_url=False)]
        missing_birth_date = FieldError(name(("identity", "birth_date")), "Field required")
        problem = _pesel_problem(row) if missing_birth_date in errors else None
        if problem is not None:  # the birth date is missing because the PESEL it comes from is wrong: say so
            errors[errors.index(missing_birth_date)] = FieldError(name(("identity", "pesel")), problem)
        return Rejection(row_number, _unique(tuple(errors)), external_id)


def _field_error(loc: Sequence[str | int], message: str, name: Namer) -> FieldError:
    message = message.removeprefix("Value error, ")
    if tuple(loc) == ("identity",):  # ValidIdentity's own check: say which identity field is at fault
        field = "birth_date" if "birth date" in message else "pesel"
        loc = ("identity", field)
    return FieldError(name(loc), message)


def _unique(errors: tuple[FieldError, ...]) -> tuple[FieldError, ...]:
    return tuple(dict.fromkeys(errors))
