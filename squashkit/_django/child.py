"""The Django subprocess: ``python -B -P -m squashkit._django.child ACTION FD`` (started by :func:`run_action`).

Reads ``{"root", "settings", "payload"}`` as JSON on stdin, makes the project importable, sets Django up,
runs the registered action and writes ``{"result": ...}`` or ``{"error": {...}}`` as JSON to descriptor
``FD``.  The project's own output (a settings module that prints) goes to stderr: descriptor 1 is pointed
there before anything of the project runs.
"""

from __future__ import annotations

import os
import sys

sys.dont_write_bytecode = True  # before any further import: nothing of the project gets a __pycache__

import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from types import TracebackType  # noqa: E402
from typing import Any  # noqa: E402

__all__ = ["describe_error", "main"]


def _location(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """The project file and line an error names: a SyntaxError's own, else the deepest frame in the project."""
    if isinstance(exc, SyntaxError) and exc.filename and not exc.filename.startswith("<"):
        return str(Path(exc.filename).resolve()), exc.lineno
    found: tuple[str | None, int | None] = (None, None)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # the exception, then what it was raised from
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        for frame, line in traceback.walk_tb(tb):
            filename = frame.f_code.co_filename
            if filename.startswith("<"):
                continue
            path = Path(filename).resolve()
            if path.is_relative_to(root) and not any(part in (".venv", "site-packages") for part in path.parts):
                found = (str(path), line)
        if found[0] is not None:
            return found
        current = current.__cause__ or current.__context__
    return found


def describe_error(exc: BaseException, root: Path, stage: str) -> dict[str, Any]:
    """``exc`` as the runner's error record: ``Type: message``, the stage, and a project file:line if any.

    A :class:`~squashkit.errors.DjangoError` raised by squashkit's own code in the subprocess (the Django
    loader wraps what ``MigrationLoader`` raised) passes its ``reason`` on, located by its cause.
    """
    from squashkit._where import describe
    from squashkit.errors import DjangoError

    reason = describe(exc, root)
    if isinstance(exc, DjangoError):
        reason = exc.reason
        if exc.path is not None:
            return {
                "stage": stage,
                "reason": reason,
                "exception": exc.exception,
                "path": str(exc.path),
                "line": exc.line,
            }
        exc = exc.__cause__ or exc
    path, line = _location(exc, root)
    return {
        "stage": stage,
        "reason": reason,
        "exception": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "path": path,
        "line": line,
    }


def main(argv: list[str]) -> int:
    action_name, fd = argv[0], int(argv[1])
    out = os.fdopen(fd, "wb")
    os.dup2(2, 1)  # the project's prints (even from C) go to stderr, never into the result
    sys.stdout = sys.stderr
    from squashkit import codec

    request = codec.loads_json(sys.stdin.buffer.read())
    root = Path(request["root"])
    answer: dict[str, Any]
    try:
        from squashkit._django.actions import get_action
        from squashkit._syspath import add_to_sys_path

        function = get_action(action_name)
        add_to_sys_path(root, request["settings"])
        try:
            import django

            if request.get("databases"):
                from django.conf import settings

                settings.DATABASES = request["databases"]  # before any connection exists
            django.setup()
        except Exception as exc:
            answer = {"error": describe_error(exc, root, "setup")}
        else:
            try:
                answer = {"result": function(request["payload"])}
            except Exception as exc:
                answer = {"error": describe_error(exc, root, "action")}
    except Exception as exc:  # an unknown action, or squashkit itself failing
        answer = {"error": describe_error(exc, root, "action")}
    out.write(codec.dumps_json(answer))
    out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
