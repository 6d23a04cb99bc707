"""Where migrations are applied, as one policy every command shares (deps now; squash plan, status, finalize).

:func:`collect_applied_state` decides which sources count and reads them:

* the sources named (``envs``, ``dsns``, ``snapshots``, ``databases``, ``schemas``), read with
  :func:`squashkit.history.collect_applied`; when none is named, every environment configured in
  ``[tool.squashkit.environments]``;
* the project's ``default`` database when settings are known (and no ``databases`` alias was named):
  read through Django with the project's settings;
* a default database that is a SQLite file which does not exist is **no source** (listed in
  :attr:`AppliedState.missing`), not "nothing applied": a fresh clone without the developer's
  ``db.sqlite3`` tells nothing about where its migrations are applied.

A source that cannot be read stays in the state with ``applied=None``: every migration may be applied there,
so :meth:`AppliedState.is_applied_anywhere` answers ``None`` ("cannot tell") rather than ``False``.

>>> state = collect_applied_state(root, settings="mysite.settings", envs=["prod"])
>>> state.applied_in(MigrationKey("sales", "0001_initial"))
('prod', 'default (sqlite3 db.sqlite3)')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from squashkit.errors import SquashkitError
from squashkit.graph.model import MigrationKey
from squashkit.history.errors import AllSourcesFailedError
from squashkit.history.model import AppliedSet, SourceFailure

__all__ = ["AppliedSource", "AppliedState", "SourceKind", "collect_applied_state"]

SourceKind = Literal["env", "schema", "snapshot", "default-db", "dsn"]


@dataclass(frozen=True)
class AppliedSource:
    """One source of applied state: ``applied`` is ``None`` when it could not be read (``error`` says why).

    ``description`` says where it was read (redacted, never a password); ``exception`` is the error raised
    while reading it, when there was one (the CLI may stop on it).
    """

    label: str
    kind: SourceKind
    applied: frozenset[MigrationKey] | None
    error: str = ""
    description: str = ""
    exception: SquashkitError | None = field(default=None, compare=False, repr=False)

    @property
    def readable(self) -> bool:
        return self.applied is not None


@dataclass(frozen=True)
class AppliedState:
    """Every source that counts, in the order read; ``missing`` describes sources that do not exist."""

    sources: tuple[AppliedSource, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def has_sources(self) -> bool:
        """At least one source counts (read or not)."""
        return bool(self.sources)

    @property
    def readable(self) -> tuple[AppliedSource, ...]:
        return tuple(s for s in self.sources if s.applied is not None)

    @property
    def unreadable(self) -> tuple[AppliedSource, ...]:
        return tuple(s for s in self.sources if s.applied is None)

    def applied_in(self, key: MigrationKey) -> tuple[str, ...]:
        """Labels of the sources where ``key`` is recorded as applied."""
        return tuple(s.label for s in self.sources if s.applied is not None and key in s.applied)

    def is_applied_anywhere(self, key: MigrationKey) -> bool | None:
        """True when a source has it; None when none has it but some source could not be read; else False."""
        if self.applied_in(key):
            return True
        return None if self.unreadable else False

    def applied_everywhere(self, key: MigrationKey) -> bool:
        """Every readable source has it (False with no readable source)."""
        readable = self.readable
        return bool(readable) and all(key in s.applied for s in readable if s.applied is not None)

    def without(self, kind: SourceKind) -> AppliedState:
        """The same state without the sources of ``kind``."""
        return AppliedState(tuple(s for s in self.sources if s.kind != kind), self.missing)


def _kind(env: str, schema: str | None, snapshot: bool, configured: set[str]) -> SourceKind:
    if snapshot:
        return "snapshot"
    if schema:
        return "schema"
    return "env" if env in configured else "dsn"


def _from_set(applied: AppliedSet, configured: set[str]) -> AppliedSource:
    kind = _kind(applied.env, applied.schema, applied.kind == "snapshot", configured)
    return AppliedSource(applied.label, kind, applied.applied, description=applied.source)


def _from_failure(failure: SourceFailure, configured: set[str]) -> AppliedSource:
    kind = _kind(failure.env, failure.schema, failure.source.startswith("snapshot "), configured)
    return AppliedSource(failure.label, kind, None, failure.message, failure.source)


def _read_default_database(root: Path, settings: str) -> tuple[frozenset[MigrationKey] | None, str]:
    """The one place the default database is read (through a Django subprocess)."""
    from squashkit.deps.verify import default_database_state

    return default_database_state(root, settings)


def collect_applied_state(
    root: Path,
    *,
    settings: str | None = None,
    envs: Sequence[str] = (),
    all_envs: bool = False,
    dsns: Sequence[str] = (),
    snapshots: Sequence[str | Path] = (),
    schemas: Sequence[str] = (),
    include_default_db: bool = True,
    databases: Sequence[str] = (),
    all_schemas: bool = False,
    require_readable: bool = True,
) -> AppliedState:
    """Read every source that counts (see the module docstring) into one :class:`AppliedState`.

    Raises :class:`~squashkit.history.errors.AllSourcesFailedError` when sources were named and none of them
    could be read (unless ``require_readable`` is False), and the errors of
    :func:`~squashkit.history.collect_applied` for unknown environments or a malformed configuration.  The
    default database's read errors are not raised: that source is kept unreadable, with ``exception`` set.
    """
    from squashkit.history.collect import collect_applied
    from squashkit.history.environments import load_environments

    root = Path(root).resolve()
    configured_envs = load_environments(root)
    configured = set(configured_envs)
    named = any((envs, all_envs, dsns, snapshots, databases, schemas, all_schemas))
    if not named and configured_envs:
        all_envs = named = True
    sources: list[AppliedSource] = []
    missing: list[str] = []
    if named:
        state = collect_applied(
            root,
            envs=list(envs),
            all_envs=all_envs,
            settings=settings,
            database=list(databases),
            dsns=list(dsns),
            snapshots=list(snapshots),
            schemas=list(schemas) or None,
            all_schemas=all_schemas,
        )
        if require_readable and state.failures and not state.sets:
            raise AllSourcesFailedError([f"{f.label}: {f.message} ({f.source})" for f in state.failures])
        sources += [_from_set(s, configured) for s in state.sets]
        sources += [_from_failure(f, configured) for f in state.failures]
    if settings and include_default_db and not databases:
        try:
            applied, described = _read_default_database(root, settings)
        except SquashkitError as exc:
            sources.append(AppliedSource("default", "default-db", None, exc.message, settings, exc))
        else:
            if applied is None:
                missing.append(f"{described} does not exist")
            else:
                sources.append(AppliedSource(described, "default-db", applied, description=described))
    return AppliedState(tuple(sources), tuple(missing))
