"""The Django side of a squash proof (run where Django is set up with the project's settings).

:func:`migrate_step` points the ``default`` database at a temporary one (a SQLite file, or a PostgreSQL
database named by a DSN: never a configured database), runs Django's ``migrate`` (to the end, or to one
migration), and returns what was asked: the introspected schema, the final project state (each model's
fields deconstructed, options, bases, managers) and whether ``makemigrations --check`` would find changes.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import unquote, urlsplit

from squashkit.proof.inprocess import declared_names

__all__ = ["database_settings", "migrate_step"]


def database_settings(database: str, current: dict[str, Any]) -> dict[str, Any]:
    """``DATABASES['default']`` for a temporary database: ``sqlite:PATH`` or ``postgresql://...``."""
    params = dict(current)
    for key in ("TEST", "OPTIONS"):
        params.pop(key, None)
    if database.startswith("sqlite:"):
        params.update(ENGINE="django.db.backends.sqlite3", NAME=database[len("sqlite:") :], HOST="", PORT="")
        return params
    parts = urlsplit(database)
    params.update(
        ENGINE="django.db.backends.postgresql",
        NAME=unquote(parts.path.lstrip("/")),
        HOST=parts.hostname or "",
        PORT=str(parts.port or ""),
        USER=unquote(parts.username or ""),
        PASSWORD=unquote(parts.password or ""),
    )
    return params


