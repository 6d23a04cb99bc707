"""The end of a squash's life: is it recorded everywhere, and turning it into a normal migration.

A squashed migration (one with ``replaces``) goes through these states in every database, tenant schema and
snapshot squashkit knows (a *source*):

* ``pending``: none, or only some, of the replaced migrations are recorded; the replaced files are still
  needed there (Django applies the rest of them, or the squash, at the next ``migrate``);
* ``applied-unrecorded``: every replaced migration is recorded but the squash's own row is not; Django writes
  it at the next ``migrate`` there (``MigrationExecutor.check_replacements``), so "run migrate once there";
* ``recorded``: the squash's own row is recorded (Django records it after the replaced rows);
* ``unknown``: the source could not be read.

A squash is **ready** to finalize when at least one source is known, every source is ``recorded``, and every
environment the project requires (``--require-env`` / ``[tool.squashkit] require_envs``) was read.  Ready
covers only the sources squashkit knows: a reusable app's users' databases are never known.

:func:`plan_finalize` turns ready squashes into one :class:`~squashkit.rewrite.changeset.ChangeSet`:

1. the replaced migration files are deleted;
2. every ``dependencies`` / ``run_before`` entry, in any app, that names a replaced migration is rewritten to
   name the squash (libcst, minimal edits).  This is safe even in applied migrations: a dependency only
   orders migrations that are not applied yet, and the squash is recorded everywhere;
3. ``replaces`` is removed from the squash, which becomes a normal migration.

It refuses a squash whose file still refers to a replaced module (unported RunPython / RunSQL code that would
break once the module is deleted), a squash replaced by another squash, and one whose file cannot be read.
The ``django_migrations`` rows of the replaced migrations become stale; :class:`PruneStep` says, per source,
what to run once the finalized code is deployed there.  squashkit never runs it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from squashkit.graph.model import Dependency, DependencyForm, FileProblem, MigrationInfo, MigrationKey, Project
from squashkit.history import applied as policy
from squashkit.history import model
from squashkit.rewrite.lists import RewriteError, remove_attribute, rewrite_source

if TYPE_CHECKING:
    from squashkit.rewrite.changeset import ChangeSet

__all__ = [
    "FinalizePlan",
    "LifecycleStatus",
    "PruneStep",
    "SourceState",
    "SquashState",
    "SquashStatus",
    "UnportedReference",
    "plan_finalize",
    "squash_status",
    "unported_references",
]


class SquashState(StrEnum):
    PENDING = "pending"
    APPLIED_UNRECORDED = "applied-unrecorded"
    RECORDED = "recorded"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SourceState:
    """One squash in one source."""

    label: str
    state: SquashState
    #: replaced migrations recorded / not recorded there (empty for ``recorded`` and ``unknown``)
    applied: tuple[MigrationKey, ...] = ()
    missing: tuple[MigrationKey, ...] = ()
    #: for ``unknown``: why the source could not be read
    reason: str = ""

    def describe(self) -> str:
        if self.state is SquashState.RECORDED:
            return "recorded"
        if self.state is SquashState.APPLIED_UNRECORDED:
            return "every replaced migration applied, the squash not recorded: run `manage.py migrate` once there"
        if self.state is SquashState.UNKNOWN:
            return f"cannot tell: {self.reason}"
        if not self.applied:
            return "nothing of it applied"
        return f"partly applied: {_keys(self.applied)} applied; {_keys(self.missing)} not"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.label,
            "state": self.state.value,
            "applied": [str(k) for k in self.applied],
            "missing": [str(k) for k in self.missing],
            "detail": self.describe(),
        }


@dataclass(frozen=True)
class UnportedReference:
    """A squashed file's reference to a replaced migration module (code that breaks once it is deleted)."""

    line: int
    module: str
    #: the function named through the reference (``import_module("...0030_x").forwards``), when visible
    function: str | None = None

    def describe(self) -> str:
        what = f"`{self.function}` from " if self.function else ""
        return f"needs porting: uses {what}replaced module {self.module} (line {self.line})"


@dataclass(frozen=True)
class SquashStatus:
    """One squashed migration across every known source."""

    squash: MigrationKey
    path: Path
    replaces: tuple[MigrationKey, ...]
    sources: tuple[SourceState, ...]
    #: why it is not ready (empty when ready)
    blockers: tuple[str, ...]
    #: references to replaced modules; finalize refuses the squash while there are any
    unported: tuple[UnportedReference, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def state(self) -> str:
        return "READY" if self.ready else "NOT READY"

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "squash": str(self.squash),
            "path": _relative(self.path, root),
            "replaces": [str(k) for k in self.replaces],
            "ready": self.ready,
            "blockers": list(self.blockers),
            "sources": [s.to_dict() for s in self.sources],
            "unported": [
                {"line": u.line, "module": u.module, "function": u.function, "detail": u.describe()}
                for u in self.unported
            ],
        }


