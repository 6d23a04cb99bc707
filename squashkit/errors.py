"""Exceptions raised by squashkit's library code.

Every error squashkit raises on purpose subclasses :class:`SquashkitError` and carries its data as
attributes, in the manner of Django's ``NodeNotFoundError(message, node, origin)``.  The CLI turns them
into clean messages and exit codes; library code never prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "AppNotFoundError",
    "ConfigError",
    "CycleError",
    "DjangoLoadError",
    "ProjectNotFoundError",
    "SquashkitError",
    "UsageError",
]


class SquashkitError(Exception):
    """Base class of every error squashkit raises on purpose.

    ``message`` is the human sentence; ``data`` holds the machine-readable details (paths, keys, names).
    ``exit_code`` is what the CLI exits with: 2 means "usage or input error".
    """

    exit_code: int = 2

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data: dict[str, Any] = data

    def __str__(self) -> str:
        return self.message


class ProjectNotFoundError(SquashkitError):
    """The project directory does not exist or holds no Django migrations package."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}", path=str(path), reason=reason)
        self.path = path


class AppNotFoundError(SquashkitError):
    """An app label asked for (``--app``) is not part of the project."""

    def __init__(self, label: str, known: list[str]) -> None:
        choices = ", ".join(sorted(known)) or "none"
        super().__init__(f"No app with label {label!r} (known apps: {choices})", label=label, known=known)
        self.label = label


class ConfigError(SquashkitError):
    """``[tool.squashkit]`` in pyproject.toml is malformed."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: [tool.squashkit]: {reason}", path=str(path), reason=reason)
        self.path = path


class DjangoLoadError(SquashkitError):
    """Django itself could not be set up or could not load the migrations."""

    def __init__(self, settings: str, reason: str) -> None:
        super().__init__(
            f"Django could not load migrations with settings {settings!r}: {reason}",
            settings=settings,
            reason=reason,
        )
        self.settings = settings
        self.reason = reason


class UsageError(SquashkitError):
    """Options that do not make sense together, or that need something the project lacks."""


class CycleError(SquashkitError):
    """The migration graph has a dependency cycle, so what needs an apply order cannot be computed."""

    def __init__(self, cycles: list[list[Any]], what: str) -> None:
        shown = "; ".join(" -> ".join(str(node) for node in cycle) for cycle in cycles)
        super().__init__(
            f"dependency cycle (SK104): {shown}; {what} cannot be computed until it is broken: "
            "remove one dependency of the cycle (`squashkit analyze` shows it)",
            cycles=[[str(node) for node in cycle] for cycle in cycles],
        )
