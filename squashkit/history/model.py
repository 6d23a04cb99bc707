"""The applied state of migrations, as recorded in ``django_migrations`` tables (or snapshots of them).

One :class:`AppliedSet` per database, tenant schema or snapshot; an :class:`AppliedState` gathers the sets
of every source asked for and the sources that could not be read (:class:`SourceFailure`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from squashkit.graph.model import MigrationKey

__all__ = ["AppliedRow", "AppliedSet", "AppliedState", "SourceFailure"]


class AppliedRow(NamedTuple):
    """One row of ``django_migrations``: ``(app, name, applied)``.

    ``content_hash`` is the sha256 of the migration file when the row comes from a snapshot taken while the
    file existed (``None`` otherwise); it lets squashkit tell that an applied migration was edited since.
    """

    app_label: str
    name: str
    applied: datetime | None = None
    content_hash: str | None = None

    @property
    def key(self) -> MigrationKey:
        return MigrationKey(self.app_label, self.name)


@dataclass(frozen=True)
class AppliedSet:
    """The rows of one database, one tenant schema of a database, or one snapshot."""

    env: str
    schema: str | None
    source: str  # redacted: never holds a password
    rows: tuple[AppliedRow, ...]
    #: ``live`` (read from a database now) or ``snapshot``; ``taken`` is when a snapshot was written.
    kind: str = "live"
    taken: datetime | None = None

    @property
    def label(self) -> str:
        """``env`` or ``env/schema``."""
        return f"{self.env}/{self.schema}" if self.schema else self.env

    @property
    def applied(self) -> frozenset[MigrationKey]:
        cached = self.__dict__.get("_applied")
        if cached is None:
            cached = frozenset(MigrationKey(r.app_label, r.name) for r in self.rows)
            object.__setattr__(self, "_applied", cached)
        return cached

    @property
    def hashes(self) -> dict[MigrationKey, str]:
        """File hashes recorded by a snapshot for its applied migrations."""
        return {r.key: r.content_hash for r in self.rows if r.content_hash}

    def row(self, key: MigrationKey) -> AppliedRow | None:
        for r in self.rows:
            if r.app_label == key.app_label and r.name == key.name:
                return r
        return None


@dataclass(frozen=True)
class SourceFailure:
    """A source that could not be read; ``message`` is redacted and names what went wrong."""

    env: str
    source: str
    message: str
    schema: str | None = None

    @property
    def label(self) -> str:
        return f"{self.env}/{self.schema}" if self.schema else self.env

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


@dataclass(frozen=True)
class AppliedState:
    """Every applied set read, in the order asked for, and the sources that failed."""

    sets: tuple[AppliedSet, ...] = ()
    failures: tuple[SourceFailure, ...] = field(default=())

    @property
    def known(self) -> bool:
        """At least one source answered."""
        return bool(self.sets)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.sets]

    def applied_in(self, key: MigrationKey) -> list[str]:
        """Labels of the sets where ``key`` is recorded as applied."""
        return [s.label for s in self.sets if key in s.applied]

    def by_label(self) -> dict[str, frozenset[MigrationKey]]:
        """``label -> applied keys`` (the shape graph exports take)."""
        return {s.label: s.applied for s in self.sets}

    def get(self, label: str) -> AppliedSet | None:
        for s in self.sets:
            if s.label == label:
                return s
        return None

    def merged(self, other: AppliedState) -> AppliedState:
        return AppliedState(self.sets + other.sets, self.failures + other.failures)

    @classmethod
    def of(cls, sets: Iterable[AppliedSet] = (), failures: Iterable[SourceFailure] = ()) -> AppliedState:
        return cls(tuple(sets), tuple(failures))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sets": [
                {
                    "label": s.label,
                    "env": s.env,
                    "schema": s.schema,
                    "source": s.source,
                    "kind": s.kind,
                    "applied": len(s.rows),
                }
                for s in self.sets
            ],
            "failures": [
                {"label": f.label, "env": f.env, "schema": f.schema, "source": f.source, "message": f.message}
                for f in self.failures
            ],
        }
