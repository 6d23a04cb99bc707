"""Verify proposals with Django's own machinery before they are offered as safe.

In a subprocess (the ``verify`` action of :mod:`squashkit._django`: Django can be set up once per process,
and the project is imported), with the project's
settings:

1. Django's ``MigrationLoader`` loads the migrations; the original final ``ProjectState`` is recorded;
2. the ``dependencies`` of every rewired migration class are replaced by the proposed ones and Django
   builds its graph again (its ``__first__``/swappable/``replaces`` rules, ``NodeNotFoundError``,
   ``CircularDependencyError``);
3. every migration whose set of ancestors changed is applied (``mutate_state``) on the state of its *new*
   ancestors only, the state is rendered (dangling relations raise), and the models its RunPython code
   reads with ``apps.get_model`` must exist;
4. the final ``ProjectState`` must equal the original (Django's ``ModelState.__eq__``: fields deconstructed,
   options, bases, managers).  On a difference each proposal is tried alone to find the culprits.

A proposal that fails is reported with the reason, never offered.  The same subprocess can also read which
migrations the project's default database has applied (:func:`default_database_state`).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import squashkit.codec as codec
from squashkit.config import discover_settings
from squashkit.deps.propose import Proposal, Verification
from squashkit.deps.references import references
from squashkit.errors import DjangoError, DjangoLoadError, SquashkitError
from squashkit.graph.algorithms import ancestor_bits
from squashkit.graph.model import MigrationKey, Project
from squashkit.proof.schema import Schema, compare_schemas

__all__ = ["VerifyError", "default_database_applied", "default_database_state", "find_settings", "verify"]


#: Above this many (checked migrations x graph nodes), states are not rebuilt per migration: needs are
#: checked against per-app snapshots instead (same Django state_forwards, linear cost).
FULL_CHECK_BUDGET = 250_000


class VerifyError(SquashkitError):
    """The verification subprocess could not run at all."""

    def __init__(self, settings: str, reason: str, action: str = "verify") -> None:
        super().__init__(f"cannot {action} with settings {settings!r}: {reason}", settings=settings, reason=reason)
        self.settings = settings
        self.reason = reason


def find_settings(root: Path, explicit: str | None = None) -> str | None:
    """The settings module: ``explicit``, else ``[tool.squashkit] settings``, else manage.py's default."""
    if explicit:
        return explicit
    return discover_settings(root)


def _run(
    root: Path, settings: str, payload: dict[str, Any], timeout: float | None, action: str = "verify"
) -> dict[str, Any]:
    from squashkit._django import run_action

    name = "applied" if payload.get("applied_only") else "verify"
    try:
        result: dict[str, Any] = run_action(root, settings, name, payload, timeout=timeout)
    except DjangoError as exc:
        if exc.stage == "setup":
            raise DjangoLoadError(settings, exc.reason, path=exc.path, line=exc.line) from exc
        raise VerifyError(settings, exc.reason, action) from exc
    if result.get("error"):
        raise VerifyError(settings, result["error"], action)
    return result


