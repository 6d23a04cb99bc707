"""Squash generation, run where Django is set up (one process for every range of a run).

For each range: the members' operations in plan order, elidable ones dropped, Django's
``MigrationOptimizer``, then Django's ``MigrationWriter`` (``--strategy compact``: the operations Django's
autodetector makes from the range's final model state instead, when the range starts at the app's first
migration and holds nothing but Django's schema operations).  RunPython functions of the replaced modules
are handed to :func:`squashkit.squash.porting.plan_ports` and written as the local copy or the importlib
reference it decides, never as Django's dotted path into a module whose name starts with a digit.

The result is plain data (text and counts); :mod:`squashkit.squash.execute` post-processes the text with
libcst and builds the change set.  Django's differences handled here: before Django 6 a squash cannot
replace a squash (the range is refused, as ``squashmigrations`` does); from Django 6 on, ``replaces``
lists the members as they are (a squash of a squash), as Django 6's ``squashmigrations`` does.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from squashkit.squash.porting import FunctionRef, plan_ports

__all__ = ["generate", "optimize"]

#: What MigrationWriter's output binds at module level, with the import line binding it.
WRITER_NAMES = {
    "migrations": "from django.db import migrations",
    "models": "from django.db import models",
    "settings": "from django.conf import settings",
    "django": "import django",
    "Migration": "",
}

_SCHEMA_KINDS = frozenset(
    {
        "CreateModel",
        "DeleteModel",
        "RenameModel",
        "AlterModelTable",
        "AlterModelTableComment",
        "AlterUniqueTogether",
        "AlterIndexTogether",
        "AlterOrderWithRespectTo",
        "AlterModelOptions",
        "AlterModelManagers",
        "AddField",
        "RemoveField",
        "AlterField",
        "RenameField",
        "AddIndex",
        "RemoveIndex",
        "RenameIndex",
        "AddConstraint",
        "RemoveConstraint",
        "AlterConstraint",
    }
)


class _Code:
    """Stands for a RunPython function in the operations given to the writer; serialized as ``expression``."""

    def __init__(self, expression: str, imports: set[str]) -> None:
        self.expression = expression
        self.imports = imports

    def __call__(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - never run, only written
        raise RuntimeError("placeholder of a ported function")


def _register_serializer() -> None:
    from django.db.migrations.serializer import BaseSerializer
    from django.db.migrations.writer import MigrationWriter

    class CodeSerializer(BaseSerializer):
        def serialize(self) -> tuple[str, set[str]]:
            return self.value.expression, set(self.value.imports)

    MigrationWriter.register_serializer(_Code, CodeSerializer)


def _is_migration_module(name: str | None, modules: set[str]) -> bool:
    return bool(name) and (name in modules or any(part[:1].isdigit() for part in str(name).split(".")))


def _walk(operations: list[Any]) -> list[Any]:
    """Every operation, SeparateDatabaseAndState's inner ones included."""
    found: list[Any] = []
    for op in operations:
        found.append(op)
        if type(op).__name__ == "SeparateDatabaseAndState":
            found += _walk(list(op.state_operations) + list(op.database_operations))
    return found


def _functions(operations: list[Any], modules: set[str]) -> tuple[list[FunctionRef], list[str]]:
    refs: list[FunctionRef] = []
    problems: list[str] = []
    for op in _walk(operations):
        if type(op).__name__ != "RunPython":
            continue
        for attr in ("code", "reverse_code"):
            fn = getattr(op, attr, None)
            module = getattr(fn, "__module__", None)
            if fn is None or not _is_migration_module(module, modules):
                continue
            qualname = getattr(fn, "__qualname__", "")
            if not qualname or "<" in qualname:
                problems.append(f"RunPython {attr} {qualname or repr(fn)} of {module} cannot be referenced by name")
                continue
            path = getattr(sys.modules.get(module or ""), "__file__", None)
            if not path:
                problems.append(f"RunPython {attr} {qualname} of {module}: its module has no source file")
                continue
            refs.append(FunctionRef(str(module), Path(path), qualname))
    return refs, problems


