"""The records squashkit keeps for every migration file, whichever loader produced them.

Plain tuple keys, as in Django: ``MigrationKey("sales_orders", "0001_initial")``.  Records are frozen
dataclasses so that analyses can share them freely; both loaders (:mod:`squashkit.graph.static` and
:mod:`squashkit.graph.django`) produce the same records for the same files, which the test-suite checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from squashkit.graph.graph import MigrationGraph

__all__ = [
    "FIRST",
    "LATEST",
    "AppInfo",
    "Dependency",
    "DependencyForm",
    "FieldRef",
    "FileProblem",
    "MigrationInfo",
    "MigrationKey",
    "ModelRef",
    "OperationSummary",
    "ProblemCode",
    "Project",
]

FIRST = "__first__"
LATEST = "__latest__"


class MigrationKey(NamedTuple):
    """``(app_label, migration_name)``, exactly Django's node key."""

    app_label: str
    name: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.name}"

    @property
    def is_marker(self) -> bool:
        """True for ``__first__`` / ``__latest__`` pseudo-names."""
        return self.name in (FIRST, LATEST)


class ModelRef(NamedTuple):
    """A model named in a migration: app label and the lower-cased model name (Django's state keys)."""

    app_label: str
    model: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model}"


class FieldRef(NamedTuple):
    """A field of a model, e.g. the target of ``to_field=``."""

    app_label: str
    model: str
    field: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model}.{self.field}"


class DependencyForm(StrEnum):
    """How a dependency is written in the file; rewrites keep the form where it is still right."""

    EXPLICIT = "explicit"  # ("app", "0003_x")
    FIRST = "first"  # ("app", "__first__")
    LATEST = "latest"  # ("app", "__latest__")
    SWAPPABLE = "swappable"  # migrations.swappable_dependency(settings.AUTH_USER_MODEL)


@dataclass(frozen=True)
class Dependency:
    """One entry of a migration's ``dependencies`` (or ``run_before``) list.

    ``key`` is what Django sees after evaluation: for ``swappable_dependency(settings.AUTH_USER_MODEL)`` it is
    ``(label of the configured user model, "__first__")`` and ``setting`` keeps ``"AUTH_USER_MODEL"``.
    ``line`` is the 1-based line of the element in the file (0 when the loader cannot know it).
    """

    key: MigrationKey
    form: DependencyForm = DependencyForm.EXPLICIT
    setting: str | None = None
    line: int = 0

    @classmethod
    def of(cls, app_label: str, name: str, *, setting: str | None = None, line: int = 0) -> Dependency:
        if setting is not None:
            form = DependencyForm.SWAPPABLE
        elif name == FIRST:
            form = DependencyForm.FIRST
        elif name == LATEST:
            form = DependencyForm.LATEST
        else:
            form = DependencyForm.EXPLICIT
        return cls(MigrationKey(app_label, name), form, setting, line)


OperationCategory = Literal["schema", "python", "sql", "state", "custom", "unknown"]


@dataclass(frozen=True)
class OperationSummary:
    """What squashkit needs to know about one operation, without executing it.

    * ``kind``: the operation class name (``"AddField"``); for custom operations the name as written.
    * ``category``: ``schema`` (Django model/field operations), ``python`` (RunPython), ``sql`` (RunSQL),
      ``state`` (SeparateDatabaseAndState), ``custom`` (a class outside Django), ``unknown`` (not a call).
    * ``model``: the lower-cased model name the operation acts on (``CreateModel(name=...)``,
      ``AddField(model_name=...)``), ``None`` when it has none.
    * ``field``: the field name for field operations (the new name for ``RenameField``).
    * ``old_name``: the previous model or field name for ``RenameModel`` / ``RenameField``.
    * ``references``: models the operation needs to exist (relation targets, ``through=``, bases,
      ``apps.get_model`` calls seen in RunPython code).  Same-app references are included.
    * ``field_references``: fields named through ``to_field=``.
    * ``reversible``: False for RunPython without ``reverse_code`` and RunSQL without ``reverse_sql``.
    * ``elidable``: the ``elidable=`` flag of RunPython/RunSQL.
    * ``opaque``: True when what the operation touches cannot be seen (RunSQL, custom operations, RunPython
      whose code could not be read or that names no model).
    * ``line``: 1-based line of the operation in the file (0 when unknown).
    """

    kind: str
    category: OperationCategory
    model: str | None = None
    field: str | None = None
    old_name: str | None = None
    references: tuple[ModelRef, ...] = ()
    field_references: tuple[FieldRef, ...] = ()
    reversible: bool = True
    elidable: bool = False
    opaque: bool = False
    line: int = 0

    def comparable(self) -> tuple[object, ...]:
        """The fields both loaders must agree on (everything but the line number)."""
        return (
            self.kind,
            self.category,
            self.model,
            self.field,
            self.old_name,
            tuple(sorted(set(self.references))),
            tuple(sorted(set(self.field_references))),
            self.reversible,
            self.elidable,
            self.opaque,
        )


