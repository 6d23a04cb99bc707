"""What a migration really needs from the migration state, read from its operation summaries.

A :class:`Need` is one model or field state that must hold before the migration applies:

* ``exists``: a model must exist under this name (relation ``to=``, ``through=``, ``bases``, swappable
  settings resolve to the configured model);
* ``field``: a field must exist under this name, with its current definition (``to_field=``);
* ``state``: the model's whole state, data included (``apps.get_model(...)`` in RunPython code);
* ``unreferenced``: the migration deletes or renames one of its own app's models, so every other app's
  reference to it must already be gone (or not yet written);
* ``field-unreferenced``: the same for a field that other apps name through ``to_field=``.

Operations whose effect cannot be seen (RunSQL, custom operations, RunPython code squashkit cannot read or
that names no model, SeparateDatabaseAndState) are recorded as :class:`Opaque`: the proposal keeps every
existing dependency of such a migration and says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from squashkit.deps.code import OperationCode, migration_code
from squashkit.graph.model import FieldRef, MigrationInfo, MigrationKey, ModelRef, OperationSummary

__all__ = ["Need", "NeedKind", "Opaque", "OperationView", "References", "operation_views", "references"]

NeedKind = Literal["exists", "field", "state", "unreferenced", "field-unreferenced"]


@dataclass(frozen=True)
class Need:
    """One model/field state the migration needs; ``why`` is a sentence naming the operation."""

    kind: NeedKind
    target: ModelRef | FieldRef
    why: str
    line: int = 0

    @property
    def app_label(self) -> str:
        return self.target.app_label


@dataclass(frozen=True)
class Opaque:
    """An operation whose needs cannot be seen."""

    kind: str
    line: int
    why: str


@dataclass(frozen=True)
class References:
    """Every need and opaque marker of one migration."""

    migration: MigrationKey
    needs: tuple[Need, ...] = ()
    opaque: tuple[Opaque, ...] = ()

    def cross_app(self) -> Iterator[Need]:
        """Needs on other apps' models (the ``exists``/``field``/``state`` kinds)."""
        for need in self.needs:
            if need.kind in ("exists", "field", "state") and need.app_label != self.migration.app_label:
                yield need

    def own_removals(self) -> Iterator[Need]:
        """``unreferenced``/``field-unreferenced`` needs: own models or fields that are deleted or renamed."""
        for need in self.needs:
            if need.kind in ("unreferenced", "field-unreferenced"):
                yield need


def _at(op: OperationSummary) -> str:
    return f" (line {op.line})" if op.line else ""


def _subject(op: OperationSummary) -> str:
    if op.model and op.field:
        return f"{op.kind} {op.model}.{op.field}"
    if op.model:
        return f"{op.kind} {op.model}"
    return op.kind


@dataclass(frozen=True)
class OperationView:
    """One operation as ``deps`` trusts it: the summary, the models its code reads, why it is opaque."""

    op: OperationSummary
    reads: tuple[ModelRef, ...]
    opaque: str
    primary_key: bool = False
    pk_names: tuple[str, ...] = ()


def operation_views(migration: MigrationInfo) -> list[OperationView]:
    """The operations of ``migration`` with what its source says (:mod:`squashkit.deps.code`).

    A RunPython is trusted only when its code is precise; when the source cannot be matched to the loaded
    operations, every RunPython is opaque.
    """
    code = migration_code(migration)
    facts: tuple[OperationCode | None, ...] = code.operations or (None,) * len(migration.operations)
    views: list[OperationView] = []
    for op, fact in zip(migration.operations, facts, strict=True):
        line = op.line or (fact.line if fact else 0)
        if op.category == "python":
            if fact is None or fact.kind != "RunPython":
                why = code.problem or "its source could not be read"
                views.append(OperationView(op, (), f"RunPython{_at(op)}: {why}"))
            elif fact.opaque:
                at = f" (line {line})" if line else ""
                views.append(OperationView(op, fact.reads, f"RunPython{at}: {'; '.join(fact.opaque)}"))
            else:
                views.append(OperationView(op, fact.reads, ""))
            continue
        opaque = ""
        if op.opaque:
            opaque = f"operations are computed{_at(op)}: not analysed" if op.kind == "computed" else _opaque_why(op)
        elif fact is not None and fact.kind == op.kind and fact.opaque:
            opaque = f"{_subject(op)}{_at(op)}: {'; '.join(fact.opaque)}"
        pk_names = fact.pk_names if fact is not None else ()
        views.append(OperationView(op, op.references, opaque, bool(fact and fact.primary_key), pk_names))
    return views


def _opaque_why(op: OperationSummary) -> str:
    if op.category == "sql":
        return f"RunSQL{_at(op)}: the SQL is not analysed"
    if op.category == "python":
        return f"RunPython{_at(op)}: its code names no model squashkit can see"
    if op.category == "state":
        return f"SeparateDatabaseAndState{_at(op)}: its database operations are not analysed"
    if op.category == "custom":
        return f"custom operation {op.kind}{_at(op)}: not a Django operation"
    return f"{op.kind}{_at(op)}: not an operation squashkit can read"


def references(migration: MigrationInfo) -> References:
    """The needs and opaque markers of one migration (same-app references included)."""
    app = migration.app_label
    needs: list[Need] = []
    opaque: list[Opaque] = []
    seen: set[tuple[str, ModelRef | FieldRef]] = set()

    def add(kind: NeedKind, target: ModelRef | FieldRef, why: str, line: int) -> None:
        if (kind, target) not in seen:
            seen.add((kind, target))
            needs.append(Need(kind, target, why, line))

    for view in operation_views(migration):
        op = view.op
        if view.opaque:
            opaque.append(Opaque(op.kind, op.line, view.opaque))
        if op.category == "python":
            for ref in view.reads:
                add("state", ref, f"RunPython{_at(op)} calls apps.get_model({ref.app_label!r}, {ref.model!r})", op.line)
            continue
        for ref in op.references:
            add("exists", ref, f"{_subject(op)}{_at(op)} relates to {ref}", op.line)
        for fref in op.field_references:
            add(
                "exists",
                ModelRef(fref.app_label, fref.model),
                f"{_subject(op)}{_at(op)} relates to {fref.app_label}.{fref.model}",
                op.line,
            )
            add("field", fref, f"{_subject(op)}{_at(op)} names to_field {fref}", op.line)
        if op.category != "schema" or op.model is None:
            continue
        if op.kind == "DeleteModel":
            add("unreferenced", ModelRef(app, op.model), f"{_subject(op)}{_at(op)} deletes {app}.{op.model}", op.line)
        elif op.kind == "RenameModel" and op.old_name:
            add(
                "unreferenced",
                ModelRef(app, op.old_name),
                f"RenameModel {op.old_name} -> {op.model}{_at(op)} renames {app}.{op.old_name}",
                op.line,
            )
        elif op.kind in ("RemoveField", "AlterField") and op.field:
            verb = "removes" if op.kind == "RemoveField" else "alters"
            add(
                "field-unreferenced",
                FieldRef(app, op.model, op.field),
                f"{_subject(op)}{_at(op)} {verb} {app}.{op.model}.{op.field}",
                op.line,
            )
        elif op.kind == "RenameField" and op.old_name:
            add(
                "field-unreferenced",
                FieldRef(app, op.model, op.old_name),
                f"RenameField {op.model}.{op.old_name} -> {op.field}{_at(op)} renames {app}.{op.model}.{op.old_name}",
                op.line,
            )
    return References(migration.key, tuple(needs), tuple(opaque))
