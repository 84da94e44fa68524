"""CSV columns of the Syriusz and POMOST exports and how a CSV row becomes the structured row (one person a row)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.clients.importing import compact
from services.clients.importing.records import SourceSystem
from services.clients.importing.vocabulary import fold

UNEMPLOYMENT_BENEFIT = "zasiłek dla bezrobotnych"


class HeaderError(ValueError):
    """The header row is not one of the documented formats (answered with 422 naming the columns)."""


class CellError(ValueError):
    """A cell that cannot be decoded; `column` names it."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


@dataclass(frozen=True, slots=True)
class Column:
    """A CSV column: its name and the dotted path of the structured row it fills (or a compact decoder)."""

    name: str
    path: str
    decode: Callable[[str], list[dict[str, Any]]] | None = None

    @property
    def parts(self) -> tuple[str, ...]:
        return _PARTS.setdefault(self.path, tuple(self.path.split(".")))


_PARTS: dict[str, tuple[str, ...]] = {}


_IDENTITY = [Column("pesel", "identity.pesel"), Column("rodzaj_dokumentu", "identity.document.type"),
             Column("nr_dokumentu", "identity.document.number"), Column("imie", "identity.first_name"),
             Column("nazwisko", "identity.last_name"), Column("data_urodzenia", "identity.birth_date")]
_ADDRESS = [Column("gmina", "address.gmina"), Column("teryt", "address.teryt"),
            Column("kod_pocztowy", "address.postal_code"), Column("miejscowosc", "address.city"),
            Column("ulica", "address.street"), Column("nr_domu", "address.building"),
            Column("nr_lokalu", "address.apartment")]
_PROFILE = [Column("wyksztalcenie", "education.level"), Column("zawod", "education.profession"),
            Column("historia_zatrudnienia", "work_history", compact.work_history),
            Column("dochody", "incomes", compact.incomes)]

COLUMNS: Mapping[SourceSystem, Sequence[Column]] = {
    SourceSystem.SYRIUSZ: [
        Column("id_syriusz", "external_id"), *_IDENTITY, *_ADDRESS, *_PROFILE,
        Column("data_rejestracji", "registered_on"), Column("status", "unemployment.status"),
        Column("data_statusu", "unemployment.effective_on"), Column("przyczyna_wyrejestrowania", "unemployment.reason"),
        Column("prawo_do_zasilku", "unemployment.with_benefit_right"), Column("zasilek_kwota", "benefit.amount"),
        Column("zasilek_od", "benefit.from"), Column("zasilek_do", "benefit.to"),
    ],
    SourceSystem.POMOST: [
        Column("id_pomost", "external_id"), *_IDENTITY, *_ADDRESS, *_PROFILE,
        Column("data_przyjecia", "registered_on"), Column("liczba_osob", "household.members"),
        Column("liczba_na_utrzymaniu", "household.dependants"), Column("samotny_rodzic", "household.single_parent"),
        Column("swiadczenia", "benefits", compact.benefits),
    ],
}
REQUIRED = ("imie", "nazwisko", "gmina", "kod_pocztowy", "miejscowosc")


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """The columns of one file, in file order, checked against the source's format."""

    source: SourceSystem
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def has(self, name: str) -> bool:
        return name in self.names


def layout(source: SourceSystem, header: Sequence[str]) -> CsvLayout:
    """The layout of a header row (names compared without case and diacritics); HeaderError names what is wrong."""
    known = {c.name: c for c in COLUMNS[source]}
    names = [fold(h).replace(" ", "_") for h in header]
    problems = []
    unknown = [h for h, n in zip(header, names, strict=True) if n not in known]
    if unknown:
        problems.append(f"unknown columns {unknown} (a {source.value} file has {list(known)})")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        problems.append(f"duplicated columns {duplicated}")
    missing = [n for n in (COLUMNS[source][0].name, *REQUIRED) if n not in names]
    if "pesel" not in names and not {"rodzaj_dokumentu", "nr_dokumentu"} <= set(names):
        missing.append("pesel (or rodzaj_dokumentu and nr_dokumentu)")
    if missing:
        problems.append(f"missing columns {missing}")
    if problems:
        raise HeaderError("CSV header: " + "; ".join(problems))
    return CsvLayout(source, tuple(known[n] for n in names))


def structured(layout: CsvLayout, cells: Sequence[str]) -> dict[str, Any]:
    """The structured row (as in the JSON format) of a CSV row's cells; CellError names a cell it cannot decode."""
    row: dict[str, Any] = {}
    for column, cell in zip(layout.columns, cells, strict=True):
        value = cell.strip()
        if column.decode is not None:
            try:
                decoded = column.decode(value)
            except compact.CompactError as exc:
                raise CellError(column.name, str(exc)) from None
            # An empty work history says nothing (never clears what another institution recorded); an empty
            # benefits or incomes cell means "none now" (previously imported benefits end, see planning.py).
            if decoded or column.name != "historia_zatrudnienia":
                row[column.path] = decoded
        elif value:
            _put(row, column.parts, value)
    _sections(layout, row)
    return row


def _put(row: dict[str, Any], parts: tuple[str, ...], value: Any) -> None:
    for part in parts[:-1]:
        row = row.setdefault(part, {})
    row[parts[-1]] = value


def _sections(layout: CsvLayout, row: dict[str, Any]) -> None:
    """Defaults a spreadsheet leaves implicit: the status date, the Syriusz benefit, household zeros."""
    status = row.get("unemployment")
    if status is not None and "effective_on" not in status and "registered_on" in row:
        status["effective_on"] = row["registered_on"]  # registered since the registration date
    benefit = row.pop("benefit", None)
    if layout.has("zasilek_kwota") or layout.has("zasilek_od"):
        row["benefits"] = [] if benefit is None else [{
            "kind": UNEMPLOYMENT_BENEFIT, "basis": "unemployment", "monthly_amount": benefit.get("amount"),
            "period": {"from": benefit.get("from"), "to": benefit.get("to")}}]
    household = row.get("household")
    if household is not None:
        household.setdefault("dependants", "0")
        household.setdefault("single_parent", "N")


def column_of(layout: CsvLayout, loc: Sequence[str | int]) -> str:
    """The CSV column a validation error location points at (the longest matching path)."""
    dotted = ".".join(str(p) for p in loc if not isinstance(p, int))
    if dotted.startswith("benefits") and layout.has("zasilek_kwota"):
        return {"benefits.monthly_amount": "zasilek_kwota", "benefits.period": "zasilek_do",
                "benefits.period.to": "zasilek_do"}.get(dotted, "zasilek_od")
    best = max((c for c in layout.columns if dotted == c.path or dotted.startswith(c.path + ".")
                or c.path.startswith(dotted + ".")), key=lambda c: (dotted.startswith(c.path), len(c.path)),
               default=None)
    return best.name if best else dotted