def verify(
    project: Project,
    proposals: Sequence[Proposal],
    *,
    settings: str,
    root: Path | None = None,
    timeout: float | None = None,
    budget: int = FULL_CHECK_BUDGET,
    proof: bool = True,
    timings: dict[str, float] | None = None,
) -> list[Proposal]:
    """Return ``proposals`` with ``verification`` set on every pending one (the others are unchanged).

    ``timings`` (a dict, when given) receives the seconds of each part of the verification: ``load`` (Django
    loads the migrations and builds the state), ``check`` (the rewired graph, the per-migration checks, the
    final state), ``sql`` (each changed migration's SQL under both graphs), ``migrate original`` and
    ``migrate rewired`` (the fresh migrates of the proof), and ``total`` (the whole subprocess, start-up
    included).

    Raises :class:`~squashkit.errors.DjangoLoadError` when Django cannot be set up with ``settings`` and
    :class:`VerifyError` when the subprocess fails.
    """
    root = Path(root or project.root).resolve()
    pending = [p for p in proposals if p.pending]
    if not pending:
        return list(proposals)
    reads = {
        codec.key_text(key): sorted(
            {(n.target.app_label, n.target.model) for n in references(info).needs if n.kind == "state"}
        )
        for key, info in project.migrations.items()
        if project.in_project(key)
    }
    payload = {
        "rewired": {codec.key_text(p.migration): [list(d.key) for d in p.proposed] for p in pending},
        "reads": {k: v for k, v in reads.items() if v},
        "budget": budget,
        "proof": proof,
    }
    import time

    started = time.perf_counter()
    result = _run(root, settings, payload, timeout)
    if timings is not None:
        timings.update(result.get("seconds", {}))
        timings["total"] = time.perf_counter() - started
    failures: dict[str, str] = result["failures"]
    out: list[Proposal] = []
    for proposal in proposals:
        if not proposal.pending:
            out.append(proposal)
            continue
        name = codec.key_text(proposal.migration)
        if name in failures:
            verification = Verification("failed", failures[name])
        elif result.get("graph_error"):
            verification = Verification("failed", f"Django rejects the rewired graph: {result['graph_error']}")
        else:
            how = "applies on" if result.get("mode") == "full" else "its needs hold in each app's state at"
            reason = f"{how} its new ancestors; final state unchanged"
            if result.get("proved"):
                reason += f"; fresh migrate SQL and schema unchanged on {', '.join(result['proved'])}"
            if result.get("sqlmigrate_skipped"):
                reason += f" (sqlmigrate on each migration's ancestors skipped: {result['sqlmigrate_skipped']})"
            for note in result.get("notes", []):
                reason += f"; not proved on {note}"
            verification = Verification("verified", reason)
        out.append(dataclasses.replace(proposal, verification=verification))
    return out


def default_database_state(
    root: Path, settings: str, *, timeout: float | None = None
) -> tuple[frozenset[MigrationKey] | None, str]:
    """Migrations recorded as applied in the project's ``default`` database, and a description of it.

    ``None`` when the database is a SQLite file that does not exist (it is not created): there is no such
    database, which is not the same as one where nothing is applied.
    """
    result = _run(Path(root).resolve(), settings, {"applied_only": True}, timeout, "read applied migrations")
    applied = result["applied"]
    return (None if applied is None else frozenset(MigrationKey(a, n) for a, n in applied)), result["database"]


def default_database_applied(root: Path, settings: str, *, timeout: float | None = None) -> tuple[set, str]:
    """Like :func:`default_database_state`, a missing SQLite file counting as nothing applied."""
    applied, described = default_database_state(root, settings, timeout=timeout)
    return set(applied or ()), described


# -- the subprocess ---------------------------------------------------------------------------------


def _applied(connection: Any) -> tuple[list[list[str]] | None, str]:
    from django.db.migrations.recorder import MigrationRecorder

    params = connection.settings_dict
    described = f"default ({params.get('ENGINE', '').rsplit('.', 1)[-1]} {params.get('NAME')})"
    name = str(params.get("NAME") or "")
    if connection.vendor == "sqlite" and name != ":memory:" and "mode=memory" not in name and not Path(name).exists():
        return None, described
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return [], described
    return sorted([list(k) for k in recorder.applied_migrations()]), described


def _ancestry(graph: Any, position: dict[Any, int] | None = None) -> dict[Any, int]:
    """Ancestor bit-sets of every node of a Django ``MigrationGraph`` (bits: sorted node order, or
    ``position``; nodes without a position propagate their ancestors without a bit of their own)."""
    index = position if position is not None else {key: i for i, key in enumerate(sorted(graph.nodes))}
    parents = {key: [p.key for p in graph.node_map[key].parents] for key in graph.nodes}
    bits = ancestor_bits(parents, index)
    assert bits is not None  # Django's graph was built: it has no cycle
    return bits