@dataclass(frozen=True)
class LifecycleStatus:
    """Every squash of the project, and which sources were asked."""

    squashes: tuple[SquashStatus, ...]
    sources: tuple[str, ...]
    unreadable: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    @property
    def all_ready(self) -> bool:
        return all(s.ready for s in self.squashes)

    def get(self, key: MigrationKey) -> SquashStatus | None:
        return next((s for s in self.squashes if s.squash == key), None)

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "unreadable": list(self.unreadable),
            "required": list(self.required),
            "all_ready": self.all_ready,
            "squashes": [s.to_dict(root) for s in self.squashes],
        }


def _keys(keys: Iterable[MigrationKey]) -> str:
    return ", ".join(k.name for k in keys)


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


@dataclass(frozen=True)
class _Source:
    """One source, whichever applied-state type it came from."""

    label: str
    applied: frozenset[MigrationKey] | None
    error: str = ""
    schema: str | None = None
    snapshot: bool = False


AnyAppliedState = policy.AppliedState | model.AppliedState


def _sources_of(state: AnyAppliedState) -> tuple[list[_Source], tuple[str, ...]]:
    """The sources of either applied-state type (the shared policy's, or history's sets and failures), and
    the sources that do not exist (a missing default SQLite file)."""
    if isinstance(state, policy.AppliedState):
        return [
            _Source(
                s.label,
                s.applied,
                s.error,
                s.label.split("/", 1)[1] if s.kind == "schema" and "/" in s.label else None,
                s.kind == "snapshot",
            )
            for s in state.sources
        ], state.missing
    sources = [_Source(s.label, s.applied, "", s.schema, s.kind == "snapshot") for s in state.sets]
    sources += [_Source(f.label, None, f.message, f.schema) for f in state.failures]
    return sources, ()


def _source_state(squash: MigrationInfo, source: _Source) -> SourceState:
    recorded = source.applied
    if recorded is None:
        return SourceState(source.label, SquashState.UNKNOWN, reason=source.error)
    if squash.key in recorded:
        return SourceState(source.label, SquashState.RECORDED)
    have = tuple(k for k in squash.replaces if k in recorded)
    missing = tuple(k for k in squash.replaces if k not in recorded)
    if not missing:
        return SourceState(source.label, SquashState.APPLIED_UNRECORDED, have, missing)
    return SourceState(source.label, SquashState.PENDING, have, missing)


def _env_of(label: str) -> str:
    return label.split("/", 1)[0]


# Lists of (app, name) pairs, not code: a dependency on ("other_app", "0002_initial_data") is no use of this
# app's replaced 0002_initial_data module.
_NOT_CODE = frozenset({"replaces", "dependencies", "run_before"})
_MODULE_STRING = re.compile(r"(?:^|\.)migrations\.(\d{4}\w*)")


def unported_references(migration: MigrationInfo, source: str | None = None) -> tuple[UnportedReference, ...]:
    """Places where a squashed file refers to one of the modules it replaces.

    Django's ``squashmigrations`` writes ``code=app.migrations.0030_x.forwards`` (not even valid Python,
    reported by the loader as a syntax error) or, after hand porting, ``importlib.import_module(...)``:
    both break once the replaced files are deleted.  The ``replaces``, ``dependencies`` and ``run_before`` lists
    are not references.
    """
    if source is None:
        try:
            source = migration.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ()
    replaced = {k.name for k in migration.replaces if k.app_label == migration.app_label}
    if not replaced:
        return ()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tuple(_textual_references(source, replaced))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in _NOT_CODE for t in node.targets):
            skip.update(id(n) for n in ast.walk(node))
    found: list[UnportedReference] = []
    seen: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        for match in _MODULE_STRING.finditer(text):
            if match.group(1) in replaced and (node.lineno, match.group(1)) not in seen:
                seen.add((node.lineno, match.group(1)))
                found.append(UnportedReference(node.lineno, text, _function_after(tree, node)))
        if text in replaced and (node.lineno, text) not in seen:
            seen.add((node.lineno, text))
            found.append(UnportedReference(node.lineno, text, _function_after(tree, node)))
    return tuple(sorted(found, key=lambda r: (r.line, r.module)))