class ProblemCode(StrEnum):
    """What a loader could not understand in a file; the values are stable (they appear in JSON outputs).

    Each code is reported by one rule (:mod:`squashkit.rules.problems` maps them; a test checks that every
    member is mapped).
    """

    SYNTAX = "syntax"  # the file does not parse
    ENCODING = "encoding"  # not UTF-8 and no (valid) encoding declaration
    NO_MIGRATION_CLASS = "no-migration-class"  # Django raises BadMigrationError
    COMPUTED_MIGRATION = "computed-migration"  # Migration bound by assignment, import, or inside if/try
    UNREADABLE = "unreadable"  # the file cannot be read (permissions)
    NOT_A_FILE = "not-a-file"  # a folder named like a migration module
    BAD_DEPENDENCY = "bad-dependency"  # a dependency entry Django fails on (a bare string, None, a 3-tuple)
    SOURCELESS = "sourceless"  # a .pyc without its .py, which Django imports
    DUPLICATE_LABEL = "duplicate-label"  # two apps with one label
    BAD_APPS_PY = "bad-apps-py"  # apps.py unreadable: the folder name is used as the label
    TOO_COMPLEX = "too-complex"  # nested beyond the parser's limits
    INTERNAL = "internal"  # a squashkit bug while reading the file
    OPERATION = "operation"  # (Django loader) the operations could not be summarised
    COMPUTED_DEPENDENCIES = "computed-dependencies"  # dependencies that need the project imported
    COMPUTED_REPLACES = "computed-replaces"
    COMPUTED_RUN_BEFORE = "computed-run-before"
    UNKNOWN_SETTING = "unknown-setting"  # swappable_dependency(settings.X) with X not configured


@dataclass(frozen=True)
class FileProblem:
    """A file squashkit could not fully understand.  Analysis of every other file goes on."""

    path: Path
    line: int
    code: ProblemCode
    message: str
    app_label: str | None = None
    migration: str | None = None

    def location(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            try:
                shown = self.path.relative_to(root)
            except ValueError:
                shown = self.path
        return f"{shown}:{self.line}" if self.line else str(shown)


@dataclass(frozen=True)
class MigrationInfo:
    """Everything squashkit records about one migration file."""

    key: MigrationKey
    path: Path
    dependencies: tuple[Dependency, ...] = ()
    replaces: tuple[MigrationKey, ...] = ()
    run_before: tuple[Dependency, ...] = ()
    initial: bool | None = None
    atomic: bool = True
    operations: tuple[OperationSummary, ...] = ()
    django_version: str | None = None
    generated_on: str | None = None
    content_hash: str = ""
    #: True when some of dependencies / replaces / run_before could not be evaluated statically.
    unresolved: bool = False

    @property
    def app_label(self) -> str:
        return self.key.app_label

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def is_squashed(self) -> bool:
        return bool(self.replaces)

    @property
    def dependency_keys(self) -> tuple[MigrationKey, ...]:
        return tuple(d.key for d in self.dependencies)

    def count(self, category: str) -> int:
        return sum(1 for op in self.operations if op.category == category)

    @property
    def irreversible_count(self) -> int:
        return sum(1 for op in self.operations if not op.reversible)


@dataclass(frozen=True)
class AppInfo:
    """An app that has a ``migrations`` package.

    ``external`` is True for apps that live outside the analysed project (Django's contrib apps or
    third-party packages known to the Django loader); they give the graph its roots but are not analysed.
    """

    label: str
    path: Path
    migrations_path: Path
    external: bool = False


@dataclass(frozen=True)
class Project:
    """What a loader returns: apps, migration records, and the files it could not read."""

    root: Path
    source: Literal["static", "django"]
    apps: Mapping[str, AppInfo]
    migrations: Mapping[MigrationKey, MigrationInfo]
    problems: tuple[FileProblem, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)
    #: True when ``apps`` lists every installed app (Django loader): an unknown app is then an error, not an
    #: app outside the project.
    complete: bool = False
    #: Installed apps without migrations (Django loader only); ``__first__`` on them is dropped, as Django does.
    unmigrated_apps: frozenset[str] = frozenset()

    @property
    def project_apps(self) -> list[str]:
        """Labels of the apps that belong to the project (not external), sorted."""
        return sorted(label for label, app in self.apps.items() if not app.external)

    def in_project(self, key: MigrationKey) -> bool:
        app = self.apps.get(key.app_label)
        return app is not None and not app.external

    def app_migrations(self, label: str) -> list[MigrationInfo]:
        """The records of one app, sorted by name."""
        migrations = self.migrations
        # Keys per app, sorted once (checks and metrics ask for every app, often several times).  The cache
        # lives outside the dataclass fields; it is rebuilt if ``migrations`` is another mapping or resized.
        cache = self.__dict__.get("_keys_by_app")
        if cache is None or cache[0] is not migrations or cache[1] != len(migrations):
            by_app: dict[str, list[MigrationKey]] = {}
            for key in sorted(migrations):
                by_app.setdefault(key.app_label, []).append(key)
            cache = (migrations, len(migrations), by_app)
            object.__setattr__(self, "_keys_by_app", cache)
        return [migrations[key] for key in cache[2].get(label, ())]

    def iter_project_migrations(self) -> Iterator[MigrationInfo]:
        for key in sorted(self.migrations):
            if self.in_project(key):
                yield self.migrations[key]

    def restricted(self, labels: Iterable[str]) -> set[MigrationKey]:
        wanted = set(labels)
        return {k for k in self.migrations if k.app_label in wanted}

    def graph(
        self,
        applied: Iterable[MigrationKey] = (),
        *,
        replace_migrations: bool = True,
    ) -> MigrationGraph:
        """Build the dependency graph with Django's rules; see :class:`MigrationGraph`."""
        from squashkit.graph.build import build_graph

        return build_graph(self, frozenset(applied), replace_migrations=replace_migrations)