def _target(value: Any, app: str, model: str | None) -> str | None:
    """``"app.model"`` (lower-cased) for a relation target written as a string or a model class."""
    if value is None:
        return None
    if not isinstance(value, str):
        meta = getattr(value, "_meta", None)
        return f"{meta.app_label}.{meta.model_name}" if meta is not None else None
    if value == "self":
        return f"{app}.{model}" if model else None
    if "." not in value:
        return f"{app}.{value.lower()}"
    label, _, name = value.rpartition(".")
    return f"{label}.{name.lower()}"


def _field_targets(field: Any, app: str, model: str | None) -> list[tuple[str, str | None]]:
    """``(target, to_field)`` pairs a field needs: its relation target and ``through`` model."""
    remote = getattr(field, "remote_field", None)
    if remote is None:
        return []
    found: list[tuple[str, str | None]] = []
    target = _target(getattr(remote, "model", None), app, model)
    if target:
        to_field = field.deconstruct()[3].get("to_field")
        found.append((target, to_field if isinstance(to_field, str) else None))
    through = _target(getattr(remote, "through", None), app, model)
    if through:
        found.append((through, None))
    return found


def _op_needs(op: Any, app: str) -> tuple[list[tuple[str, str | None, str]], list[str]]:
    """What a Django operation needs to exist (target, to_field, why) and the own models it removes."""
    kind = type(op).__name__
    needs: list[tuple[str, str | None, str]] = []
    removes: list[str] = []
    if kind == "SeparateDatabaseAndState":
        for inner in op.state_operations:
            more, gone = _op_needs(inner, app)
            needs += more
            removes += gone
        return needs, removes
    if kind == "CreateModel":
        model = op.name_lower
        for _name, field in op.fields:
            needs += [(t, f, f"CreateModel {model}") for t, f in _field_targets(field, app, model)]
        for base in op.bases:
            target = _target(base, app, model) if isinstance(base, str) else None
            if target:
                needs.append((target, None, f"CreateModel {model} (base)"))
    elif kind in ("AddField", "AlterField"):
        model = op.model_name_lower
        needs += [(t, f, f"{kind} {model}.{op.name}") for t, f in _field_targets(op.field, app, model)]
    elif kind == "DeleteModel":
        removes.append(f"{app}.{op.name_lower}")
    elif kind == "RenameModel":
        removes.append(f"{app}.{op.old_name_lower}")
    return needs, removes


class _Snapshots:
    """Per app, the state of its own models after each of its migrations, from Django's ``state_forwards``.

    ``at(app, index)`` is ``{model: (field names, relation targets)}`` after the app's ``index``-th migration
    (in the app's own order).  Operations only change their own app's models, so an app's models at a point
    of any apply order are its snapshot at its latest migration applied by then.
    """

    def __init__(self, graph: Any) -> None:
        from django.db.migrations.state import ProjectState

        self.order: dict[str, list[Any]] = {}
        self.snaps: dict[str, list[dict[str, tuple[frozenset[str], frozenset[str]]]]] = {}
        by_app: dict[str, list[Any]] = {}
        for key in graph.nodes:
            by_app.setdefault(key[0], []).append(key)
        for app, keys in by_app.items():
            members = set(keys)
            parents = {k: [p.key for p in graph.node_map[k].parents if p.key in members] for k in keys}
            order: list[Any] = []
            done: set[Any] = set()
            pending = sorted(keys, reverse=True)
            while pending:
                key = pending[-1]
                if key in done:
                    pending.pop()
                    continue
                todo = [p for p in parents[key] if p not in done]
                if todo:
                    pending.extend(sorted(todo, reverse=True))
                    continue
                pending.pop()
                done.add(key)
                order.append(key)
            state = ProjectState()
            snaps = []
            for key in order:
                for op in graph.nodes[key].operations:
                    op.state_forwards(app, state)
                snaps.append(
                    {
                        name: (
                            frozenset(ms.fields),
                            frozenset(t for fname, f in ms.fields.items() for t, _ in _field_targets(f, app, name)),
                        )
                        for (label, name), ms in state.models.items()
                        if label == app
                    }
                )
            self.order[app] = order
            self.snaps[app] = snaps