def _substitute(operations: list[Any], modules: set[str], expressions: dict[tuple[str, str], _Code]) -> list[Any]:
    out: list[Any] = []
    for op in operations:
        kind = type(op).__name__
        if kind == "RunPython":
            new = copy.copy(op)
            for attr in ("code", "reverse_code"):
                fn = getattr(op, attr, None)
                key = (getattr(fn, "__module__", None), getattr(fn, "__qualname__", None))
                if fn is not None and key in expressions:
                    setattr(new, attr, expressions[key])
                elif fn is not None and fn is _noop():
                    setattr(new, attr, _Code("migrations.RunPython.noop", set()))
            out.append(new)
        elif kind == "SeparateDatabaseAndState":
            new = copy.copy(op)
            new.state_operations = _substitute(list(op.state_operations), modules, expressions)
            new.database_operations = _substitute(list(op.database_operations), modules, expressions)
            out.append(new)
        else:
            out.append(op)
    return out


def _noop() -> Any:
    from django.db.migrations import RunPython

    return RunPython.noop


def _compact_blocker(operations: list[Any]) -> str:
    """Why the range cannot be regenerated from its final state ("" when it can)."""
    for op in operations:
        kind = type(op).__name__
        if not type(op).__module__.startswith("django.db.migrations.operations"):
            return f"it holds a custom operation ({type(op).__module__}.{kind})"
        if kind in ("RunPython", "RunSQL"):
            return f"it holds a data operation ({kind}) that is not elidable"
        if kind not in _SCHEMA_KINDS:
            return f"it holds {kind}, which the autodetector does not regenerate"
    return ""


def _compact_operations(loader: Any, app: str, last: str) -> list[Any]:
    from django.db.migrations.autodetector import MigrationAutodetector

    real_apps = set(loader.unmigrated_apps)
    to_state = loader.graph.make_state(nodes=[(app, last)], at_end=True, real_apps=real_apps)
    from_state = to_state.clone()
    for key in [k for k in from_state.models if k[0] == app]:
        from_state.remove_model(*key)
    changes = MigrationAutodetector(from_state, to_state)._detect_changes()
    return [op for migration in changes.get(app, []) for op in migration.operations]


def _kept(loader: Any, spec: dict[str, Any]) -> tuple[list[Any], list[Any], int] | str:
    """The range's members and their operations in order, elidable ones dropped: ``(members, kept, elided)``,
    or why the range cannot be squashed (a member Django's loader does not know, a non-atomic member keeping
    operations, a squash before Django 6)."""
    import django

    app = spec["app"]
    members = [loader.disk_migrations.get((app, name)) for name in spec["members"]]
    missing = [name for name, m in zip(spec["members"], members, strict=True) if m is None]
    if missing:
        return f"not found by Django's loader: {', '.join(f'{app}.{n}' for n in missing)}"
    operations: list[Any] = []
    elided = 0
    for member in members:
        kept = [op for op in member.operations if not getattr(op, "elidable", False)]
        elided += len(member.operations) - len(kept)
        if not getattr(member, "atomic", True) and kept:
            return (
                f"{app}.{member.name} is not atomic (atomic = False) and keeps "
                f"{len(kept)} operation(s): squash up to the migration before it, or start after it"
            )
        if member.replaces and django.VERSION < (6, 0):
            return f"{app}.{member.name} is a squash: Django {django.get_version()} cannot squash a squash"
        operations += kept
    return members, operations, elided


