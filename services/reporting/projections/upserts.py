"""Set-based writes for projections: a batch's changes folded per row in event order, then one upsert per table.

Why fold first: the events of one stream arrive in order, but `SqlBatch` runs each statement kind once, so
"identified, stopped, identified again" of one row would be applied out of order. Folding the changes of a batch
per row in Python (later events overwrite earlier ones column by column) gives each row its final values, and one
`INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE` per table and column set writes them all: one round trip
and one plan for thousands of rows, and never the same row twice in one statement (which PostgreSQL refuses).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from libs.events.db import Connection

# Below this many rows the VALUES form with executemany is as fast; array-typed columns always use it, because
# unnest() would flatten a two-dimensional array.
_UNNEST_FROM = 8


@dataclass(frozen=True)
class Table:
    """A read-model table: its key columns and its other columns, each with its PostgreSQL type."""

    name: str
    keys: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    types: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.types.update(dict(self.keys) | dict(self.columns))

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.keys)

    def has_arrays(self, names: Iterable[str]) -> bool:
        return any(self.types[n].endswith("[]") for n in names)


def table(name: str, keys: str, columns: str) -> Table:
    """A Table from "name type, name type" lists (reads like the CREATE TABLE it mirrors)."""
    return Table(name, _pairs(keys), _pairs(columns))


def _pairs(spec: str) -> tuple[tuple[str, str], ...]:
    return tuple((part.split()[0], " ".join(part.split()[1:])) for part in spec.split(",") if part.strip())


class RowChanges:
    """The column values each row should end with after a batch, folded in event order.

    `insert` rows are written first (the first values of a key win, and an existing row is left alone), then the
    `set` changes (upserts), then the `update` changes of rows that must exist: a row's later changes always come
    from later events of the same stream. `update` is for tables with NOT NULL columns: PostgreSQL checks them on
    the row an upsert proposes before it finds the conflict, so a partial upsert of such a table fails.
    """

    def __init__(self) -> None:
        self._inserts: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._rows: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._updates: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}

    def insert(self, target: Table, key: tuple[Any, ...], **values: Any) -> None:
        """Create the row `key` of `target` with `values` unless it exists (the first values win)."""
        self._inserts.setdefault(target, {}).setdefault(key, values)

    def set(self, target: Table, key: tuple[Any, ...], **values: Any) -> None:
        """Record that the row `key` of `target` takes `values` (later calls win column by column)."""
        self._rows.setdefault(target, {}).setdefault(key, {}).update(values)

    def update(self, target: Table, key: tuple[Any, ...], **values: Any) -> None:
        """Change columns of the existing row `key` (nothing happens when it does not exist)."""
        self._updates.setdefault(target, {}).setdefault(key, {}).update(values)

    def __len__(self) -> int:
        return sum(len(rows) for rows in (*self._inserts.values(), *self._rows.values(), *self._updates.values()))

    async def write(self, conn: Connection) -> None:
        """One statement per table and set of columns: inserts first, then changes, tables in first-touch order."""
        for target, rows in self._inserts.items():
            await _write(conn, target, rows, update=False)
        for target, rows in self._rows.items():
            await _write(conn, target, rows, update=True)
        for target, rows in self._updates.items():
            await _update(conn, target, rows)
        self._inserts.clear()
        self._rows.clear()
        self._updates.clear()


async def _write(conn: Connection, target: Table, rows: dict[tuple[Any, ...], dict[str, Any]], update: bool) -> None:
    groups: dict[tuple[str, ...], list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for key, values in rows.items():
        groups.setdefault(tuple(sorted(values)), []).append((key, values))
    for columns, items in groups.items():
        records = [(*key, *(values[c] for c in columns)) for key, values in items]
        if len(records) < _UNNEST_FROM or target.has_arrays(columns):
            await conn.executemany(_values_upsert(target, columns, update), records)
        else:
            arrays = [list(column) for column in zip(*records, strict=True)]
            await conn.execute(_unnest_upsert(target, columns, update), *arrays)


async def _update(conn: Connection, target: Table, rows: dict[tuple[Any, ...], dict[str, Any]]) -> None:
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for key, values in rows.items():
        columns = tuple(sorted(values))
        groups.setdefault(columns, []).append((*key, *(values[c] for c in columns)))
    for columns, records in groups.items():
        if len(records) < _UNNEST_FROM or target.has_arrays(columns):
            await conn.executemany(_values_update(target, columns), records)
        else:
            await conn.execute(_unnest_update(target, columns), *[list(c) for c in zip(*records, strict=True)])


@cache
def _values_update(target: Table, columns: tuple[str, ...]) -> str:
    keys = len(target.keys)
    sets = ", ".join(f"{c} = ${keys + i}::{target.types[c]}" for i, c in enumerate(columns, start=1))
    match = " AND ".join(f"{k} = ${i}::{target.types[k]}" for i, k in enumerate(target.key_names, start=1))
    return f"UPDATE {target.name} SET {sets} WHERE {match}"


@cache
def _unnest_update(target: Table, columns: tuple[str, ...]) -> str:
    names = (*target.key_names, *columns)
    params = ", ".join(f"${i}::{target.types[n]}[]" for i, n in enumerate(names, start=1))
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    match = " AND ".join(f"t.{k} = v.{k}" for k in target.key_names)
    return f"UPDATE {target.name} t SET {sets} FROM unnest({params}) AS v({', '.join(names)}) WHERE {match}"


@cache
def _unnest_upsert(target: Table, columns: tuple[str, ...], update: bool) -> str:
    names = (*target.key_names, *columns)
    params = ", ".join(f"${i}::{target.types[n]}[]" for i, n in enumerate(names, start=1))
    return (f"INSERT INTO {target.name} ({', '.join(names)}) SELECT * FROM unnest({params}) "
            f"{_on_conflict(target, columns, update)}")


@cache
def _values_upsert(target: Table, columns: tuple[str, ...], update: bool) -> str:
    names = (*target.key_names, *columns)
    params = ", ".join(f"${i}::{target.types[n]}" for i, n in enumerate(names, start=1))
    return (f"INSERT INTO {target.name} ({', '.join(names)}) VALUES ({params}) "
            f"{_on_conflict(target, columns, update)}")


def _on_conflict(target: Table, columns: tuple[str, ...], update: bool) -> str:
    keys = ", ".join(target.key_names)
    if not columns or not update:
        return f"ON CONFLICT ({keys}) DO NOTHING"
    return f"ON CONFLICT ({keys}) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