def _fast_check(graph: Any, keys: list[Any], reads: dict[MigrationKey, list[tuple[str, str]]]) -> dict[Any, str]:
    """Check the needs of ``keys`` against per-app snapshots at their new ancestors (linear in the graph)."""
    snapshots = _Snapshots(graph)
    position: dict[Any, int] = {}
    offsets: dict[str, int] = {}
    offset = 0
    for app in sorted(snapshots.order):
        offsets[app] = offset
        for i, key in enumerate(snapshots.order[app]):
            position[key] = offset + i
        offset += len(snapshots.order[app])
    bits = _ancestry(graph, position)
    failures: dict[Any, str] = {}

    def latest(key: Any, app: str) -> int:
        value = (bits[key] >> offsets[app]) & ((1 << len(snapshots.order[app])) - 1)
        return value.bit_length() - 1

    for key in keys:
        app = key[0]
        needs: list[tuple[str, str | None, str]] = []
        removes: list[str] = []
        for op in graph.nodes[key].operations:
            more, removed = _op_needs(op, app)
            needs += more
            removes += removed
        needs += [(f"{a}.{m.lower()}", None, "RunPython reads it") for a, m in reads.get(MigrationKey(*key), [])]
        problems: list[str] = []
        for target, to_field, why in needs:
            other, _, model = target.partition(".")
            if other == app or other not in snapshots.order:
                continue
            i = latest(key, other)
            models = snapshots.snaps[other][i] if i >= 0 else {}
            if model not in models:
                problems.append(f"{why} needs {target}, which its new ancestors do not provide")
            elif to_field and to_field not in models[model][0]:
                problems.append(f"{why} needs {target}.{to_field}, which its new ancestors do not provide")
        for gone in removes:
            for other in snapshots.order:
                if other == app:
                    continue
                i = latest(key, other)
                if i < 0:
                    continue
                holders = [m for m, (_f, targets) in snapshots.snaps[other][i].items() if gone in targets]
                if holders:
                    problems.append(f"removes {gone} while {other}.{holders[0]} still references it")
        if problems:
            failures[key] = "; ".join(problems)
    return failures


# -- proof on real databases: what migrate does (squashkit.proof's in-process half) ---------------------


def _migrate_capture(tag: str) -> tuple[dict[Any, list[str]], Schema]:
    """Migrate a new empty database (the project's backend family) with the migration classes as they are
    now; the SQL each migration ran (one pass over the plan) and the introspected schema."""
    from squashkit.proof.inprocess import introspect, migrate, scratch_default

    with scratch_default(tag) as connection:
        sql: dict[Any, list[str]] = {}
        migrate(connection, sql=sql)
        return sql, introspect(connection)


#: prefix of a per-migration SQL "difference" that is an error collecting it
_UNCOLLECTED = "cannot be collected: "


@contextlib.contextmanager
def _stable_defaults() -> Iterator[None]:
    """A callable default (``timezone.now``, ``uuid.uuid4``) or ``auto_now``/``auto_now_add`` (existing rows get
    the current time) is still computed each time the schema editor asks for a field's default, but the value
    of its first call for that field is used every time in this process: the SQL of one migration under the
    original and the rewired graph then differs only if the graph changes it, not because the clock moved."""
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

    original = BaseDatabaseSchemaEditor.__dict__["_effective_default"]
    compute = original.__func__ if isinstance(original, staticmethod) else original
    memo: dict[tuple[Any, ...], Any] = {}

    def effective_default(field: Any) -> Any:
        value = compute(field)  # called every time: what a callable default runs (a query) is part of the SQL
        if field.has_default():
            if not callable(field.default):
                return value
            source: object = id(field.default)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            source = "auto_now"  # Django fills existing rows with the current time
        else:
            return value
        model = getattr(field, "model", None)
        label = model._meta.label_lower if model is not None else None
        return memo.setdefault((label, field.name, source), value)

    BaseDatabaseSchemaEditor._effective_default = staticmethod(effective_default)  # type: ignore[method-assign,unused-ignore]
    try:
        yield
    finally:
        BaseDatabaseSchemaEditor._effective_default = original  # type: ignore[method-assign,unused-ignore]


