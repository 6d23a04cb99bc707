"""squashkit's one internal payload codec: migration records, keys and projects as plain values, and bytes.

Two carriers use it:

* the Django runner (:mod:`squashkit._django`) hands payloads to its subprocess and results back through a
  pipe as JSON (:func:`dumps_json` / :func:`loads_json`);
* the record cache (:mod:`squashkit.graph.cache`) stores the same encoded records with :mod:`marshal`
  (:func:`dumps_marshal` / :func:`loads_marshal`): plain tuples and strings, no code runs on load (unlike
  pickle).

Both carry the *same* plain values (tuples, lists, strings, numbers, booleans, None): a record encoded here
survives either carrier, and JSON's lists decode like marshal's tuples.  Records are rebuilt without going
through the dataclass ``__init__`` (frozen dataclasses' per-field ``__setattr__`` dominates a large load).

Key encodings, defined once:

* a :class:`~squashkit.graph.model.MigrationKey` in a sequence is ``(app_label, name)``
  (:func:`encode_key` / :func:`decode_key`);
* as a mapping key (JSON objects only have string keys) it is ``"app_label|name"``
  (:func:`key_text` / :func:`key_from_text`): neither an app label (a Python identifier) nor a migration name
  (a module name) can hold ``|``.

The format is internal: reports have their own schema (``schema_version``).
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterable
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

__all__ = [
    "decode_info",
    "decode_key",
    "decode_operation",
    "decode_problem",
    "decode_project",
    "dumps_json",
    "dumps_marshal",
    "encode_info",
    "encode_key",
    "encode_operation",
    "encode_problem",
    "encode_project",
    "key_from_text",
    "key_text",
    "loads_json",
    "loads_marshal",
]

_FORMS = {form.value: form for form in DependencyForm}
_PROBLEMS = {code.value: code for code in ProblemCode}
_new = object.__new__
_tuple_new = tuple.__new__

# -- bytes ------------------------------------------------------------------------------------------------


def dumps_json(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON (tuples become lists; the pipe carrier)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads_json(data: bytes | str) -> Any:
    return json.loads(data)


def dumps_marshal(value: Any) -> bytes:
    """``value`` with :mod:`marshal` (the cache carrier; plain values only)."""
    return marshal.dumps(value)


def loads_marshal(data: bytes) -> Any:
    return marshal.loads(data)


# -- keys -------------------------------------------------------------------------------------------------


def encode_key(key: tuple[str, str]) -> tuple[str, str]:
    return (key[0], key[1])


def decode_key(value: Iterable[str]) -> MigrationKey:
    return _tuple_new(MigrationKey, tuple(value))


def key_text(key: tuple[str, str]) -> str:
    """``"app_label|name"``: a migration key as a JSON object key."""
    return f"{key[0]}|{key[1]}"


def key_from_text(text: str) -> MigrationKey:
    app, _, name = text.partition("|")
    return MigrationKey(app, name)


# -- records ----------------------------------------------------------------------------------------------


def _record(cls: type, values: dict[str, Any]) -> Any:
    """A frozen dataclass instance from its field values, without the per-field ``__setattr__`` of ``__init__``."""
    obj: Any = _new(cls)
    obj.__dict__.update(values)
    return obj


def _encode_dependency(d: Dependency) -> tuple[Any, ...]:
    return (d.key[0], d.key[1], d.form.value, d.setting, d.line)


def _decode_dependency(item: Any) -> Dependency:
    app, name, form, setting, line = item
    return _record(
        Dependency,
        {"key": _tuple_new(MigrationKey, (app, name)), "form": _FORMS[form], "setting": setting, "line": line},
    )


def encode_operation(op: OperationSummary) -> tuple[Any, ...]:
    return (
        op.kind,
        op.category,
        op.model,
        op.field,
        op.old_name,
        tuple((r[0], r[1]) for r in op.references),
        tuple((r[0], r[1], r[2]) for r in op.field_references),
        op.reversible,
        op.elidable,
        op.opaque,
        op.line,
    )


def decode_operation(item: Any) -> OperationSummary:
    kind, category, model, field, old_name, refs, field_refs, reversible, elidable, opaque, line = item
    return _record(
        OperationSummary,
        {
            "kind": kind,
            "category": category,
            "model": model,
            "field": field,
            "old_name": old_name,
            "references": tuple([_tuple_new(ModelRef, tuple(r)) for r in refs]),
            "field_references": tuple([_tuple_new(FieldRef, tuple(r)) for r in field_refs]),
            "reversible": reversible,
            "elidable": elidable,
            "opaque": opaque,
            "line": line,
        },
    )


def encode_info(info: MigrationInfo | None) -> tuple[Any, ...] | None:
    """A migration record without its key and path (the cache stores those as its own keys)."""
    if info is None:
        return None
    return (
        tuple(_encode_dependency(d) for d in info.dependencies),
        tuple((k[0], k[1]) for k in info.replaces),
        tuple(_encode_dependency(d) for d in info.run_before),
        info.initial,
        info.atomic,
        tuple(encode_operation(op) for op in info.operations),
        info.django_version,
        info.generated_on,
        info.content_hash,
        info.unresolved,
    )


def decode_info(encoded: Any, path: Path, key: MigrationKey) -> MigrationInfo:
    deps, replaces, run_before, initial, atomic, ops, version, generated, digest, unresolved = encoded
    return _record(
        MigrationInfo,
        {
            "key": key,
            "path": path,
            "dependencies": tuple([_decode_dependency(d) for d in deps]),
            "replaces": tuple([_tuple_new(MigrationKey, tuple(r)) for r in replaces]),
            "run_before": tuple([_decode_dependency(d) for d in run_before]),
            "initial": initial,
            "atomic": atomic,
            "operations": tuple([decode_operation(op) for op in ops]),
            "django_version": version,
            "generated_on": generated,
            "content_hash": digest,
            "unresolved": unresolved,
        },
    )


def encode_problem(problem: FileProblem) -> tuple[Any, ...]:
    """A file problem without its path (the cache keys it by file)."""
    return (problem.line, problem.code.value, problem.message, problem.app_label, problem.migration)


def decode_problem(item: Any, path: Path) -> FileProblem:
    line, code, message, app, migration = item
    return _record(
        FileProblem,
        {
            "path": path,
            "line": line,
            "code": _PROBLEMS[code],
            "message": message,
            "app_label": app,
            "migration": migration,
        },
    )


def encode_project(project: Project) -> tuple[Any, ...]:
    """A whole project (the Django loader's result) as plain values."""
    return (
        str(project.root),
        project.source,
        tuple((a.label, str(a.path), str(a.migrations_path), a.external) for a in project.apps.values()),
        tuple((encode_key(key), str(info.path), encode_info(info)) for key, info in sorted(project.migrations.items())),
        tuple((str(p.path), encode_problem(p)) for p in project.problems),
        tuple(sorted(project.settings.items())),
        project.complete,
        tuple(sorted(project.unmigrated_apps)),
    )


def decode_project(value: Any) -> Project:
    root, source, apps, migrations, problems, settings, complete, unmigrated = value
    decoded: dict[MigrationKey, MigrationInfo] = {}
    for key, path, info in migrations:
        migration_key = decode_key(key)
        decoded[migration_key] = decode_info(info, Path(path), migration_key)
    return Project(
        root=Path(root),
        source=source,
        apps={a[0]: AppInfo(a[0], Path(a[1]), Path(a[2]), a[3]) for a in apps},
        migrations=decoded,
        problems=tuple(decode_problem(p, Path(path)) for path, p in problems),
        settings=dict(settings),
        complete=complete,
        unmigrated_apps=frozenset(unmigrated),
    )
