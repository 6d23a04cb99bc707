"""Load the same :class:`~squashkit.graph.model.Project` through Django's own ``MigrationLoader``.

This imports the project: it needs a settings module, and every migration file is imported by Django.
Apps whose migrations live under the project root are the project's; the others (contrib, third party) are
kept as *external* apps so that ``__first__``/``__latest__`` resolve exactly as Django resolves them.

Django can be set up once per process.  :func:`load_django` therefore runs in a fresh subprocess (the
``load`` action of :mod:`squashkit._django`) when asked (``isolate=True``) or when Django is already set up
with other settings; the subprocess hands the project back through :mod:`squashkit.codec`.  A load in this
process writes no bytecode (``sys.dont_write_bytecode`` while the project is imported): no ``__pycache__``
lands in the analysed project.

:func:`django_graph` returns Django's own resolved graph (nodes and edges of ``loader.graph``) or the error
Django raised while building it; the test-suite compares it with squashkit's graph built from the records.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import os
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import squashkit.codec as codec
from squashkit._syspath import add_to_sys_path
from squashkit._where import describe
from squashkit.errors import DjangoError, DjangoLoadError
from squashkit.graph.model import (
    AppInfo,
    Dependency,
    DependencyForm,
    FileProblem,
    MigrationInfo,
    MigrationKey,
    ModelRef,
    ProblemCode,
    Project,
)
from squashkit.graph.operations import get_model_calls, summarize_object
from squashkit.graph.static import _HEADER, _skip_dir, parse_migration

__all__ = ["DjangoGraph", "django_graph", "load_django", "setup_django"]


def setup_django(root: Path, settings: str) -> None:
    """``django.setup()`` in this process with ``settings``, the project importable."""
    import django
    from django.conf import settings as dj_settings

    add_to_sys_path(root, settings)
    if dj_settings.configured:
        current = os.environ.get("DJANGO_SETTINGS_MODULE")
        if current != settings:
            raise DjangoLoadError(settings, f"Django is already set up with settings {current!r} in this process")
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    try:
        django.setup()
    except Exception as exc:
        raise DjangoLoadError(settings, describe(exc, root)) from exc


@cache
def _module_functions(path: str) -> dict[str, ast.FunctionDef]:
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _function_lookup(module_file: str | None, module_name: str) -> Any:
    def lookup(code: Any) -> tuple[list[ModelRef], bool]:
        name = getattr(code, "__name__", None)
        if (
            module_file is None
            or name is None
            or getattr(code, "__module__", None) != module_name
            or getattr(code, "__qualname__", None) != name
        ):
            return [], True
        function = _module_functions(module_file).get(name)
        if function is None:
            return [], True
        refs = get_model_calls(function)
        return refs, not refs

    return lookup


def _dependency(value: Any) -> Dependency:
    app_label, name = value[0], value[1]
    if hasattr(value, "setting"):
        return Dependency(MigrationKey(app_label, name), DependencyForm.SWAPPABLE, None, 0)
    return Dependency.of(app_label, name)


def _with_lines(info: MigrationInfo, settings: dict[str, str]) -> MigrationInfo:
    """``info`` with the file lines of its dependencies, run_before entries and operations, read from the source.

    Django's objects carry no line numbers; a static parse of the same file has them.  Lines are copied by
    position only where both views list the same number of entries (a computed list keeps line 0): findings
    then point at ``file:line`` as they do for a static load.  ``settings``: the string settings Django has,
    so that ``swappable_dependency(settings.X)`` reads as it evaluates.
    """
    static, _problems = parse_migration(info.path, info.key, settings)  # never raises for a file's content
    if static is None:
        return info

    def lined(ours: tuple[Any, ...], theirs: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(ours) != len(theirs):
            return ours
        return tuple(dataclasses.replace(a, line=b.line) for a, b in zip(ours, theirs, strict=True))

    return dataclasses.replace(
        info,
        dependencies=lined(info.dependencies, static.dependencies),
        run_before=lined(info.run_before, static.run_before),
        operations=lined(info.operations, static.operations),
    )


def _header(data: bytes) -> tuple[str | None, str | None]:
    for line in data.decode("utf-8", "replace").splitlines()[:3]:
        if match := _HEADER.match(line):
            return match["version"], match["date"]
    return None, None


@contextlib.contextmanager
def _no_bytecode() -> Iterator[None]:
    """No ``.pyc`` written while the project is imported in this process."""
    saved = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = saved


def load_in_process(root: Path, settings: str) -> Project:
    """The project's records through ``MigrationLoader`` in this process (Django set up here if needed)."""
    import hashlib

    setup_django(root, settings)
    from django.apps import apps as registry
    from django.db.migrations.loader import MigrationLoader

    try:
        loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
        loader.load_disk()
    except Exception as exc:
        raise DjangoLoadError(settings, describe(exc, root)) from exc
    apps: dict[str, AppInfo] = {}
    for label in sorted(loader.migrated_apps):
        config = registry.get_app_config(label)
        module_name, _explicit = loader.migrations_module(label)
        module = sys.modules.get(module_name or "")
        # abspath, not resolve(): an app folder linked into the project is where Python imported it from
        migrations_path = Path(os.path.abspath(getattr(module, "__file__", None) or config.path)).parent
        app_path = Path(os.path.abspath(config.path))
        # Outside the root, or where the static loader never looks (a virtualenv, site-packages, hidden folders).
        external = not migrations_path.is_relative_to(root) or any(
            _skip_dir(part) for part in migrations_path.relative_to(root).parts
        )
        apps[label] = AppInfo(label, app_path, migrations_path, external)
    from django.conf import settings as dj_settings

    string_settings = _string_settings(dj_settings)
    migrations: dict[MigrationKey, MigrationInfo] = {}
    problems: list[FileProblem] = []
    for (label, name), migration in sorted(loader.disk_migrations.items()):
        module = sys.modules[type(migration).__module__]
        module_file = getattr(module, "__file__", None)
        path = Path(os.path.abspath(module_file)) if module_file else apps[label].migrations_path / f"{name}.py"
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        version, generated = _header(data)
        lookup = _function_lookup(module_file, module.__name__)
        try:
            operations = tuple(summarize_object(op, label, lookup) for op in migration.operations)
        except Exception as exc:  # a custom operation with surprising attributes
            problems.append(
                FileProblem(path, 0, ProblemCode.OPERATION, f"cannot summarise operations: {exc}", label, name)
            )
            operations = ()
        initial = migration.initial
        migrations[MigrationKey(label, name)] = _with_lines(
            MigrationInfo(
                key=MigrationKey(label, name),
                path=path,
                dependencies=tuple(_dependency(d) for d in migration.dependencies),
                replaces=tuple(MigrationKey(a, n) for a, n in migration.replaces),
                run_before=tuple(_dependency(d) for d in migration.run_before),
                initial=initial if isinstance(initial, bool) else None,
                atomic=bool(migration.atomic),
                operations=operations,
                django_version=version,
                generated_on=generated,
                content_hash=hashlib.sha256(data).hexdigest(),
            ),
            string_settings,
        )
    swappable = {"AUTH_USER_MODEL": dj_settings.AUTH_USER_MODEL}
    return Project(
        root=root,
        source="django",
        apps=apps,
        migrations=migrations,
        problems=tuple(problems),
        settings=swappable,
        complete=True,
        unmigrated_apps=frozenset(loader.unmigrated_apps),
    )


