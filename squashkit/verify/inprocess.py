"""The parts of ``squashkit verify`` that run inside the Django subprocess, on a database squashkit created.

Called by the actions of :mod:`squashkit._django.actions.checks`; nothing here runs in the parent process.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from squashkit.proof.inprocess import declared_names, introspect
from squashkit.proof.schema import Schema, Table, compare_schemas

__all__ = ["migrate_and_roll_back", "migrate_schemas", "static_checks"]


def _error(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _makemigrations_changes() -> dict[str, list[Any]]:
    """The changes ``manage.py makemigrations --dry-run`` finds, by the project's own ``makemigrations``
    command: a project may override it (pretix's ignores ``verbose_name``, ``help_text``, ``ordering``...
    before calling Django's), and ``--check`` is whatever that command reports.  The command runs with
    ``dry_run`` and no ``--check``, its ``write_migration_files`` replaced by one that keeps the changes."""
    import io

    from django.core.management import call_command, get_commands, load_command_class

    captured: dict[str, dict[str, list[Any]]] = {"changes": {}}
    command_class = type(load_command_class(get_commands()["makemigrations"], "makemigrations"))

    class Capturing(command_class):  # type: ignore[valid-type, misc]
        def write_migration_files(self, changes: dict[str, list[Any]], *args: Any, **kwargs: Any) -> None:
            captured["changes"] = changes

        def write_to_last_migration_files(self, changes: dict[str, list[Any]]) -> None:
            captured["changes"] = changes

    command = Capturing(stdout=io.StringIO(), stderr=io.StringIO())
    call_command(command, dry_run=True, interactive=False, verbosity=0)
    return captured["changes"]


def static_checks() -> dict[str, Any]:
    """Graph errors, conflicts, and the changes ``makemigrations --check --dry-run`` would write."""
    from django.db.migrations.loader import MigrationLoader

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
        changes = _makemigrations_changes()
    except (Exception, SystemExit) as exc:
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
    """Runs Django's executor as ``migrate`` does: one executor, its graph (and the applied rows) read again
    after each migrate; ``on_apply(key, done)`` is called before and after each migration it applies."""

    def __init__(self, connection: Any) -> None:
        from django.db.migrations.executor import MigrationExecutor

        self.connection = connection
        self.timings: list[list[Any]] = []
        self.recording = True
        self.plan: list[list[Any]] = []
        self.on_apply: Callable[[tuple[str, str], bool], None] | None = None
        self._started: list[float] = []
        self.executor = MigrationExecutor(connection, self._progress)
        self._stale = False
        self._declared: set[str] | None = None

    def _progress(self, event: str, migration: Any = None, fake: bool = False) -> None:
        if event == "apply_start" and self.on_apply is not None:
            self.on_apply((migration.app_label, migration.name), False)
        if event in ("apply_start", "unapply_start"):
            self._started.append(time.perf_counter())
        elif event in ("apply_success", "unapply_success"):
            seconds = time.perf_counter() - self._started.pop()
            if self.recording and event == "apply_success":
                self.timings.append([migration.app_label, migration.name, seconds])
        if event == "apply_success" and self.on_apply is not None:
            self.on_apply((migration.app_label, migration.name), True)

    def declared_names(self) -> set[str]:
        """The names of every ``Meta.indexes`` and ``Meta.constraints`` entry in the migration state at the end
        of the graph (read once, when first asked)."""
        if self._declared is None:
            self._declared = declared_names(self.executor.loader.project_state())
        return self._declared

    @property
    def graph(self) -> Any:
        if self._stale:
            self.executor.loader.build_graph()  # the applied rows anew, as migrate does after migrating
            self._stale = False
        return self.executor.loader.graph

    def migrate(
        self,
        targets: list[Any] | None = None,
        keys: list[tuple[str, str]] | None = None,
        backwards: bool = False,
    ) -> list[Any]:
        """Migrate to ``targets`` (default every leaf) or apply (``backwards``: unapply, in reverse order)
        exactly ``keys``; returns the plan's keys."""
        graph = self.graph
        if keys is not None:
            ordered = list(reversed(keys)) if backwards else list(keys)
            plan = [(graph.nodes[k], backwards) for k in ordered]
            targets = list(keys)
        else:
            targets = graph.leaf_nodes() if targets is None else targets
            plan = self.executor.migration_plan(targets)
        self._started.clear()
        self.plan = [[m.app_label, m.name, b] for m, b in plan]
        if plan:
            self._stale = True
            if all(b for _, b in plan):
                self._unapply(plan, graph)
            else:
                self.executor.migrate(targets, plan=plan)
        return self.plan

    def _unapply(self, plan: list[Any], graph: Any) -> None:
        """``executor.migrate`` for a backwards plan, with the migrations to unapply last in the full plan.

        Django computes the state before each migration to unapply by walking its full plan, with every model
        rendered from the first of them on; on a graph of thousands of migrations where that one comes early
        (a leaf of the first app), the rendered walk over the rest costs minutes.  The migrations unapplied are
        closed under their applied dependents (a backwards plan, or leaves), so moving them to the end keeps a
        valid order; the state before each is then built from every other applied migration (the database as
        it is) without rendering, and only they are walked rendered."""
        executor = self.executor
        executor.recorder.ensure_schema()
        going = {m for m, _ in plan}
        full = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
        full = [p for p in full if p[0] not in going] + [p for p in full if p[0] in going]
        executor._migrate_all_backwards(plan, full, fake=False)
        executor.check_replacements()


def _fingerprint(connection: Any) -> dict[str, Any] | None:
    """Per table, a cheap signature that changes whenever :func:`~squashkit.proof.inprocess.introspect` would
    read the table differently (its definition, indexes, constraints), in one query; ``None`` for a vendor
    without one (every read is then a full introspection)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The CREATE statements: columns (type, NULL, default) and inline constraints in the table's,
            # each index in its own row (tbl_name is the table's).
            cursor.execute("SELECT tbl_name, type, name, sql FROM sqlite_master")
            found: dict[str, list[Any]] = {}
            for table, *row in cursor.fetchall():
                found.setdefault(table, []).append(tuple(row))
            return {table: tuple(sorted(rows, key=repr)) for table, rows in found.items()}
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT c.relname,
                    (SELECT string_agg(concat_ws(':', a.attname, format_type(a.atttypid, a.atttypmod),
                                                 a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity,
                                                 a.attgenerated), ',' ORDER BY a.attnum)
                     FROM pg_attribute a
                     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                    (SELECT string_agg(concat_ws(':', n.conname, n.contype, pg_get_constraintdef(n.oid)), ','
                                       ORDER BY n.conname)
                     FROM pg_constraint n WHERE n.conrelid = c.oid),
                    (SELECT string_agg(pg_get_indexdef(i.indexrelid), ',' ORDER BY i.indexrelid::regclass::text)
                     FROM pg_index i WHERE i.indrelid = c.oid)
                FROM pg_class c
                WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND pg_table_is_visible(c.oid)
                """
            )
            return {table: tuple(rest) for table, *rest in cursor.fetchall()}
    return None


