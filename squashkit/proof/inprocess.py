"""The parts of the proofs that run inside the Django subprocess (after ``django.setup()``, on a temporary
database): migrate with timings, introspect, collect per-migration SQL, compare project states.

Nothing here is imported by the parent process; the actions in :mod:`squashkit._django.actions.proof` call it.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from squashkit.proof.schema import Column, Constraint, Schema, Table

_GENERATED_NAME = re.compile(r"^(fk_\d+|__unnamed_constraint_\d+__|__primary__|sqlite_autoindex_.*)$")

__all__ = [
    "collect_sql",
    "compare_states",
    "declared_names",
    "introspect",
    "migrate",
    "scratch_default",
    "state_signature",
]


def _columns(connection: Any, cursor: Any, table: str) -> tuple[Column, ...]:
    if connection.vendor == "sqlite":
        cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(table)})")
        return tuple(
            Column(name, str(type_), not notnull, None if default is None else str(default))
            for _cid, name, type_, notnull, default, _pk in cursor.fetchall()
        )
    if connection.vendor == "postgresql":
        cursor.execute(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.oid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """,
            [connection.ops.quote_name(table)],
        )
        columns = []
        for name, type_, null, default, identity, generated in cursor.fetchall():
            if identity:
                type_ += " GENERATED " + ("ALWAYS" if identity == "a" else "BY DEFAULT") + " AS IDENTITY"
            if generated:
                type_ += " GENERATED ALWAYS AS STORED"
            columns.append(Column(name, type_, bool(null), default))
        return tuple(columns)
    return tuple(
        Column(info.name, str(info.type_code), bool(info.null_ok), getattr(info, "default", None))
        for info in connection.introspection.get_table_description(cursor, table)
    )


def _check_definitions(connection: Any, cursor: Any, table: str) -> dict[str, str]:
    if connection.vendor != "postgresql":
        return {}
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
        [connection.ops.quote_name(table)],
    )
    return dict(cursor.fetchall())


def _constraints(connection: Any, cursor: Any, table: str) -> tuple[Constraint, ...]:
    checks = _check_definitions(connection, cursor, table)
    found = []
    for name, info in connection.introspection.get_constraints(cursor, table).items():
        columns = tuple(c for c in info.get("columns") or () if c is not None)
        target = None
        definition = None
        if info.get("primary_key"):
            kind = "primary key"
        elif info.get("foreign_key"):
            kind = "foreign key"
            target = (str(info["foreign_key"][0]), str(info["foreign_key"][1]))
        elif info.get("check"):
            kind = "check"
            definition = checks.get(name)
        elif info.get("unique"):
            kind = "unique"
        else:
            kind = "index"
            definition = info.get("definition") or info.get("type")
            orders = [o for o in info.get("orders") or () if o]
            if orders and any(o != "ASC" for o in orders) and connection.vendor != "postgresql":
                definition = f"{definition} {' '.join(orders)}"
        name = str(name)
        if connection.vendor == "sqlite" and _GENERATED_NAME.match(name):
            # SQLite's introspection numbers unnamed constraints in table order (fk_0, __unnamed_constraint_1__);
            # a rebuilt table may list them in another order: name them by what they are instead.
            name = f"{kind} ({', '.join(columns)})" + (f" -> {target[0]}.{target[1]}" if target else "")
        found.append(Constraint(name, kind, columns, target, str(definition) if definition else None))
    return tuple(sorted(found, key=lambda c: c.name))


def declared_names(state: Any) -> set[str]:
    """Names the models of a migration state declare (``Meta.indexes`` / ``Meta.constraints``): the only
    constraint and index names worth comparing.

    Other names are generated, and how depends on the operations that made them, not on the schema: PostgreSQL
    names a column check written inline in ``CREATE TABLE`` ``<table>_<column>_check`` while Django's
    ``AlterField`` adds ``<table>_<column>_<hash>_check``, and a foreign key Django recreates after altering its
    target's key is named ``..._fk`` where ``CREATE TABLE`` named it ``..._fk_<table>_<column>``; Django itself
    finds such constraints by columns.
    """
    names: set[str] = set()
    for model in state.models.values():
        for option in ("indexes", "constraints"):
            names |= {getattr(item, "name", None) or "" for item in model.options.get(option, [])}
    return names - {""}


def introspect(connection: Any, only: Collection[str] | None = None) -> Schema:
    """The schema of ``connection``'s database (its tables, not views); with ``only``, of those of its tables
    whose name is in ``only``."""
    with connection.cursor() as cursor:
        names = sorted(
            t.name
            for t in connection.introspection.get_table_list(cursor)
            if t.type == "t" and (only is None or t.name in only)
        )
        tables = tuple(
            Table(name, _columns(connection, cursor, name), _constraints(connection, cursor, name)) for name in names
        )
    return Schema(connection.vendor, tables)


