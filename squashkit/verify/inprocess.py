"""The parts of ``squashkit verify`` that run inside the Django subprocess, on a database squashkit created.

Called by the actions of :mod:`squashkit._django.actions.checks`; nothing here runs in the parent process.
"""

from __future__ import annotations

import re
import time
from typing import Any

from squashkit.proof.inprocess import introspect
from squashkit.proof.schema import Schema, Table, compare_schemas

__all__ = ["migrate_and_roll_back", "migrate_schemas", "static_checks"]


def _error(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def static_checks() -> dict[str, Any]:
    """Graph errors, conflicts, and the changes ``makemigrations --check --dry-run`` would write."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState

    out: dict[str, Any] = {"graph_error": None, "conflicts": {}, "changes": [], "changes_error": None}
    try:
        loader = MigrationLoader(None, ignore_no_migrations=True)
    except Exception as exc:
        out["graph_error"] = _error(exc)
        return out
    out["conflicts"] = {app: sorted(names) for app, names in sorted(loader.detect_conflicts().items())}
    if out["conflicts"]:
        return out  # makemigrations stops on conflicts too
    try:
        questioner = NonInteractiveMigrationQuestioner(specified_apps=set(), dry_run=True)
        autodetector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps), questioner)
        changes = autodetector.changes(graph=loader.graph)
    except Exception as exc:
        out["changes_error"] = _error(exc)
        return out
    for app, migrations in sorted(changes.items()):
        for migration in migrations:
            operations = []
            for op in migration.operations:
                model = getattr(op, "model_name", None) or getattr(op, "name", None)
                operations.append([op.describe(), str(model).lower() if model else None])
            out["changes"].append([app, migration.name, operations])
    return out


class _Migrator:
    """Runs Django's executor as ``migrate`` does (a new executor per step: it reads the applied rows anew)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.timings: list[list[Any]] = []
        self.recording = True
        self.plan: list[list[Any]] = []
        self._started: list[float] = []

    def _progress(self, event: str, migration: Any = None, fake: bool = False) -> None:
        if event in ("apply_start", "unapply_start"):
            self._started.append(time.perf_counter())
        elif event in ("apply_success", "unapply_success"):
            seconds = time.perf_counter() - self._started.pop()
            if self.recording and event == "apply_success":
                self.timings.append([migration.app_label, migration.name, seconds])

    def executor(self) -> Any:
        from django.db.migrations.executor import MigrationExecutor

        return MigrationExecutor(self.connection, self._progress)

    def migrate(self, targets: list[Any] | None = None, keys: list[tuple[str, str]] | None = None) -> list[Any]:
        """Migrate to ``targets`` (default every leaf) or apply exactly ``keys``; returns the plan's keys."""
        executor = self.executor()
        graph = executor.loader.graph
        if keys is not None:
            plan = [(graph.nodes[k], False) for k in keys]
            targets = list(keys)
        else:
            targets = graph.leaf_nodes() if targets is None else targets
            plan = executor.migration_plan(targets)
        self._started.clear()
        self.plan = [[m.app_label, m.name, backwards] for m, backwards in plan]
        if plan:
            executor.migrate(targets, plan=plan)
        return self.plan


def _expected(before: Schema, after: Schema, final: Schema) -> Schema:
    """``final`` with every table a migration touched (``before`` -> ``after``) as it was ``before`` it."""
    touched = {t.name for t in before.tables if after.table(t.name) != t} | {
        t.name for t in after.tables if before.table(t.name) is None
    }
    tables = [t for t in final.tables if t.name not in touched]
    tables += [t for t in before.tables if t.name in touched]
    return Schema(final.vendor, tuple(sorted(tables, key=lambda t: t.name)))


#: Django's IrreversibleError: "Operation <...> in app.0002_name is not reversible".
_IRREVERSIBLE_IN = re.compile(r" in ([A-Za-z_][\w]*\.[\w]+) is not reversible$")


def _comparable(schema: Schema) -> Schema:
    """What a rollback check compares: everything on PostgreSQL; tables and columns on SQLite, whose table
    rebuilds (Django's ``_remake_table``) drop indexes and constraints the migration state does not know (an
    index made by ``RunSQL``) whichever way a migration runs."""
    if schema.vendor != "sqlite":
        return schema
    return Schema(schema.vendor, tuple(Table(t.name, t.columns) for t in schema.tables))


def migrate_and_roll_back(connection: Any, rollback: list[tuple[str, str]]) -> dict[str, Any]:
    """A fresh migrate (timed), then for each migration of ``rollback``: back one step, forward again.

    Rollback targets that are leaves of the graph are applied last, one by one, with the schema read before
    and after each: the schema after rolling one back must equal the schema before it was applied (tables it
    did not touch as they are at the end).  After going forward again the schema must equal the migrated one.
    """
    migrator = _Migrator(connection)
    graph = migrator.executor().loader.graph
    selected = [k for k in rollback if k in graph.nodes]
    tail = [k for k in selected if not graph.node_map[k].children]
    out: dict[str, Any] = {"timings": migrator.timings, "error": None, "rollbacks": [], "tables": 0}
    try:
        full = migrator.executor().migration_plan(graph.leaf_nodes(), clean_start=True)
        head = [(m.app_label, m.name) for m, _ in full if (m.app_label, m.name) not in tail]
        migrator.migrate(keys=head)
        deltas: dict[tuple[str, str], tuple[Schema, Schema]] = {}
        before = introspect(connection)
        for key in tail:
            migrator.migrate(keys=[key])
            after = introspect(connection)
            deltas[key] = (before, after)
            before = after
        migrated = before
        migrator.recording = False
    except Exception as exc:
        out["error"] = _error(exc)
        return out
    out["tables"] = len(migrated.tables)
    for key in selected:
        record: dict[str, Any] = {"key": list(key), "unapplied": [], "error": None, "irreversible": False}
        record.update(rollback_diff=[], forward_diff=[])
        out["rollbacks"].append(record)
        started = time.perf_counter()
        node = graph.node_map[key]
        parents = [p.key for p in node.parents if p.key[0] == key[0]]
        targets = parents or [(key[0], None)]
        try:
            migrator.migrate(targets=targets)
            record["unapplied"] = [[a, n] for a, n, _ in migrator.plan]
            rolled_back = introspect(connection)
            if key in deltas and record["unapplied"] == [list(key)]:
                expected = _expected(*deltas[key], migrated)
                record["rollback_diff"] = compare_schemas(
                    _comparable(expected), _comparable(rolled_back), ("before applying", "after rollback")
                )
        except Exception as exc:
            from django.db.migrations.exceptions import IrreversibleError

            record["unapplied"] = [[a, n] for a, n, _ in migrator.plan]
            record["irreversible"] = isinstance(exc, IrreversibleError)
            record["error"] = _error(exc)
            if record["irreversible"]:
                found = _IRREVERSIBLE_IN.search(str(exc))
                record["culprit"] = found.group(1).split(".", 1) if found else None
        try:
            migrator.migrate()
            again = introspect(connection)
            record["forward_diff"] = compare_schemas(
                _comparable(migrated), _comparable(again), ("migrated", "after rollback and migrate")
            )
            migrated = again  # later checks compare with what is there now, not with a loss already reported
        except Exception as exc:
            record["error"] = (record["error"] + "; then " if record["error"] else "") + _error(exc)
            record["seconds"] = time.perf_counter() - started
            break  # the database is in an unknown state: later rollbacks would prove nothing
        record["seconds"] = time.perf_counter() - started
    return out


def migrate_schemas(connection: Any, count: int) -> dict[str, Any]:
    """The fresh migrate in ``count`` new PostgreSQL schemas of this (temporary) database, one after another."""
    if connection.vendor != "postgresql":
        return {"error": "throwaway schemas need PostgreSQL", "seconds": []}
    names = [f"squashkit_tenant_{i}" for i in range(count)]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    seconds: list[float] = []
    for name in names:
        connection.close()
        options = connection.settings_dict.setdefault("OPTIONS", {})
        options["options"] = f"-c search_path={name}"
        started = time.perf_counter()
        try:
            _Migrator(connection).migrate()
        except Exception as exc:
            return {"error": f"schema {name}: {_error(exc)}", "seconds": seconds}
        seconds.append(time.perf_counter() - started)
    return {"error": None, "seconds": seconds}