class _Schemas:
    """The database's schema as last read: a read introspects again only the tables whose fingerprint changed
    since (all of them for a vendor without fingerprints), so reading after each step stays cheap on a
    project with a thousand tables."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.fingerprint = _fingerprint(connection)
        self.schema = introspect(connection)

    def read(self) -> Schema:
        fingerprint = _fingerprint(self.connection)
        if fingerprint is None or self.fingerprint is None:
            self.schema = introspect(self.connection)
            return self.schema
        old = self.fingerprint
        changed = {n for n in fingerprint.keys() | old.keys() if fingerprint.get(n) != old.get(n)}
        if changed:
            fresh = introspect(self.connection, changed)
            tables = [t for t in self.schema.tables if t.name not in changed] + list(fresh.tables)
            self.schema = Schema(self.schema.vendor, tuple(sorted(tables, key=lambda t: t.name)))
        self.fingerprint = fingerprint
        return self.schema

    def saved(self) -> tuple[dict[str, Any] | None, Schema]:
        return self.fingerprint, self.schema

    def restore(self, saved: tuple[dict[str, Any] | None, Schema]) -> None:
        self.fingerprint, self.schema = saved


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


def sqlite_affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (the rules of section 3.1 of SQLite's "Datatypes"
    page, in their order): what SQLite stores, whatever the name says."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in upper or not upper.strip():
        return "BLOB"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _same_storage(expected: Schema, actual: Schema) -> Schema:
    """``actual`` with each SQLite column whose declared type changed within one affinity given the type it
    has in ``expected`` (see :func:`_differences`)."""
    tables = []
    for table in actual.tables:
        before = expected.table(table.name)
        columns = []
        for column in table.columns:
            was = before.column(column.name) if before is not None else None
            if was is not None and sqlite_affinity(was.type) == sqlite_affinity(column.type):
                column = replace(column, type=was.type)
            columns.append(column)
        tables.append(replace(table, columns=tuple(columns)))
    return Schema(actual.vendor, tuple(tables))


def _same_generated_names(expected: Schema, actual: Schema, declared: set[str]) -> Schema:
    """``actual`` with each constraint or index whose name no model state declares renamed as its twin in
    ``expected`` (same kind, columns, target and definition, also with a name nobody declares)."""
    tables = []
    for table in actual.tables:
        before = expected.table(table.name)
        if before is None:
            tables.append(table)
            continue
        mine = {c.name for c in table.constraints}
        theirs = {c.name for c in before.constraints}
        free = [c for c in before.constraints if c.name not in declared and c.name not in mine]
        constraints = []
        for constraint in table.constraints:
            if constraint.name not in declared and constraint.name not in theirs:
                shape = (constraint.kind, constraint.columns, constraint.target, constraint.definition)
                twin = next((c for c in free if (c.kind, c.columns, c.target, c.definition) == shape), None)
                if twin is not None:
                    free.remove(twin)
                    constraint = replace(constraint, name=twin.name)
            constraints.append(constraint)
        tables.append(replace(table, constraints=tuple(sorted(constraints, key=lambda c: c.name))))
    return Schema(actual.vendor, tuple(tables))


def _differences(
    expected: Schema,
    actual: Schema,
    labels: tuple[str, str] = ("first", "second"),
    declared: Callable[[], set[str]] | None = None,
) -> list[str]:
    """:func:`compare_schemas` of the comparable parts (:func:`_comparable`), less two things Django's own
    migrate changes whichever way it goes:

    * on SQLite, a column whose declared type changed within one affinity (``integer`` to ``bigint``): a table
      rebuild declares each foreign key column with its target's primary-key type in the migration state, so
      rolling back and migrating again rewrites ``integer`` columns of a key made before an ``AutoField``
      became a ``BigAutoField`` as ``bigint`` (pretix: Django's own ``migrate app zero`` then ``migrate``
      does the same), and SQLite stores both alike;
    * a constraint or index renamed, when no model state declares either name (``declared()``: the names of
      ``Meta.indexes`` and ``Meta.constraints``): Django names what it generates after the operation that
      makes it, so rolling back pretix's ``badges.0003_bigint`` (a key made ``BigAutoField``) recreates the
      foreign key ``..._fk_badges_badgelayout_id`` as ``..._fk``.  A declared name must come back as it was."""
    if actual.vendor == "sqlite":
        actual = _same_storage(expected, actual)
    found = compare_schemas(_comparable(expected), _comparable(actual), labels)
    if found and declared is not None and actual.vendor != "sqlite":
        actual = _same_generated_names(expected, actual, declared())
        found = compare_schemas(_comparable(expected), _comparable(actual), labels)
    return found


@contextmanager
def _isolated(connection: Any) -> Iterator[Callable[[], None]]:
    """Run a batch so that the database can be put back as it was: on SQLite a copy in memory (the sqlite3
    backup API) written back by the function yielded; on PostgreSQL (transactional DDL) one transaction,
    rolled back at the end whatever happened, with constraints checked at each statement (never later than a
    migration on its own would check them)."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        copy = sqlite3.connect(":memory:")
        try:
            connection.connection.backup(copy)
            yield lambda: copy.backup(connection.connection)
        finally:
            copy.close()
    elif connection.vendor == "postgresql":
        from django.db import transaction

        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            try:
                yield lambda: None
            finally:
                transaction.set_rollback(True, using=connection.alias)
    else:
        raise ValueError(f"no way to put a {connection.vendor} database back")


