"""Projects to and from plain JSON-able data.

Used to hand a Django-loaded project from an isolated subprocess back to the caller (Django can be set up
once per process), and by the on-disk cache.  The format is internal; reports have their own schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from squashkit.graph.model import (
    AppInfo,
    Dependency,
    DependencyForm,
    FieldRef,
    FileProblem,
    MigrationInfo,
    MigrationKey,
    ModelRef,
    OperationSummary,
    ProblemCode,
    Project,
)

__all__ = ["migration_from_dict", "migration_to_dict", "project_from_dict", "project_to_dict"]


def _dep_to(d: Dependency) -> list[Any]:
    return [d.key.app_label, d.key.name, d.form.value, d.setting, d.line]


def _dep_from(v: list[Any]) -> Dependency:
    return Dependency(MigrationKey(v[0], v[1]), DependencyForm(v[2]), v[3], v[4])


def _op_to(op: OperationSummary) -> dict[str, Any]:
    return {
        "kind": op.kind,
        "category": op.category,
        "model": op.model,
        "field": op.field,
        "old_name": op.old_name,
        "references": [list(r) for r in op.references],
        "field_references": [list(r) for r in op.field_references],
        "reversible": op.reversible,
        "elidable": op.elidable,
        "opaque": op.opaque,
        "line": op.line,
    }


def _op_from(v: dict[str, Any]) -> OperationSummary:
    return OperationSummary(
        kind=v["kind"],
        category=v["category"],
        model=v["model"],
        field=v["field"],
        old_name=v["old_name"],
        references=tuple(ModelRef(*r) for r in v["references"]),
        field_references=tuple(FieldRef(*r) for r in v["field_references"]),
        reversible=v["reversible"],
        elidable=v["elidable"],
        opaque=v["opaque"],
        line=v["line"],
    )


def migration_to_dict(m: MigrationInfo) -> dict[str, Any]:
    return {
        "key": list(m.key),
        "path": str(m.path),
        "dependencies": [_dep_to(d) for d in m.dependencies],
        "replaces": [list(k) for k in m.replaces],
        "run_before": [_dep_to(d) for d in m.run_before],
        "initial": m.initial,
        "atomic": m.atomic,
        "operations": [_op_to(op) for op in m.operations],
        "django_version": m.django_version,
        "generated_on": m.generated_on,
        "content_hash": m.content_hash,
        "unresolved": m.unresolved,
    }


def migration_from_dict(v: dict[str, Any]) -> MigrationInfo:
    return MigrationInfo(
        key=MigrationKey(*v["key"]),
        path=Path(v["path"]),
        dependencies=tuple(_dep_from(d) for d in v["dependencies"]),
        replaces=tuple(MigrationKey(*k) for k in v["replaces"]),
        run_before=tuple(_dep_from(d) for d in v["run_before"]),
        initial=v["initial"],
        atomic=v["atomic"],
        operations=tuple(_op_from(op) for op in v["operations"]),
        django_version=v["django_version"],
        generated_on=v["generated_on"],
        content_hash=v["content_hash"],
        unresolved=v["unresolved"],
    )


def project_to_dict(p: Project) -> dict[str, Any]:
    return {
        "root": str(p.root),
        "source": p.source,
        "apps": [[a.label, str(a.path), str(a.migrations_path), a.external] for a in p.apps.values()],
        "migrations": [migration_to_dict(m) for _, m in sorted(p.migrations.items())],
        "problems": [[str(f.path), f.line, f.code, f.message, f.app_label, f.migration] for f in p.problems],
        "settings": dict(p.settings),
        "complete": p.complete,
        "unmigrated_apps": sorted(p.unmigrated_apps),
    }


def project_from_dict(v: dict[str, Any]) -> Project:
    apps = {a[0]: AppInfo(a[0], Path(a[1]), Path(a[2]), a[3]) for a in v["apps"]}
    migrations = {m.key: m for m in (migration_from_dict(d) for d in v["migrations"])}
    problems = tuple(FileProblem(Path(f[0]), f[1], ProblemCode(f[2]), f[3], f[4], f[5]) for f in v["problems"])
    return Project(
        root=Path(v["root"]),
        source=v["source"],
        apps=apps,
        migrations=migrations,
        problems=problems,
        settings=v["settings"],
        complete=v["complete"],
        unmigrated_apps=frozenset(v["unmigrated_apps"]),
    )