def _introspect(connection: Any, declared: set[str]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    with connection.cursor() as cursor:
        names = sorted(t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t")
        for table in names:
            columns = {}
            for col in connection.introspection.get_table_description(cursor, table):
                columns[col.name] = {
                    "type": str(col.type_code),
                    "size": getattr(col, "internal_size", None),
                    "null": bool(col.null_ok),
                    "default": None if col.default is None else str(col.default),
                }
            constraints = []
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                shown = name if name in declared else "(generated)"
                fk = info.get("foreign_key")
                constraints.append(
                    {
                        "name": shown,
                        "columns": list(info.get("columns") or []),
                        "primary_key": bool(info.get("primary_key")),
                        "unique": bool(info.get("unique")),
                        "foreign_key": list(fk) if fk else None,
                        "check": bool(info.get("check")),
                        "index": bool(info.get("index")),
                        "type": str(info.get("type") or ""),
                    }
                )
            constraints.sort(key=lambda c: (c["name"], c["columns"], c["type"]))
            tables[table] = {"columns": columns, "constraints": constraints}
    return tables


def _state(loader: Any) -> dict[str, dict[str, str]]:
    """Each model of the final project state: its fields, options, bases and managers as Django would write
    them (the migration serializer: no memory addresses, stable across processes)."""
    from django.db.migrations.serializer import serializer_factory

    def text(value: Any) -> str:
        try:
            return str(serializer_factory(value).serialize()[0])
        except Exception:  # a value Django cannot serialize: compare its type
            return f"<{type(value).__module__}.{type(value).__qualname__}>"

    state = loader.project_state()
    out: dict[str, dict[str, str]] = {}
    for (app, model), ms in sorted(state.models.items()):
        entry = {f"field {name}": text(field) for name, field in ms.fields.items()}
        entry.update({f"option {k}": text(v) for k, v in ms.options.items()})
        entry["bases"] = text(tuple(ms.bases))
        entry["managers"] = text([(name, m) for name, m in ms.managers])
        out[f"{app}.{model}"] = entry
    return out


def _changes(loader: Any) -> list[str]:
    """What ``makemigrations --check`` would write, per app (empty: nothing)."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState

    autodetector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps=None, dry_run=True),
    )
    changes = autodetector.changes(graph=loader.graph)
    return [
        f"{app}: {op.describe()}"
        for app, migrations in sorted(changes.items())
        for migration in migrations
        for op in migration.operations
    ]


def _migrate_mid_range(connection: Any, ranges: list[list[tuple[str, str]]]) -> dict[str, Any]:
    """Migrate a new database forward, in one plan, to one consistent state in the middle of the ranges.

    The state is the middle member of every range closed under its ancestors in the original graph; the
    database is migrated to the members of that set no other member of it depends on (one
    ``executor.migrate(targets)``: only forward steps, nothing is ever unapplied, so an irreversible
    ``RunPython`` cannot fail the check).  Migrating to each middle in turn could unapply what an earlier one
    applied.  Middles are taken greedily (fewest ancestors first) while every range taken stays half applied;
    a range whose middle is not in the graph, or would need all of a range taken (or the others need all of
    it), is skipped, with the reason.

    Returns ``migrated_to`` (``[[app, name], ...]``) and ``skipped`` (``[[range index, reason], ...]``).
    """
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    skipped: list[list[Any]] = []
    middles: dict[int, tuple[str, str]] = {}
    for index, members in enumerate(ranges):
        middle = members[(len(members) - 1) // 2]
        if middle not in graph.nodes:
            skipped.append([index, f"{middle[0]}.{middle[1]} is not in the migration graph (replaced by a squash)"])
        else:
            middles[index] = middle
    ancestors = {index: set(graph.forwards_plan(middle)) for index, middle in middles.items()}

    def covered(index: int, nodes: set[tuple[str, str]]) -> bool:  # every member applied: not half applied
        return all(tuple(m) in nodes for m in ranges[index])

    # Greedily, the middles with the fewest ancestors first: a middle is taken when the set stays one in
    # which every range taken so far (and its own) is half applied.
    closure: set[tuple[str, str]] = set()
    taken: list[int] = []
    for index in sorted(middles, key=lambda i: (len(ancestors[i]), i)):
        grown = closure | ancestors[index]
        blocked = [j for j in [*taken, index] if covered(j, grown)]
        if not blocked:
            closure, taken = grown, [*taken, index]
            continue
        middle = middles[index]
        names = ", ".join(f"{ranges[j][0][0]} {ranges[j][0][1]} .. {ranges[j][-1][1]}" for j in blocked)
        if len(ranges[index]) == 1:
            reason = "a range of one migration cannot be half applied"
        elif blocked == [index]:
            reason = "the middles of the other ranges need all of it applied"
        else:
            reason = f"its middle {middle[0]}.{middle[1]} needs all of {names} applied"
        skipped.append([index, reason])
    targets = sorted(node for node in closure if not any(child in closure for child in graph.node_map[node].children))
    if not targets:
        return {"migrated_to": [], "skipped": sorted(skipped)}
    plan = executor.migration_plan(targets)
    backwards = [f"{m.app_label}.{m.name}" for m, back in plan if back]
    if backwards:  # not on a new database; kept as a guard: never unapply
        reason = f"the middle state is not reachable forward only (it would unapply {', '.join(backwards)})"
        return {"migrated_to": [], "skipped": [[i, reason] for i in range(len(ranges))]}
    pre_state = executor._create_project_state(with_applied_migrations=True)
    emit_pre_migrate_signal(0, False, connection.alias, apps=pre_state.apps, plan=plan)
    post_state = executor.migrate(targets, plan=plan, state=pre_state.clone(), fake=False, fake_initial=False)
    post_state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, connection.alias, apps=post_state.apps, plan=plan)
    return {"migrated_to": [list(t) for t in targets], "skipped": sorted(skipped)}


def migrate_step(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload``: ``database``, ``mid_range`` (the ranges, each ``[[app, name], ...]`` in order: migrate
    forward once to the middle of every range, see :func:`_migrate_mid_range`; absent: every app to the end),
    ``introspect``, ``state``, ``check``.  Returns ``{"error": ...}`` when Django's migrate fails."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    settings.DATABASES["default"] = database_settings(payload["database"], settings.DATABASES["default"])
    connections.__dict__.pop("settings", None)  # re-read DATABASES (a cached_property)
    connections._settings = None
    with contextlib.suppress(AttributeError):  # django.setup() may have made the connection object already
        del connections["default"]
    connection = connections["default"]
    wanted = settings.DATABASES["default"]
    if connection.settings_dict["NAME"] != wanted["NAME"] or connection.settings_dict["ENGINE"] != wanted["ENGINE"]:
        return {"error": "could not point the default database at a temporary one"}
    out: dict[str, Any] = {"error": None}
    try:
        if payload.get("mid_range") is not None:
            out.update(_migrate_mid_range(connection, [[tuple(k) for k in r] for r in payload["mid_range"]]))
        else:
            call_command("migrate", verbosity=0, interactive=False)
    except Exception as exc:
        out["error"] = f"migrate failed: {type(exc).__name__}: {exc}"
        return out
    loader = MigrationLoader(None, ignore_no_migrations=True)
    if payload.get("introspect"):
        out["schema"] = _introspect(connection, declared_names(loader.project_state()))
    if payload.get("state") or payload.get("check"):
        if payload.get("state"):
            out["state"] = _state(loader)
        if payload.get("check"):
            out["changes"] = _changes(loader)
    connection.close()
    return out