def _irreversible(migration: Any) -> bool:
    """Whether unapplying ``migration`` raises Django's ``IrreversibleError`` (an operation whose
    ``reversible`` is false: ``RunPython`` without ``reverse_code``, ``RunSQL`` without ``reverse_sql``, ...)."""
    return any(not op.reversible for op in migration.operations)


def _batch(migrator: _Migrator, schemas: _Schemas, batch: list[tuple[str, str]], head: Schema) -> bool:
    """Roll back every migration of ``batch`` (leaves of the graph, applied last) in one executor call,
    compare with ``head`` (the schema they were applied on), migrate them again in one call, compare with the
    migrated schema.  True when both schemas are identical and nothing failed: each one rolled back alone
    would have shown nothing either.  The database is put back as it was when it returns False."""
    if migrator.connection.vendor not in ("sqlite", "postgresql"):
        return False

    def check(migrated: Schema) -> bool:
        migrator.migrate(keys=batch, backwards=True)
        if _differences(head, schemas.read(), declared=migrator.declared_names):
            return False
        migrator.migrate(keys=batch)
        return not _differences(migrated, schemas.read(), declared=migrator.declared_names)

    return _attempt(migrator, schemas, check)


def _attempt(migrator: _Migrator, schemas: _Schemas, check: Callable[[Schema], bool]) -> bool:
    """Run ``check(migrated schema)`` (it migrates and compares) so that its work can be undone: True when it
    passed; otherwise (False or an error) the database and the tracked schema are put back as they were."""
    saved = schemas.saved()
    with _isolated(migrator.connection) as restore:
        try:
            passed = check(saved[1])
        except Exception:
            passed = False
        if not passed:
            restore()
    schemas.restore(saved)
    return passed