def _run_isolated(root: Path, settings: str, action: str, payload: dict[str, Any]) -> Any:
    from squashkit._django import run_action

    try:
        return run_action(root, settings, action, {"root": str(root), "settings": settings, **payload})
    except DjangoLoadError:
        raise
    except DjangoError as exc:
        raise DjangoLoadError(settings, exc.reason, path=exc.path, line=exc.line) from exc


def _django_ready_elsewhere(settings: str) -> bool:
    if "django.conf" not in sys.modules:
        return False
    from django.conf import settings as dj_settings

    return bool(dj_settings.configured) and os.environ.get("DJANGO_SETTINGS_MODULE") != settings


def _string_settings(dj_settings: Any) -> dict[str, str]:
    """The string-valued settings (swappable models and the like), read one by one: a setting whose access
    raises (an empty ``SECRET_KEY`` raises ImproperlyConfigured, as in many CI settings) is left out instead of
    stopping the load; ``manage.py showmigrations`` never reads it either."""
    found: dict[str, str] = {}
    for name in dir(dj_settings):
        if not name.isupper():
            continue
        try:
            value = getattr(dj_settings, name, None)
        except Exception:  # a settings property that raises: not needed to load migrations
            continue
        if isinstance(value, str):
            found[name] = value
    return found


def load_django(root: str | Path, settings: str, *, isolate: bool | None = None) -> Project:
    """Load the project through Django's ``MigrationLoader`` (imports the project).

    Raises :class:`DjangoLoadError` when Django cannot be set up or cannot import a migration.
    """
    root = Path(root).resolve()
    if isolate is None:
        isolate = _django_ready_elsewhere(settings)
    if isolate:
        return codec.decode_project(_run_isolated(root, settings, "load", {}))
    with _no_bytecode():
        return load_in_process(root, settings)


class DjangoGraph:
    """Django's own resolved graph, or the error it raised while building it."""

    def __init__(
        self,
        nodes: set[MigrationKey],
        edges: set[tuple[MigrationKey, MigrationKey]],
        error: str | None,
        applied: set[MigrationKey],
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.error = error
        self.applied = applied


def graph_in_process(root: Path, settings: str, database: str | None) -> DjangoGraph:
    """Django's ``loader.graph`` in this process; see :func:`django_graph`."""
    setup_django(root, settings)
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    try:
        connection = connections[database] if database else None
        loader = MigrationLoader(connection, ignore_no_migrations=True)
    except Exception as exc:
        return DjangoGraph(set(), set(), f"{type(exc).__name__}: {exc}", set())
    nodes = {MigrationKey(*k) for k in loader.graph.nodes}
    edges = {
        (MigrationKey(*parent.key), MigrationKey(*key))
        for key, node in loader.graph.node_map.items()
        for parent in node.parents
    }
    applied = {MigrationKey(*k) for k in loader.applied_migrations}
    return DjangoGraph(nodes, edges, None, applied)


def django_graph(
    root: str | Path, settings: str, database: str | None = None, *, isolate: bool | None = None
) -> DjangoGraph:
    """Django's own ``loader.graph`` for the project.

    With ``database`` (an alias of the project's settings), Django reads the applied migrations from that
    database and applies its ``replaces`` rules to them; without, nothing counts as applied.
    """
    root = Path(root).resolve()
    if isolate is None:
        isolate = _django_ready_elsewhere(settings)
    if isolate:
        payload = _run_isolated(root, settings, "graph", {"database": database or ""})
        return DjangoGraph(
            {codec.decode_key(k) for k in payload["nodes"]},
            {(codec.decode_key(p), codec.decode_key(c)) for p, c in payload["edges"]},
            payload["graph_error"],
            {codec.decode_key(k) for k in payload["applied"]},
        )
    with _no_bytecode():
        return graph_in_process(root, settings, database)