def _sql_at(graph: Any, key: Any, connection: Any, real_apps: Any) -> list[str]:
    """What ``sqlmigrate`` prints for ``key`` in ``graph``: its SQL on the state of its ancestors."""
    state = graph.make_state(nodes=[key], at_end=False, real_apps=real_apps)
    migration = graph.nodes[key]
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(state, editor, collect_sql=True)
    return [" ".join(str(sql).split()) for sql in editor.collected_sql]


def _compare_sql(old: Any, new: Any, keys: list[Any], real_apps: Any) -> dict[Any, str]:
    """Per migration of ``keys``, its SQL under the original and the rewired graph (on a new empty database
    of the project's backend family); the ones that differ, with the first differing statement."""
    from squashkit.proof.inprocess import scratch_default

    differing: dict[Any, str] = {}
    with scratch_default("sql") as connection:
        for key in keys:
            if key not in old.nodes or key not in new.nodes:
                continue
            try:
                before, after = _sql_at(old, key, connection, real_apps), _sql_at(new, key, connection, real_apps)
            except Exception as exc:  # an operation reading the database (a callable default): this key only
                line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                differing[key] = f"{_UNCOLLECTED}{type(exc).__name__}: {line}"[:200]
                continue
            if before != after:
                first = next((b for a, b in zip(before, after, strict=False) if a != b), None)
                first = first or (after[len(before)] if len(after) > len(before) else "(statements missing)")
                differing[key] = first[:160]
    return differing


def _proof(
    vendors: list[str],
    apply: Any,
    rewired: dict[Any, Any],
    related: Any,
    sql_check: Any = None,
    seconds: dict[str, float] | None = None,
) -> tuple[dict[Any, str], list[str]]:
    """Per backend: (a) ``sql_check(vendor, rewired)`` compares the SQL of each migration whose ancestors
    change (as ``sqlmigrate`` prints it) under both graphs; (b) a fresh database is migrated under the
    original and the rewired graph, the SQL each migration ran and the final schema must be identical.
    ``apply(which)`` sets the migration classes' dependencies; ``related(a, b)`` tells whether two migrations
    are ordered in the original graph.  Returns failures by rewired key and notes (backends not used).
    ``seconds`` (when given) accumulates the time of each part: ``sql``, ``migrate original``, ``migrate
    rewired``."""
    import time

    seconds = {} if seconds is None else seconds

    def timed(part: str, started: float) -> None:
        seconds[part] = seconds.get(part, 0.0) + time.perf_counter() - started

    failures: dict[Any, str] = {}
    notes: list[str] = []
    for vendor in vendors:
        if sql_check is not None:
            try:
                started = time.perf_counter()
                differing = sql_check(vendor, rewired)
                timed("sql", started)
            except Exception as exc:  # reported as a failure of the whole set
                differing = {key: f"{type(exc).__name__}: {exc}" for key in rewired}
            for node, statement in sorted(differing.items()):
                culprits = [k for k in rewired if k == node or related(k, node)] or list(rewired)
                if statement.startswith(_UNCOLLECTED):
                    reason = (
                        f"the SQL of {node[0]}.{node[1]} on {vendor} cannot be collected (sqlmigrate), so it cannot "
                        f"be compared: {statement[len(_UNCOLLECTED) :]}"
                    )
                else:
                    reason = f"the SQL of {node[0]}.{node[1]} on {vendor} changes (sqlmigrate): {statement}"
                for key in culprits:
                    failures.setdefault(key, reason)
            if failures:
                continue
        runs = []
        try:
            for tag, which in (("a", {}), ("b", rewired)):
                apply(which)
                started = time.perf_counter()
                runs.append(_migrate_capture(tag))
                timed("migrate original" if tag == "a" else "migrate rewired", started)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            if len(runs) == 0:
                notes.append(
                    f"{vendor}: a new database could not be migrated with the original graph "
                    f"({type(exc).__name__}: {first})"
                )
                continue
            for key in rewired:
                failures.setdefault(key, f"fresh migrate on {vendor} fails: {type(exc).__name__}: {first}")
            continue
        finally:
            apply({})
        (sql_a, schema_a), (sql_b, schema_b) = runs
        differing = sorted(k for k in set(sql_a) | set(sql_b) if sql_a.get(k) != sql_b.get(k))
        for node in differing:
            culprits = [k for k in rewired if k == node or related(k, node)] or list(rewired)
            for key in culprits:
                failures.setdefault(key, f"the SQL of {node[0]}.{node[1]} on {vendor} changes")
        schema = compare_schemas(schema_a, schema_b, ("original", "rewired"))
        if schema:
            for key in rewired:
                failures.setdefault(key, f"a fresh migrate on {vendor} gives another schema: {'; '.join(schema[:3])}")
    return failures, notes