def _one(loader: Any, spec: dict[str, Any], modules: set[str]) -> dict[str, Any]:
    import django
    from django.db import migrations
    from django.db.migrations.optimizer import MigrationOptimizer
    from django.db.migrations.writer import MigrationWriter

    app = spec["app"]
    found = _kept(loader, spec)
    if isinstance(found, str):
        return {"error": found}
    members, operations, elided = found
    replaces = [(app, member.name) for member in members]
    before = sum(len(m.operations) for m in members)
    strategy = spec.get("strategy", "optimize")
    note = ""
    if strategy == "compact":
        blocker = "" if spec.get("initial") else "the range does not start at the app's first migration"
        blocker = blocker or _compact_blocker(operations)
        if blocker:
            note = f"compact not possible ({blocker}): optimized instead"
            strategy = "optimize"
        else:
            new_operations = _compact_operations(loader, app, spec["members"][-1])
    if strategy == "optimize":
        new_operations = MigrationOptimizer().optimize(operations, app)
    refs, problems = _functions(new_operations, modules)
    if problems:
        return {"error": "; ".join(problems)}
    plan = plan_ports(refs, WRITER_NAMES)
    expressions: dict[tuple[str, str], _Code] = {}
    for port in plan.ports:
        imports = {"import importlib"} if port.status == "referenced" else set()
        expressions[(port.function.module, port.function.qualname)] = _Code(port.expression, imports)
    written = _substitute(new_operations, modules, expressions)
    dependencies = [("__setting__", d[2]) if d[2] else (d[0], d[1]) for d in spec.get("dependencies", [])]
    migration_class = type(
        "Migration",
        (migrations.Migration,),
        {"dependencies": dependencies, "operations": written, "replaces": replaces},
    )
    migration = migration_class(spec["name"], app)
    migration.initial = bool(spec.get("initial"))
    try:
        text = MigrationWriter(migration, include_header=False).as_string()
    except ValueError as exc:
        return {"error": f"Django's writer cannot write the squash: {exc}"}
    return {
        "error": None,
        "text": text,
        "ops_before": before,
        "ops_elided": elided,
        "ops_after": len(new_operations),
        "strategy": strategy,
        "note": note,
        "ports": [
            {
                "module": p.function.module,
                "path": str(p.function.path),
                "qualname": p.function.qualname,
                "status": p.status,
                "expression": p.expression,
                "reason": p.reason,
                "line": p.line,
            }
            for p in plan.ports
        ],
        "imports": list(plan.imports),
        "blocks": list(plan.blocks),
        "django_version": django.get_version(),
    }


def generate(payload: dict[str, Any]) -> dict[str, Any]:
    """The runner action: ``payload["ranges"]`` -> ``{"ranges": [result per range]}`` (Django is set up)."""
    from django.db.migrations.loader import MigrationLoader

    _register_serializer()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    modules = {type(m).__module__ for m in loader.disk_migrations.values()}
    results = []
    for spec in payload.get("ranges", []):
        try:
            results.append(_one(loader, spec, modules))
        except Exception as exc:  # one odd range is reported, the others are still generated
            results.append({"error": f"{type(exc).__name__}: {exc}"})
    return {"ranges": results}


def optimize(payload: dict[str, Any]) -> dict[str, Any]:
    """The runner action behind ``squash plan --exact``: ``payload["ranges"]`` (``app``, ``members``) ->
    ``{"ranges": [{"error", "ops_before", "ops_elided", "ops_after"} per range], "django_version"}``.

    The count is that of :func:`generate`'s default strategy: the members' operations in order, elidable
    ones dropped, through Django's ``MigrationOptimizer``; nothing is written.
    """
    import django
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.optimizer import MigrationOptimizer

    loader = MigrationLoader(None, ignore_no_migrations=True)
    results: list[dict[str, Any]] = []
    for spec in payload.get("ranges", []):
        try:
            found = _kept(loader, spec)
            if isinstance(found, str):
                results.append({"error": found})
                continue
            members, operations, elided = found
            after = MigrationOptimizer().optimize(operations, spec["app"])
            results.append(
                {
                    "error": None,
                    "ops_before": sum(len(m.operations) for m in members),
                    "ops_elided": elided,
                    "ops_after": len(after),
                }
            )
        except Exception as exc:  # one odd range is reported, the others are still counted
            results.append({"error": f"{type(exc).__name__}: {exc}"})
    return {"ranges": results, "django_version": django.get_version()}