def _function_after(tree: ast.AST, constant: ast.Constant) -> str | None:
    """``import_module("x").forwards`` -> ``forwards``; ``getattr(import_module("x"), "forwards")`` too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) and constant in node.value.args:
            return node.attr
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Call)
            and constant in node.args[0].args
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            return node.args[1].value
    return None


def _textual_references(source: str, replaced: set[str]) -> Iterable[UnportedReference]:
    """For a file Python cannot parse (Django's ``code=app.migrations.0030_x.func`` output)."""
    pattern = re.compile(r"([\w.]*migrations\.(\d{4}\w*?))\.(\w+)")
    for lineno, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("replaces") or stripped.startswith("("):
            continue
        for match in pattern.finditer(line):
            if match.group(2) in replaced:
                yield UnportedReference(lineno, match.group(1), match.group(3))


def squash_status(
    project: Project,
    state: AnyAppliedState,
    *,
    require: Sequence[str] = (),
    names: Sequence[MigrationKey] = (),
    apps: Sequence[str] | None = None,
) -> LifecycleStatus:
    """The lifecycle state of every squash (``names``: only those; ``apps``: only theirs) in every source of
    ``state``."""
    squashes = [m for m in project.iter_project_migrations() if m.replaces]
    if names:
        wanted = set(names)
        squashes = [m for m in squashes if m.key in wanted]
    if apps is not None:
        squashes = [m for m in squashes if m.app_label in apps]
    all_sources, absent = _sources_of(state)
    read_envs = {_env_of(s.label) for s in all_sources if s.applied is not None}
    failed = tuple(f"{s.label}: {s.error}" for s in all_sources if s.applied is None)
    result: list[SquashStatus] = []
    replaced_by_other = _replaced_by(project)
    for squash in squashes:
        sources = [_source_state(squash, source) for source in all_sources]
        blockers: list[str] = []
        if not all_sources:
            blockers.append(
                "no applied-state source: squashkit cannot tell where it is applied "
                "(configure [tool.squashkit.environments] or pass --env/--dsn/--snapshot/--database)"
                + "".join(f"; {m}" for m in absent)
            )
        for source in sources:
            if source.state is not SquashState.RECORDED:
                blockers.append(f"{source.label}: {source.describe()}")
        for env in require:
            if env not in read_envs:
                blockers.append(f"required environment {env!r} was not read (configure it and pass --env {env})")
        outer = replaced_by_other.get(squash.key)
        if outer is not None:
            blockers.append(f"replaced by squash {outer}: finalize that one")
        result.append(
            SquashStatus(
                squash=squash.key,
                path=squash.path,
                replaces=squash.replaces,
                sources=tuple(sources),
                blockers=tuple(blockers),
                unported=unported_references(squash),
            )
        )
    return LifecycleStatus(
        squashes=tuple(result),
        sources=tuple(s.label for s in all_sources if s.applied is not None),
        unreadable=failed,
        required=tuple(require),
    )


def _replaced_by(project: Project) -> dict[MigrationKey, MigrationKey]:
    out: dict[MigrationKey, MigrationKey] = {}
    for key in sorted(project.migrations):
        for target in project.migrations[key].replaces:
            out.setdefault(target, key)
    return out


@dataclass(frozen=True)
class PruneStep:
    """What to run in one source once the finalized code is deployed there (never run by squashkit)."""

    source: str
    command: str
    sql: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "command": self.command, "sql": self.sql}


@dataclass(frozen=True)
class FinalizePlan:
    """The change set of a finalize, the squashes it finalizes, and the prune steps to run afterwards."""

    changes: ChangeSet
    finalized: tuple[MigrationKey, ...]
    prune: tuple[PruneStep, ...] = ()
    refused: tuple[tuple[MigrationKey, str], ...] = field(default=())

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "finalized": [str(k) for k in self.finalized],
            "refused": [{"squash": str(k), "reason": r} for k, r in self.refused],
            "changes": [
                {
                    "path": _relative(c.path, root),
                    "action": "create" if c.old_text is None else "delete" if c.new_text is None else "edit",
                    "reason": c.reason,
                    "migration": str(c.migration) if c.migration else None,
                }
                for c in self.changes.changes
            ],
            "prune": [p.to_dict() for p in self.prune],
        }


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _prune_steps(
    finalized: Sequence[SquashStatus], state: AnyAppliedState, settings: str | None
) -> tuple[PruneStep, ...]:
    by_app: dict[str, list[str]] = {}
    for squash in finalized:
        for key in squash.replaces:
            by_app.setdefault(key.app_label, []).append(key.name)
    if not by_app:
        return ()
    manage = "python manage.py" + (f" --settings {settings}" if settings else "")
    commands = " && ".join(f"{manage} migrate {app} --prune" for app in sorted(by_app))
    steps: list[PruneStep] = []
    for source in _sources_of(state)[0]:
        if source.applied is None:
            continue
        table = f'"{source.schema}".django_migrations' if source.schema else "django_migrations"
        statements = [
            f"DELETE FROM {table} WHERE app = {_sql_literal(app)} AND name IN "
            f"({', '.join(_sql_literal(n) for n in sorted(names))});"
            for app, names in sorted(by_app.items())
        ]
        command = commands
        if source.snapshot:
            env = _env_of(source.label)
            command = f"after pruning the database it was taken from: squashkit history snapshot {env} -o FILE"
        steps.append(PruneStep(source.label, command, "\n".join(statements)))
    return tuple(steps)