def _batch_dependents(
    migrator: _Migrator, schemas: _Schemas, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Migrations whose rollback is more than themselves (other migrations depend on them) and irreversible
    leaves, checked together; returns the record of each one checked, as :func:`_roll_back_one` would write
    it, or ``{}`` (the database put back as it was) when they are to be checked alone.

    Each one's own check is Django's backwards plan to its parents in its app (its dependents in every app
    unapplied with it), then forward again.  Django unapplies that plan in order and stops at the first
    migration that has an irreversible operation (``IrreversibleError``), after unapplying what comes before
    it.  Here the union of those parts (each whole plan, or the part before its first irreversible migration)
    is unapplied in one call, in the reverse of the full plan's order (each part is closed under its
    dependents, so the union is too), then everything is migrated forward in one call, and the schema must
    equal the migrated one.  Each one's own part is inside the union, so when nothing fails and the schema
    matches, each alone would have shown nothing but its irreversible migration, which is known before
    running (``Operation.reversible``) and reported with the same message Django's error has.  (A plan to all
    their parents at once is not a rollback when one's parent lies in another's plan: on the generated
    100x50 project 10 of 15 do; and there every one of them reaches an irreversible ``RunPython``.)"""
    if migrator.connection.vendor not in ("sqlite", "postgresql"):
        return {}
    graph = migrator.graph
    executor = migrator.executor
    records: dict[tuple[str, str], dict[str, Any]] = {}
    going: set[tuple[str, str]] = set()
    for key in keys:
        targets = [p.key for p in graph.node_map[key].parents if p.key[0] == key[0]] or [(key[0], None)]
        plan = executor.migration_plan(targets)
        if not plan or not all(backwards for _, backwards in plan):
            continue
        record: dict[str, Any] = {"key": list(key), "unapplied": [[m.app_label, m.name] for m, _ in plan]}
        record.update(error=None, irreversible=False, rollback_diff=[], forward_diff=[])
        for migration, _ in plan:
            operation = next((op for op in migration.operations if not op.reversible), None)
            if operation is not None:
                record.update(irreversible=True, culprit=[migration.app_label, migration.name])
                record["error"] = f"IrreversibleError: Operation {operation} in {migration} is not reversible"
                break
            going.add((migration.app_label, migration.name))
        records[key] = record
    if len(records) < 2:
        return {}
    if not going:
        return records
    full = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
    union = [(m.app_label, m.name) for m, _ in full if (m.app_label, m.name) in going]

    def check(migrated: Schema) -> bool:
        migrator.migrate(keys=union, backwards=True)
        migrator.migrate()
        return not _differences(migrated, schemas.read(), declared=migrator.declared_names)

    return records if _attempt(migrator, schemas, check) else {}


def _roll_back_one(
    migrator: _Migrator,
    schemas: _Schemas,
    key: tuple[str, str],
    deltas: dict[tuple[str, str], tuple[Schema, Schema]],
) -> tuple[dict[str, Any], bool]:
    """Today's check of one migration: back one step (to its parents in its app), the schema compared with the
    one it was applied on (a leaf applied last: ``deltas``), forward again, compared with the migrated schema.
    Returns the record and whether the database is still usable."""
    record: dict[str, Any] = {"key": list(key), "unapplied": [], "error": None, "irreversible": False}
    record.update(rollback_diff=[], forward_diff=[])
    started = time.perf_counter()
    migrated = schemas.schema
    node = migrator.graph.node_map[key]
    parents = [p.key for p in node.parents if p.key[0] == key[0]]
    targets = parents or [(key[0], None)]
    try:
        migrator.migrate(targets=targets)
        record["unapplied"] = [[a, n] for a, n, _ in migrator.plan]
        if key in deltas and record["unapplied"] == [list(key)]:
            rolled_back = schemas.read()
            expected = _expected(*deltas[key], migrated)
            record["rollback_diff"] = _differences(
                expected, rolled_back, ("before applying", "after rollback"), migrator.declared_names
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
        again = schemas.read()  # later checks compare with what is there now, not with a loss already reported
        record["forward_diff"] = _differences(
            migrated, again, ("migrated", "after rollback and migrate"), migrator.declared_names
        )
    except Exception as exc:
        record["error"] = (record["error"] + "; then " if record["error"] else "") + _error(exc)
        record["seconds"] = time.perf_counter() - started
        return record, False  # the database is in an unknown state: later rollbacks would prove nothing
    record["seconds"] = time.perf_counter() - started
    return record, True


def migrate_and_roll_back(connection: Any, rollback: list[tuple[str, str]]) -> dict[str, Any]:
    """A fresh migrate (timed), then for each migration of ``rollback``: back one step, forward again.

    Rollback targets that are leaves of the graph are applied last, with the schema read before and after
    each: the schema after rolling one back must equal the schema before it was applied (tables it did not
    touch as they are at the end).  After going forward again the schema must equal the migrated one.

    The reversible leaves are first checked together (all rolled back in one executor call, then forward in
    one): when the schemas match, each alone would have matched; when anything differs or fails the database
    is put back and each is checked alone, so the findings are those of one-by-one checks.  Migrations with
    dependents and irreversible leaves are checked together the same way (:func:`_batch_dependents`, which
    also names the irreversible migration each one's rollback stops at), and alone when that fails.
    ``batch`` in the result: how many were checked together.
    """
    migrator = _Migrator(connection)
    graph = migrator.graph
    selected = [k for k in rollback if k in graph.nodes]
    tail = [k for k in selected if not graph.node_map[k].children]
    out: dict[str, Any] = {"timings": migrator.timings, "error": None, "rollbacks": [], "tables": 0, "batch": 0}
    deltas: dict[tuple[str, str], tuple[Schema, Schema]] = {}
    try:
        full = migrator.executor.migration_plan(graph.leaf_nodes(), clean_start=True)
        migrator.migrate(keys=[(m.app_label, m.name) for m, _ in full if (m.app_label, m.name) not in tail])
        # Read once in full before the leaves (Django applies a plan in the graph's order, so they get their
        # own call), then only the tables each leaf changes.
        schemas = _Schemas(connection)
        head = schemas.schema

        def on_apply(key: tuple[str, str], done: bool) -> None:
            if done:
                deltas[key] = (before.pop(), schemas.read())
            else:
                before.append(schemas.schema)

        before: list[Schema] = []
        migrator.on_apply = on_apply
        migrator.migrate(keys=tail)
        migrator.on_apply = None
        migrator.recording = False
    except Exception as exc:
        out["error"] = _error(exc)
        return out
    out["tables"] = len(schemas.schema.tables)
    batch = [k for k in tail if k in deltas and not _irreversible(graph.nodes[k])]
    together: dict[tuple[str, str], dict[str, Any]] = {}
    if len(batch) > 1:
        started = time.perf_counter()
        if _batch(migrator, schemas, batch, head):
            seconds = (time.perf_counter() - started) / len(batch)
            for key in batch:
                together[key] = {"key": list(key), "unapplied": [list(key)], "error": None, "irreversible": False}
                together[key].update(rollback_diff=[], forward_diff=[], seconds=seconds)
    rest = [k for k in selected if k not in batch]
    if len(rest) > 1:
        started = time.perf_counter()
        records = _batch_dependents(migrator, schemas, rest)
        seconds = (time.perf_counter() - started) / max(len(records), 1)
        for key, record in records.items():
            together[key] = {**record, "seconds": seconds}
    out["batch"] = len(together)
    for key in selected:
        if key in together:
            out["rollbacks"].append(together[key])
            continue
        record, usable = _roll_back_one(migrator, schemas, key, deltas)
        out["rollbacks"].append(record)
        if not usable:
            break
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
