"""Per applied set: which migrations are applied, which are pending, and which recorded rows are stale.

Django's rules, as :class:`~django.db.migrations.loader.MigrationLoader` applies them:

* a squashed migration counts as applied exactly when every migration it replaces is recorded (whatever its
  own row says); the replaced migrations then leave the graph if all or none of them are applied;
* *pending* means a migration node of the project's graph that does not count as applied;
* a *stale* row is recorded for an app of the project but names no migration file.  Its reason is
  ``replaced`` (a squash in the project replaces it), ``squashed`` (a squash named ``NNNN_squashed_MMMM_*``
  whose ``replaces`` was removed covers its number), ``renamed`` (an unapplied file of the same app has the
  same number, or, with a snapshot, the same content) or ``deleted``.

Sets with the same recorded rows share one computation (1,000 tenant schemas are a handful of states).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from squashkit.graph.graph import MigrationGraph, NodeKind
from squashkit.graph.helpers import number_of, squash_range
from squashkit.graph.model import MigrationKey, Project
from squashkit.history.model import AppliedSet

__all__ = ["SetStatus", "StaleRow", "effective_applied", "number_of", "set_status", "squash_range"]


@dataclass(frozen=True)
class StaleRow:
    key: MigrationKey
    reason: str  # replaced | squashed | renamed | deleted
    #: the squash that replaces it (replaced/squashed) or the file it was probably renamed to (renamed)
    related: MigrationKey | None = None

    def describe(self) -> str:
        if self.reason == "replaced":
            return f"replaced by {self.related}"
        if self.reason == "squashed":
            return f"covered by squash {self.related} (its replaces list was removed)"
        if self.reason == "renamed":
            return f"file renamed, probably to {self.related}"
        return "file deleted"


@dataclass(frozen=True)
class SetStatus:
    """What one applied set means for the project."""

    set: AppliedSet
    #: the graph with Django's replacement rules for this set; sets whose squashes are in the same state share
    #: one graph (so ``graph.applied`` may be another set's rows: use ``set.applied``)
    graph: MigrationGraph
    #: project migrations that count as applied (Django's rules), sorted
    applied: tuple[MigrationKey, ...]
    #: project migration nodes not applied, sorted
    pending: tuple[MigrationKey, ...]
    stale: tuple[StaleRow, ...]
    #: recorded rows of apps outside the project (contrib, third party)
    external: int

    @property
    def label(self) -> str:
        return self.set.label

    def state_of(self, key: MigrationKey) -> str:
        """``applied``, ``pending``, ``stale`` or ``unused``, else ``-`` (a name stale in another set only).

        ``unused``: a file that is not recorded and not in the graph: replaced by a squash in use, or a squash
        Django does not use because only some of what it replaces is applied.
        """
        if key in self._applied_set:
            return "applied"
        if key in self._pending_set:
            return "pending"
        if key in self._stale_set:
            return "stale"
        if key in self.graph.project.migrations:
            return "unused"
        return "-"

    @property
    def _applied_set(self) -> frozenset[MigrationKey]:
        return self._cached("_a", lambda: frozenset(self.applied))

    @property
    def _pending_set(self) -> frozenset[MigrationKey]:
        return self._cached("_p", lambda: frozenset(self.pending))

    @property
    def _stale_set(self) -> frozenset[MigrationKey]:
        return self._cached("_s", lambda: frozenset(s.key for s in self.stale))

    def _cached(self, name: str, make: Any) -> Any:
        if name not in self.__dict__:
            object.__setattr__(self, name, make())
        return self.__dict__[name]

    @property
    def last_applied(self) -> datetime | None:
        """When the latest recorded migration was applied (None without dates, e.g. some snapshots)."""
        dates = [r.applied for r in self.set.rows if r.applied is not None]
        try:
            return max(dates) if dates else None
        except TypeError:  # naive (SQLite) and aware dates mixed: compare as written
            return max(dates, key=lambda d: d.replace(tzinfo=None))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "env": self.set.env,
            "schema": self.set.schema,
            "source": self.set.source,
            "kind": self.set.kind,
            "recorded": len(self.set.rows),
            "last_applied": self.last_applied.isoformat() if self.last_applied else None,
            "applied": [str(k) for k in self.applied],
            "pending": [str(k) for k in self.pending],
            "stale": [{"migration": str(s.key), "reason": s.reason, "detail": s.describe()} for s in self.stale],
            "external_rows": self.external,
        }


def effective_applied(project: Project, recorded: frozenset[MigrationKey]) -> frozenset[MigrationKey]:
    """Recorded keys, plus squashes whose replaced migrations are all recorded, minus the other squashes."""
    out = set(recorded)
    for key, migration in project.migrations.items():
        if migration.replaces:
            if all(target in recorded for target in migration.replaces):
                out.add(key)
            else:
                out.discard(key)
    return frozenset(out)


def _stale_rows(project: Project, recorded: frozenset[MigrationKey], hashes: dict[MigrationKey, str]) -> list[StaleRow]:
    replaced_by: dict[MigrationKey, MigrationKey] = {}
    for key in sorted(project.migrations):
        for target in project.migrations[key].replaces:
            replaced_by.setdefault(target, key)
    by_hash = {m.content_hash: k for k, m in project.migrations.items() if m.content_hash}
    stale: list[StaleRow] = []
    for key in sorted(recorded):
        if key in project.migrations:
            continue
        app = project.apps.get(key.app_label)
        if app is None or app.external:
            continue
        if key in replaced_by:
            stale.append(StaleRow(key, "replaced", replaced_by[key]))
            continue
        number = number_of(key.name)
        squash = None
        if number is not None:
            for other in project.app_migrations(key.app_label):
                bounds = squash_range(other.name)
                if bounds and not other.replaces and bounds[0] <= number <= bounds[1]:
                    squash = other.key
                    break
        if squash is not None:
            stale.append(StaleRow(key, "squashed", squash))
            continue
        renamed = None
        digest = hashes.get(key)
        if digest and digest in by_hash and by_hash[digest] not in recorded:
            renamed = by_hash[digest]
        elif number is not None:
            candidates = [
                m.key
                for m in project.app_migrations(key.app_label)
                if number_of(m.name) == number and m.key not in recorded and not m.replaces
            ]
            renamed = candidates[0] if len(candidates) == 1 else None
        stale.append(StaleRow(key, "renamed", renamed) if renamed else StaleRow(key, "deleted"))
    return stale


def set_status(project: Project, applied_set: AppliedSet, graph: MigrationGraph | None = None) -> SetStatus:
    """The status of one set (``graph`` is ``project.graph(applied_set.applied)`` when not given)."""
    recorded = applied_set.applied
    graph = graph if graph is not None else project.graph(recorded)
    effective = effective_applied(project, recorded)
    nodes = [key for key, kind in graph.kinds.items() if kind == NodeKind.MIGRATION and project.in_project(key)]
    applied = sorted(k for k in nodes if k in effective)
    pending = sorted(k for k in nodes if k not in effective)
    # Replaced files that left the graph but are recorded still count as applied.
    applied = sorted(set(applied) | {k for k in recorded if k in project.migrations and project.in_project(k)})
    stale = _stale_rows(project, recorded, applied_set.hashes)
    external = sum(1 for k in recorded if k.app_label not in project.apps or project.apps[k.app_label].external)
    return SetStatus(applied_set, graph, tuple(applied), tuple(pending), tuple(stale), external)
