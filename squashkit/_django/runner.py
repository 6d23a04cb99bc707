"""Start the Django subprocess, hand it a payload, decode its result or its error; see the package docstring."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import squashkit.codec as codec
from squashkit._syspath import pythonpath
from squashkit.errors import DjangoError

__all__ = ["DEFAULT_TIMEOUT", "MIGRATE_TIMEOUT", "MIGRATING_ACTIONS", "TIMEOUT_ENV", "resolve_timeout", "run_action"]

#: Seconds a Django subprocess may run unless ``timeout=`` or ``$SQUASHKIT_DJANGO_TIMEOUT`` say otherwise.
DEFAULT_TIMEOUT = 600.0
#: The same for the actions that migrate whole databases (a fresh migrate of a project with thousands of
#: migrations takes tens of minutes on SQLite; deps verification runs two): a guard against a hang, not a budget.
MIGRATE_TIMEOUT = 6 * 3600.0
#: Actions that migrate (or replay the whole plan on) temporary databases: their time grows with the project.
MIGRATING_ACTIONS = frozenset(
    {"verify", "proof.schema", "proof.sql", "squash.generate", "squash.optimize", "squash.prove"}
    | {"verify.migrate", "verify.schemas"}
)
TIMEOUT_ENV = "SQUASHKIT_DJANGO_TIMEOUT"


def resolve_timeout(timeout: float | None = None, action: str | None = None) -> float | None:
    """``timeout``, else ``$SQUASHKIT_DJANGO_TIMEOUT``, else :data:`DEFAULT_TIMEOUT` (:data:`MIGRATE_TIMEOUT`
    for an action of :data:`MIGRATING_ACTIONS`); ``0`` (or less) means none."""
    default = MIGRATE_TIMEOUT if action in MIGRATING_ACTIONS else DEFAULT_TIMEOUT
    if timeout is None:
        text = os.environ.get(TIMEOUT_ENV, "").strip()
        try:
            timeout = float(text) if text else default
        except ValueError:
            timeout = default
    return timeout if timeout > 0 else None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def run_action(
    root: Path,
    settings: str,
    action: str,
    payload: Any = None,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    databases: Mapping[str, Any] | None = None,
) -> Any:
    """Run the registered ``action`` with ``payload`` in a Django subprocess for the project at ``root``.

    The subprocess runs in ``root`` with ``DJANGO_SETTINGS_MODULE=settings`` (``env`` adds or overrides
    variables) and sets Django up before the action runs.  ``databases`` replaces the project's whole
    ``DATABASES`` setting before Django is set up (the proofs' temporary databases: no configured alias can
    then be reached).  Returns the action's result as decoded by
    :mod:`squashkit.codec` (tuples come back as lists).  Raises :class:`~squashkit.errors.DjangoError`.
    """
    root = Path(root).resolve()
    environ = dict(os.environ)
    environ["DJANGO_SETTINGS_MODULE"] = settings
    environ["PYTHONPATH"] = pythonpath(root, environ, settings)
    environ["PYTHONDONTWRITEBYTECODE"] = "1"
    if env:
        environ.update(env)
    limit = resolve_timeout(timeout, action)
    read_fd, write_fd = os.pipe()
    reader: _Reader | None = None
    argv = [sys.executable, "-B", "-P", "-m", "squashkit._django.child", action, str(write_fd)]
    request = codec.dumps_json(
        {"root": str(root), "settings": settings, "payload": payload, "databases": dict(databases or {})}
    )
    try:
        with subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environ,
            cwd=str(root),
            pass_fds=(write_fd,),
        ) as proc:
            os.close(write_fd)
            write_fd = -1
            reader = _Reader(read_fd)
            try:
                _out, err = proc.communicate(request, timeout=limit)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise DjangoError(
                    f"timed out after {limit:g} s (set {TIMEOUT_ENV} to allow longer, 0 for no limit)",
                    action=action,
                    settings=settings,
                    stage="timeout",
                ) from None
            data = reader.result()
    finally:
        if write_fd >= 0:
            os.close(write_fd)
        if reader is None:
            os.close(read_fd)
    stderr = err.decode("utf-8", "replace")
    if not data:
        from squashkit._where import traceback_where

        last = _last_line(stderr)
        reason = last + traceback_where(stderr, root) if last else f"the Django subprocess exited {proc.returncode}"
        raise DjangoError(reason, action=action, settings=settings, stage="crash", stderr=stderr)
    answer = codec.loads_json(data)
    error = answer.get("error")
    if error is not None:
        raise DjangoError(
            error["reason"],
            action=action,
            settings=settings,
            stage=error["stage"],
            path=error.get("path"),
            line=error.get("line"),
            exception=error.get("exception"),
            stderr=stderr,
        )
    return answer["result"]


class _Reader:
    """Reads the result descriptor on a thread (a large result must not block the child)."""

    def __init__(self, fd: int) -> None:
        import threading

        self.chunks: list[bytes] = []
        self.fd = fd
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with os.fdopen(self.fd, "rb") as handle:
            self.chunks.append(handle.read())

    def result(self) -> bytes:
        self.thread.join()
        return b"".join(self.chunks)