def applied_in_process(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``applied`` action: what the project's ``default`` database has applied (Django set up)."""
    from django.db import connections

    try:
        applied, database = _applied(connections["default"])
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {"error": f"{type(exc).__module__}.{type(exc).__name__}: {first}"}
    return {"applied": applied, "database": database}


def verify_in_process(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``verify`` action (Django set up): see the module docstring."""
    import os
    import time

    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    from squashkit.proof.inprocess import compare_states

    settings = os.environ.get("DJANGO_SETTINGS_MODULE", "")

    started = time.perf_counter()
    seconds: dict[str, float] = {}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    original_state = loader.project_state()
    seconds["load"] = time.perf_counter() - started
    original_graph = loader.graph
    original_ancestors = _ancestry(original_graph)
    original_index = {key: i for i, key in enumerate(sorted(original_graph.nodes))}
    classes = {key: type(m) for key, m in loader.disk_migrations.items()}
    saved = {key: list(cls.dependencies) for key, cls in classes.items()}
    rewired = {codec.key_from_text(k): [tuple(d) for d in v] for k, v in payload["rewired"].items()}
    reads = {codec.key_from_text(k): [tuple(r) for r in v] for k, v in payload["reads"].items()}

    def build(which: dict[MigrationKey, list[tuple[str, str]]]) -> str | None:
        for key, cls in classes.items():
            cls.dependencies = which.get(key, saved[key])
        try:
            loader.build_graph()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    failures: dict[str, str] = {}
    for key in rewired:
        if key not in classes:
            failures[codec.key_text(key)] = (
                f"Django's migration graph has no {key.app_label}.{key.name}: settings {settings!r} do not install "
                f"the app {key.app_label!r} (or its migrations module is elsewhere); nothing was verified"
            )
    rewired = {key: deps for key, deps in rewired.items() if key in classes}
    error = build(rewired)
    if error:
        return {"graph_error": error, "failures": failures}
    graph = loader.graph
    new_ancestors = _ancestry(graph)
    same_nodes = sorted(graph.nodes) == sorted(original_graph.nodes)
    to_check = [
        key
        for key in sorted(graph.nodes)
        if key in rewired or not same_nodes or new_ancestors.get(key) != original_ancestors.get(key)
    ]

    def blame(key: Any, reason: str) -> None:
        before = original_ancestors.get(key, 0)
        culprits = [k for k in rewired if k == key or (k in original_index and before >> original_index[k] & 1)]
        for culprit in culprits or list(rewired):
            failures.setdefault(codec.key_text(culprit), reason)

    mode = "full" if len(to_check) * len(graph.nodes) <= payload.get("budget", FULL_CHECK_BUDGET) else "fast"
    if mode == "fast":
        for key, problem in _fast_check(graph, to_check, reads).items():
            blame(key, f"{key[0]}.{key[1]} does not apply on its new ancestors: {problem}")
    for key in to_check if mode == "full" else ():
        migration = graph.nodes[key]
        try:
            state = graph.make_state(nodes=[key], at_end=False, real_apps=loader.unmigrated_apps)
            state = migration.mutate_state(state, preserve=False)
            state.apps  # noqa: B018 - rendering raises on relations to models that do not exist yet
            missing = [f"{a}.{m}" for a, m in reads.get(MigrationKey(*key), []) if (a, m.lower()) not in state.models]
            if missing:
                raise LookupError(f"RunPython reads {', '.join(missing)}, not in the state of its new ancestors")
        except Exception as exc:
            blame(key, f"{key[0]}.{key[1]} does not apply on its new ancestors: {type(exc).__name__}: {exc}")
    final_state = loader.project_state()
    differing = compare_states(original_state, final_state)
    if differing:
        alone_failed = []
        for key in rewired if len(rewired) <= 50 else ():
            if build({key: rewired[key]}) is None and compare_states(original_state, loader.project_state()):
                alone_failed.append(key)
        reason = f"the final project state differs for {', '.join(differing)}"
        for key in alone_failed or list(rewired):
            failures.setdefault(codec.key_text(key), reason)
    notes: list[str] = []
    unchecked: list[str] = []  # why the sqlmigrate comparison on each migration's own ancestors was skipped
    proved: list[str] = []
    remaining = {k: v for k, v in rewired.items() if codec.key_text(k) not in failures}
    seconds["check"] = time.perf_counter() - started - seconds["load"]
    if payload.get("proof") and remaining:
        vendor = connections["default"].vendor
        vendors = ["postgresql"] if vendor == "postgresql" else ["sqlite"]

        def related(a: Any, b: Any) -> bool:
            ia, ib = original_index.get(a), original_index.get(b)
            return (
                ia is not None
                and ib is not None
                and bool(original_ancestors.get(b, 0) >> ia & 1 or original_ancestors.get(a, 0) >> ib & 1)
            )

        def apply(which: dict[Any, Any]) -> None:
            for key, cls in classes.items():
                cls.dependencies = which.get(key, saved[key])

        def sql_check(vendor: str, which: dict[Any, Any]) -> dict[Any, str]:
            if build(which) is not None:
                return {key: "Django rejects the rewired graph" for key in which}
            new_graph = loader.graph
            new_bits = _ancestry(new_graph)
            changed = [k for k in sorted(new_graph.nodes) if k in which or new_bits.get(k) != original_ancestors.get(k)]
            if len(changed) * len(new_graph.nodes) > payload.get("budget", FULL_CHECK_BUDGET) * 4:
                unchecked.append(f"{len(changed)} changed migrations, graph too large")
                return {}
            return _compare_sql(original_graph, new_graph, changed, loader.unmigrated_apps)

        for _round in range(3):
            with _stable_defaults():
                found, notes = _proof(vendors, apply, remaining, related, sql_check, seconds)
            if not found:
                proved = [v for v in vendors if not any(n.startswith(f"{v}:") for n in notes)]
                break
            for key, reason in found.items():
                failures.setdefault(codec.key_text(key), reason)
                remaining.pop(key, None)
            if not remaining:
                break
    build({})
    return {
        "graph_error": None,
        "failures": failures,
        "mode": mode,
        "checked": len(to_check),
        "proved": proved,
        "notes": notes,
        "sqlmigrate_skipped": unchecked[0] if unchecked else None,
        "seconds": seconds,
    }
