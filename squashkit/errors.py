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
    "DjangoError",
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


class DjangoError(SquashkitError):
    """Django failed in the subprocess of :func:`squashkit._django.run_action` (the one typed error of the runner).

    ``reason`` is Django's message (``"Type: text (at app/migrations/0002_x.py:11)"``, the location as
    :mod:`squashkit._where` writes it), ``stage`` what failed (``setup``: settings or app
    loading; ``action``: the action itself; ``timeout``; ``crash``: the process died without an answer),
    ``path``/``line`` the project file and line the error names when it names one (a ``SyntaxError`` in a
    migration, else the deepest traceback frame in the project), ``exception`` the exception's dotted class.
    """

    def __init__(
        self,
        reason: str,
        *,
        action: str,
        settings: str,
        stage: str = "action",
        path: str | Path | None = None,
        line: int | None = None,
        exception: str | None = None,
        stderr: str = "",
        message: str | None = None,
    ) -> None:
        data: dict[str, Any] = {"settings": settings, "reason": reason}
        if path is not None:
            data.update(path=str(path), line=line)
        if message is None:
            message = f"Django failed ({stage}) running {action!r} with settings {settings!r}: {reason}"
        super().__init__(message, **data)
        self.reason = reason
        self.action = action
        self.settings = settings
        self.stage = stage
        self.path = Path(path) if path is not None else None
        self.line = line
        self.exception = exception
        self.stderr = stderr


class DjangoLoadError(DjangoError):
    """Django itself could not be set up or could not load the migrations."""

    def __init__(self, settings: str, reason: str, *, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(
            reason,
            action="load",
            settings=settings,
            stage="load",
            path=path,
            line=line,
            message=f"Django could not load migrations with settings {settings!r}: {reason}",
        )


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
