"""The compact encoding of repeated groups in one CSV cell (work history, benefits, incomes).

Entries are separated by `|`, the fields of an entry by `~`; `\\|`, `\\~` and `\\\\` stand for the characters
themselves. A period is `FROM..TO` or `FROM..` (open-ended), dates as YYYY-MM-DD or DD.MM.YYYY:

    2015-03-01..2018-06-30~ślusarz~Huta Łabędy S.A.|2019-01-07..~magazynier~
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

ENTRY, FIELD, ESCAPE = "|", "~", "\\"


class CompactError(ValueError):
    """A cell that does not follow the compact encoding (the message says which entry and what is expected)."""


def split(cell: str) -> list[list[str]]:
    """Entries of a cell, each a list of its fields (unescaped, trimmed); an empty cell has no entries."""
    if ESCAPE not in cell:  # the common case, without walking the characters
        split_entries = ([f.strip() for f in entry.split(FIELD)] for entry in cell.split(ENTRY))
        return [e for e in split_entries if any(e)]
    entries: list[list[str]] = []
    fields: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for char in chars:
        if char == ESCAPE:
            current.append(next(chars, ESCAPE))
        elif char == FIELD:
            fields.append("".join(current).strip())
            current = []
        elif char == ENTRY:
            fields.append("".join(current).strip())
            entries.append(fields)
            fields, current = [], []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    entries.append(fields)
    return [e for e in entries if any(e)]


def period(text: str) -> dict[str, str | None]:
    """{"from", "to"} of `FROM..TO` or `FROM..`."""
    start, dots, end = text.partition("..")
    if not dots or not start.strip():
        raise CompactError(f"period {text!r} is not FROM..TO or FROM.. (e.g. 2019-01-07..2020-06-30)")
    return {"from": start.strip(), "to": end.strip() or None}


def _fields(entry: list[str], number: int, names: Sequence[str], required: int) -> list[str]:
    if not required <= len(entry) <= len(names):
        expected = FIELD.join(n if i < required else f"[{n}]" for i, n in enumerate(names))
        raise CompactError(f"entry {number} has {len(entry)} fields, expected {expected}")
    return entry + [""] * (len(names) - len(entry))


def work_history(cell: str) -> list[dict[str, Any]]:
    """`okres~zawód[~pracodawca]` entries."""
    decoded = []
    for number, entry in enumerate(split(cell), 1):
        when, occupation, employer = _fields(entry, number, ("okres", "zawód", "pracodawca"), 2)
        decoded.append({"period": _period(when, number), "occupation": occupation or None,
                        "employer": employer or None})
    return decoded


def benefits(cell: str) -> list[dict[str, Any]]:
    """`rodzaj~podstawa~kwota~okres` entries."""
    decoded = []
    for number, entry in enumerate(split(cell), 1):
        kind, basis, amount, when = _fields(entry, number, ("rodzaj", "podstawa", "kwota", "okres"), 4)
        decoded.append({"kind": kind, "basis": basis, "monthly_amount": amount, "period": _period(when, number)})
    return decoded


def incomes(cell: str) -> list[dict[str, Any]]:
    """`źródło~kwota~okres[~oświadczenie|ewidencja]` entries."""
    decoded = []
    for number, entry in enumerate(split(cell), 1):
        source, amount, when, declared = _fields(entry, number, ("źródło", "kwota", "okres", "kto"), 3)
        decoded.append({"source": source, "monthly_amount": amount, "period": _period(when, number),
                        "declared_by_client": declared or None})
    return decoded


def _period(text: str, number: int) -> dict[str, str | None]:
    try:
        return period(text)
    except CompactError as exc:
        raise CompactError(f"entry {number}: {exc}") from None


def escape(value: object) -> str:
    """A field value with the separators escaped."""
    text = "" if value is None else str(value)
    return text.replace(ESCAPE, ESCAPE * 2).replace(ENTRY, ESCAPE + ENTRY).replace(FIELD, ESCAPE + FIELD)


def encode(entries: Iterable[Sequence[object]]) -> str:
    """The cell for entries of fields (the inverse of `split`)."""
    return ENTRY.join(FIELD.join(escape(f) for f in entry) for entry in entries)


def encode_period(start: object, end: object | None) -> str:
    return f"{start}..{end or ''}"
