"""Which PostgreSQL schemas to read: the connection's search path, every schema, or names / glob patterns."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SchemaSelection"]

_GLOB = set("*?[")


@dataclass(frozen=True)
class SchemaSelection:
    """``all`` selects every schema holding ``django_migrations``; else ``patterns`` (names or globs).

    An empty selection (the default) reads ``django_migrations`` through the connection's search path and
    reports it without a schema name.
    """

    all: bool = False
    patterns: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: bool | str | Sequence[str] | None) -> SchemaSelection:
        if value is None or value is False:
            return cls()
        if value is True or value == "*":
            return cls(all=True)
        if isinstance(value, str):
            return cls(patterns=tuple(p.strip() for p in value.split(",") if p.strip()))
        patterns = tuple(value)
        return cls(all=True) if "*" in patterns else cls(patterns=patterns)

    @property
    def search_path(self) -> bool:
        return not self.all and not self.patterns

    @property
    def names(self) -> list[str]:
        """Plain names (not globs): each must exist, else it is reported as a failure."""
        return [p for p in self.patterns if not _GLOB & set(p)]

    @property
    def globs(self) -> list[str]:
        return [p for p in self.patterns if _GLOB & set(p)]

    def select(self, available: Iterable[str]) -> list[str]:
        available = sorted(available)
        if self.all:
            return available
        chosen = {name for name in available if any(fnmatch.fnmatchcase(name, g) for g in self.globs)}
        chosen.update(n for n in self.names if n in available)
        return sorted(chosen)

    def describe(self) -> str:
        if self.all:
            return "all schemas"
        return ", ".join(self.patterns) if self.patterns else "search path"
