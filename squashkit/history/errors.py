"""Errors of the applied-state layer; every message is redacted (no password ever appears)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from squashkit.errors import SquashkitError

__all__ = [
    "AllSourcesFailedError",
    "EnvironmentNotFoundError",
    "HistoryError",
    "NoSourceError",
    "SnapshotError",
    "SourceError",
]


class HistoryError(SquashkitError):
    """Base class of the errors of :mod:`squashkit.history`."""


class SourceError(HistoryError):
    """One source (database, schema, snapshot) could not be read.  Collected as a ``SourceFailure``."""

    def __init__(self, env: str, source: str, reason: str, schema: str | None = None) -> None:
        label = f"{env}/{schema}" if schema else env
        super().__init__(f"{label}: {reason} ({source})", env=env, source=source, reason=reason, schema=schema)
        self.env = env
        self.source = source
        self.reason = reason
        self.schema = schema


class EnvironmentNotFoundError(HistoryError):
    """``--env NAME`` names no environment of ``[tool.squashkit.environments]``."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        choices = ", ".join(sorted(known)) or "none configured"
        super().__init__(f"No environment {name!r} (known environments: {choices})", name=name, known=list(known))
        self.name = name


class NoSourceError(HistoryError):
    """Nothing to read applied state from."""


class SnapshotError(HistoryError):
    """A snapshot file cannot be read or written."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}", path=str(path), reason=reason)
        self.path = path


class AllSourcesFailedError(HistoryError):
    """Every source asked for failed; the message lists each failure."""

    def __init__(self, failures: Sequence[str]) -> None:
        super().__init__("no applied-state source could be read:\n  " + "\n  ".join(failures), failures=list(failures))
