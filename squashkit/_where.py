"""Where an error raised by project code happened: ``file:line``, for messages about Django loads.

Django's own messages (``SyntaxError: invalid syntax``, ``ModuleNotFoundError: No module named 'x'``) do not
say which project file raised them; these helpers find it in the exception (or in a subprocess's traceback
text): a SyntaxError's own file and line, else the innermost frame inside the project (none: nothing added).
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

__all__ = ["describe", "exception_where", "traceback_where"]

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)


def _shown(path: str, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return path


def _pick(frames: list[tuple[str, int]], root: Path | None) -> tuple[str, int] | None:
    inside = [f for f in frames if root is not None and _inside(f[0], root)]
    return inside[-1] if inside else None


def _inside(path: str, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError):
        return False
    return not _library(path)


_OWN = str(Path(__file__).resolve().parent)


def _library(path: str) -> bool:
    return (
        path.startswith("<")
        or path.startswith(_OWN)
        or any(part in path for part in ("site-packages", "dist-packages", "/lib/python"))
    )


def exception_where(exc: BaseException, root: Path | None = None) -> str:
    """`` (at path:line)`` for ``exc``, or "" when no project file is involved."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return f" (at {_shown(exc.filename, root)}:{exc.lineno})"
    frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)]
    found = _pick(frames, root)
    return f" (at {_shown(found[0], root)}:{found[1]})" if found else ""


def traceback_where(text: str, root: Path | None = None) -> str:
    """:func:`exception_where` for a traceback printed by a subprocess (its last ``File ..., line N`` lines)."""
    frames = [(m["file"], int(m["line"])) for m in _FRAME.finditer(text)]
    last_line = text.strip().splitlines()[-1] if text.strip() else ""
    if frames and last_line.startswith(("SyntaxError", "IndentationError", "TabError")):
        file, line = frames[-1]
        return f" (at {_shown(file, root)}:{line})"
    found = _pick(frames, root)
    return f" (at {_shown(found[0], root)}:{found[1]})" if found else ""


def describe(exc: BaseException, root: Path | None = None) -> str:
    """``Type: message (at path:line)``; a SyntaxError's message without Python's own ``(file, line N)``."""
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return f"{type(exc).__name__}: {message}{exception_where(exc, root)}"