def _repointed(deps: Sequence[Dependency], mapping: Mapping[MigrationKey, MigrationKey]) -> list[Dependency] | None:
    """``deps`` with replaced migrations named by their squash (duplicates dropped); None when unchanged."""
    out: list[Dependency] = []
    seen: set[MigrationKey] = set()
    changed = False
    for dep in deps:
        target = mapping.get(dep.key) if dep.form is DependencyForm.EXPLICIT else None
        if target is not None:
            changed = True
            dep = Dependency(target, DependencyForm.EXPLICIT, None, dep.line)
        if dep.form is DependencyForm.EXPLICIT and dep.key in seen:
            changed = True
            continue
        seen.add(dep.key)
        out.append(dep)
    return out if changed else None


def _problem_of(project: Project, key: MigrationKey) -> FileProblem | None:
    return next((p for p in project.problems if p.app_label == key.app_label and p.migration == key.name), None)


def plan_finalize(
    project: Project,
    status: LifecycleStatus,
    state: AnyAppliedState,
    *,
    names: Sequence[MigrationKey] = (),
    settings: str | None = None,
) -> FinalizePlan:
    """The change set finalizing every ready squash (``names``: only those; others are refused with why)."""
    from squashkit.rewrite.changeset import ChangeSet

    root = project.root
    changes = ChangeSet(root)
    refused: list[tuple[MigrationKey, str]] = []
    chosen: list[SquashStatus] = []
    wanted = set(names)
    for squash in status.squashes:
        if wanted and squash.squash not in wanted:
            continue
        reason = ""
        if not squash.ready:
            reason = "not ready: " + "; ".join(squash.blockers)
        elif squash.unported:
            reason = "; ".join(u.describe() for u in squash.unported)
        elif (problem := _problem_of(project, squash.squash)) is not None:
            reason = f"its file cannot be read: {problem.message}"
        if reason:
            refused.append((squash.squash, reason))
            changes = changes.refuse(f"{squash.squash}: {reason}", squash.path, squash.squash)
        else:
            chosen.append(squash)
    mapping: dict[MigrationKey, MigrationKey] = {}
    for squash in chosen:
        for key in squash.replaces:
            mapping[key] = squash.squash
    deleted = {k for k in mapping if k in project.migrations}
    finalized_keys = {s.squash for s in chosen}
    settings_map = dict(project.settings)
    # Rewrites first (one new text per file), then deletions.
    for migration in project.iter_project_migrations():
        if migration.key in deleted:
            continue
        edits: dict[str, list[Dependency]] = {}
        expected: dict[str, list[Dependency]] = {}
        for attribute in ("dependencies", "run_before"):
            current = list(getattr(migration, attribute))
            new = _repointed(current, mapping)
            if new is not None:
                edits[attribute] = new
                expected[attribute] = current
        drop_replaces = migration.key in finalized_keys
        if not edits and not drop_replaces:
            continue
        try:
            old_text = migration.path.read_text(encoding="utf-8")
            text = old_text
            if edits:
                text = rewrite_source(text, edits, settings=settings_map, expected=expected)
            if drop_replaces:
                text = remove_attribute(text, "replaces")
        except (OSError, UnicodeDecodeError, RewriteError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            changes = changes.refuse(f"{migration.key}: cannot rewrite: {reason}", migration.path, migration.key)
            continue
        reasons = []
        for attribute in edits:
            named = [d.key for d in getattr(migration, attribute) if d.key in mapping]
            targets = sorted({str(mapping[k]) for k in named})
            reasons.append(f"{attribute}: {', '.join(map(str, named))} -> {', '.join(targets)}")
        if drop_replaces:
            reasons.append("replaces removed: now a normal migration")
        changes = changes.edit(migration.path, old_text, text, "; ".join(reasons), migration.key)
    for key in sorted(deleted):
        migration = project.migrations[key]
        try:
            old_text = migration.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            changes = changes.refuse(f"{key}: cannot read: {exc}", migration.path, key)
            continue
        changes = changes.delete(migration.path, old_text, f"replaced by {mapping[key]}", key)
    refused_keys = {k for k, _ in refused}
    if any(r.migration not in refused_keys for r in changes.refusals):
        # A file that cannot be rewritten would leave dependents naming deleted migrations: finalize nothing.
        blocked = tuple((s.squash, "a dependent file cannot be rewritten (see refusals)") for s in chosen)
        return FinalizePlan(ChangeSet(root, (), changes.refusals), (), (), (*refused, *blocked))
    return FinalizePlan(changes, tuple(s.squash for s in chosen), _prune_steps(chosen, state, settings), tuple(refused))