def migrate(
    connection: Any,
    targets: Iterable[tuple[str, str | None]] | None = None,
    *,
    sql: dict[tuple[str, str], list[str]] | None = None,
) -> list[tuple[str, str, float]]:
    """Migrate ``connection``'s database to ``targets`` (default: every leaf) as ``migrate`` does.

    Returns ``(app, name, seconds)`` per migration applied or unapplied, in order.  With ``sql`` (a dict),
    the statements each migration executed are collected into it, whitespace-normalised, in the same pass
    (the ``django_migrations`` bookkeeping left out).
    """
    from django.db.migrations.executor import MigrationExecutor

    timings: list[tuple[str, str, float]] = []
    started: list[float] = []
    current: list[tuple[str, str] | None] = [None]

    def progress(event: str, migration: Any = None, fake: bool = False) -> None:
        if event in ("apply_start", "unapply_start"):
            started.append(time.perf_counter())
            key = (migration.app_label, migration.name)
            current[0] = key
            if sql is not None:
                sql[key] = []
        elif event in ("apply_success", "unapply_success"):
            timings.append((migration.app_label, migration.name, time.perf_counter() - started.pop()))
            current[0] = None

    def capture(execute: Any, statement: Any, params: Any, many: bool, context: Any) -> Any:
        key = current[0]
        if sql is not None and key is not None and "django_migrations" not in str(statement):
            sql[key].append(" ".join(str(statement).split()))
        return execute(statement, params, many, context)

    executor = MigrationExecutor(connection, progress)
    wanted = executor.loader.graph.leaf_nodes() if targets is None else [(a, n) for a, n in targets]
    plan = executor.migration_plan(wanted)
    with connection.execute_wrapper(capture) if sql is not None else contextlib.nullcontext():
        executor.migrate(wanted, plan=plan)
    return timings


@contextlib.contextmanager
def scratch_default(tag: str = "proof") -> Iterator[Any]:
    """A NEW empty database made this process's ``default`` alias while the block runs; yields its connection.

    For proofs that must run in the process that holds changed migration classes (they cannot be handed to
    a new Django process).  On PostgreSQL a database ``squashkit_proof_<tag>_<random>`` is created on the
    default alias's server (and dropped afterwards); on any other backend a new SQLite file in a temporary
    folder.  Data migrations that ignore ``schema_editor.connection.alias`` use it too; the configured
    database is never written.
    """
    import secrets

    from django.db import connections

    saved = connections.settings["default"]
    vendor = connections["default"].vendor
    created: str | None = None
    folder: tempfile.TemporaryDirectory[str] | None = None
    if vendor == "postgresql":
        created = f"squashkit_proof_{tag}_{secrets.token_hex(4)}"
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{created}"')
        config = {**saved, "NAME": created}
    else:
        folder = tempfile.TemporaryDirectory(prefix="squashkit-proof-")
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(folder.name) / "proof.sqlite3")}
    config.pop("TEST", None)
    _swap_default(connections.configure_settings({"default": config})["default"])
    try:
        yield connections["default"]
    finally:
        _swap_default(saved)
        if created:
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}"')
        if folder is not None:
            folder.cleanup()


def _swap_default(config: dict[str, Any]) -> None:
    from django.db import connections

    with contextlib.suppress(AttributeError):
        connections["default"].close()
        del connections["default"]
    connections.settings["default"] = config


def collect_sql(connection: Any) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], str]]:
    """The SQL of every migration of the whole plan, in one pass (``sqlmigrate``'s way, without re-rendering
    the project state per migration).  Returns the SQL per migration and the errors of those that could not
    be collected (their state changes still apply, so the migrations after them are collected)."""
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.state import ProjectState

    executor = MigrationExecutor(connection)
    loader = executor.loader
    plan = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    collected: dict[tuple[str, str], list[str]] = {}
    errors: dict[tuple[str, str], str] = {}
    for migration, _backwards in plan:
        key = (migration.app_label, migration.name)
        before = state.clone()  # apply() changes the state in place, operation by operation
        try:
            with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
                state = migration.apply(state, editor, collect_sql=True)
            collected[key] = list(editor.collected_sql)
        except Exception as exc:
            errors[key] = f"{type(exc).__name__}: {exc}"
            collected[key] = []
            state = migration.mutate_state(before, preserve=False)
    return collected, errors


def _normalise(value: Any) -> Any:
    """A deconstructible value (a field inside ArrayField's ``base_field``, ...) as plain comparable data."""
    from django.db.models import Field

    if isinstance(value, Field):
        _name, path, args, kwargs = value.deconstruct()
        return (
            "field",
            path,
            tuple(_normalise(a) for a in args),
            tuple(sorted((k, _normalise(v)) for k, v in kwargs.items())),
        )
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _normalise(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_normalise(v) for v in value), key=repr))
    if hasattr(value, "deconstruct") and not isinstance(value, type):
        try:
            parts = value.deconstruct()
        except (TypeError, ValueError):
            return repr(value)
        return ("obj", type(value).__qualname__, _normalise(parts))
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return repr(value)


def state_signature(state: Any) -> dict[tuple[str, str], Any]:
    """A ``ProjectState`` as comparable plain data: per model, its fields deconstructed (recursively: an
    ArrayField's ``base_field`` is compared by what it is, not by Django's ``creation_counter``), options,
    bases and managers."""
    out: dict[tuple[str, str], Any] = {}
    for key, model in state.models.items():
        out[key] = (
            tuple((name, _normalise(field)) for name, field in model.fields.items()),
            _normalise(model.options),
            tuple(repr(b) if not isinstance(b, str) else b for b in model.bases),
            tuple((name, _normalise(manager)) for name, manager in model.managers),
        )
    return out


def compare_states(a: Any, b: Any) -> list[str]:
    """Models (``app.model``) whose definition differs between two ``ProjectState``s, sorted."""
    sa, sb = state_signature(a), state_signature(b)
    return [
        f"{app}.{model}" for app, model in sorted(sa.keys() | sb.keys()) if sa.get((app, model)) != sb.get((app, model))
    ]
