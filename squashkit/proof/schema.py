"""An introspected database schema as a frozen, JSON-able value, and the comparison of two of them.

Read in the Django subprocess from a database squashkit created (:mod:`squashkit.proof.database`):
tables, their columns (type as the database spells it, nullability, default), and every constraint and
index Django's ``connection.introspection.get_constraints`` reports (primary keys, unique and check
constraints, indexes, foreign keys with their target table and column).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Column", "Constraint", "Schema", "Table", "compare_schemas"]


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    null: bool
    default: str | None = None

    def describe(self) -> str:
        text = f"{self.type} {'NULL' if self.null else 'NOT NULL'}"
        return f"{text} DEFAULT {self.default}" if self.default is not None else text


@dataclass(frozen=True)
class Constraint:
    """A constraint or index: ``kind`` is ``primary key``, ``unique``, ``check``, ``foreign key`` or ``index``."""

    name: str
    kind: str
    columns: tuple[str, ...] = ()
    #: Foreign keys: ``(table, column)`` referenced.
    target: tuple[str, str] | None = None
    #: Index type (``btree``, ``gin``, ...) or a check's definition, when the database says.
    definition: str | None = None

    def describe(self) -> str:
        text = f"{self.kind} ({', '.join(self.columns)})"
        if self.target:
            text += f" -> {self.target[0]}.{self.target[1]}"
        if self.definition:
            text += f" {self.definition}"
        return text


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Schema:
    """Tables sorted by name; columns in table order; constraints sorted by name."""

    vendor: str
    tables: tuple[Table, ...] = ()

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    def to_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "tables": [
                {
                    "name": t.name,
                    "columns": [[c.name, c.type, c.null, c.default] for c in t.columns],
                    "constraints": [
                        [k.name, k.kind, list(k.columns), list(k.target) if k.target else None, k.definition]
                        for k in t.constraints
                    ],
                }
                for t in self.tables
            ],
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Schema:
        return cls(
            vendor=value["vendor"],
            tables=tuple(
                Table(
                    name=t["name"],
                    columns=tuple(Column(n, ty, bool(null), default) for n, ty, null, default in t["columns"]),
                    constraints=tuple(
                        Constraint(name, kind, tuple(columns), (target[0], target[1]) if target else None, definition)
                        for name, kind, columns, target, definition in t["constraints"]
                    ),
                )
                for t in value["tables"]
            ),
        )


def _by_name(items: Iterable[Any]) -> dict[str, Any]:
    return {item.name: item for item in items}


def compare_schemas(a: Schema, b: Schema, labels: tuple[str, str] = ("first", "second")) -> list[str]:
    """Human-readable differences between two schemas, ``[]`` when they are identical.

    ``labels`` name the two sides in the sentences (e.g. ``("before", "after")``).
    """
    first, second = labels
    out: list[str] = []
    tables_a, tables_b = _by_name(a.tables), _by_name(b.tables)
    for name in sorted(tables_a.keys() | tables_b.keys()):
        ta, tb = tables_a.get(name), tables_b.get(name)
        if tb is None:
            out.append(f"table {name}: only {first}")
            continue
        if ta is None:
            out.append(f"table {name}: only {second}")
            continue
        cols_a, cols_b = _by_name(ta.columns), _by_name(tb.columns)
        for col in [c.name for c in ta.columns] + [c.name for c in tb.columns if c.name not in cols_a]:
            ca, cb = cols_a.get(col), cols_b.get(col)
            if cb is None:
                assert ca is not None  # the name comes from one of the two tables
                out.append(f"table {name}: column {col} ({ca.describe()}) only {first}")
            elif ca is None:
                out.append(f"table {name}: column {col} ({cb.describe()}) only {second}")
            elif ca != cb:
                out.append(f"table {name}: column {col} is {ca.describe()} {first}, {cb.describe()} {second}")
        cons_a, cons_b = _by_name(ta.constraints), _by_name(tb.constraints)
        for con in sorted(cons_a.keys() | cons_b.keys()):
            ka, kb = cons_a.get(con), cons_b.get(con)
            if kb is None:
                assert ka is not None  # the name comes from one of the two tables
                out.append(f"table {name}: {ka.kind} {con} {ka.describe()} only {first}")
            elif ka is None:
                out.append(f"table {name}: {kb.kind} {con} {kb.describe()} only {second}")
            elif ka != kb:
                out.append(f"table {name}: {ka.kind} {con} is {ka.describe()} {first}, {kb.describe()} {second}")
    return out
