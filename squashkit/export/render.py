"""Render DOT text to SVG, PNG or PDF with graphviz's ``dot`` binary (through the ``graphviz`` package).

DOT itself needs no binary: :func:`squashkit.export.dot.to_dot` writes it.  Rendering runs ``dot -T<format>``;
when the binary is not on ``PATH`` :class:`GraphvizNotFoundError` names it.
"""

from __future__ import annotations

from pathlib import Path

import graphviz

from squashkit.errors import SquashkitError, UsageError

__all__ = ["BINARY_FORMATS", "FORMATS", "GraphvizNotFoundError", "RenderError", "format_for", "render"]

#: Output formats, and the file suffixes that select them.
FORMATS = ("dot", "svg", "png", "pdf")
BINARY_FORMATS = ("svg", "png", "pdf")
_SUFFIXES = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}


class GraphvizNotFoundError(SquashkitError):
    """The graphviz ``dot`` binary is needed (SVG/PNG/PDF) but is not on ``PATH``."""

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"rendering {fmt.upper()} needs the graphviz 'dot' binary, which is not on PATH; install graphviz "
            "(e.g. apt-get install graphviz, brew install graphviz) or write DOT instead (-o FILE.dot)",
            format=fmt,
            binary="dot",
        )
        self.format = fmt


class RenderError(SquashkitError):
    """``dot`` ran but failed."""

    def __init__(self, fmt: str, reason: str) -> None:
        super().__init__(f"graphviz 'dot' could not render {fmt.upper()}: {reason}", format=fmt, reason=reason)
        self.format = fmt
        self.reason = reason


def format_for(path: Path | str | None, explicit: str | None = None) -> str:
    """The output format: ``explicit`` when given, else from the file suffix, else DOT (stdout).

    Raises :class:`~squashkit.errors.UsageError` for a suffix that names no known format.
    """
    if explicit:
        if explicit not in FORMATS:
            raise UsageError(f"unknown output format {explicit!r} (choose from {', '.join(FORMATS)})")
        return explicit
    if path is None or str(path) == "-":
        return "dot"
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        known = ", ".join(sorted(_SUFFIXES))
        raise UsageError(
            f"cannot tell the output format of {Path(path).name!r} from its suffix; use one of {known} "
            "or give --format-out"
        )
    return _SUFFIXES[suffix]


def render(dot_source: str, fmt: str) -> bytes:
    """``dot_source`` rendered as ``fmt`` (``svg``, ``png`` or ``pdf``); ``dot`` returns the DOT text itself."""
    if fmt == "dot":
        return dot_source.encode("utf-8")
    if fmt not in BINARY_FORMATS:
        raise UsageError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    try:
        return graphviz.Source(dot_source).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError(fmt) from exc
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr or "")
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        raise RenderError(fmt, lines[-1] if lines else f"exit status {exc.returncode}") from exc
