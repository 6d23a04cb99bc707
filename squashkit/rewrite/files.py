"""Rewrite results per file, as data; nothing is written here (a :class:`~squashkit.rewrite.changeset.ChangeSet`
built from the ``changed`` results writes them, all or nothing).

``status`` is ``changed`` (``after`` differs), ``unchanged`` (the rewrite is a no-op), ``refused`` (squashkit
will not touch the file, e.g. the migration is applied somewhere; ``reason`` says where) or ``failed`` (the
file cannot be rewritten safely; ``reason`` says why).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from squashkit.graph.model import Dependency
from squashkit.rewrite.lists import RewriteError, rewrite_source

__all__ = ["RewriteResult", "refused", "rewrite_file"]

Status = Literal["changed", "unchanged", "refused", "failed"]


@dataclass(frozen=True)
class RewriteResult:
    path: Path
    status: Status
    reason: str = ""
    before: str = ""
    after: str = ""

    def diff(self, root: Path | None = None) -> str:
        """A unified diff of the change (empty unless ``changed``), paths relative to ``root``."""
        if self.status != "changed":
            return ""
        shown = self.path
        if root is not None:
            try:
                shown = self.path.relative_to(root)
            except ValueError:
                shown = self.path
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{shown.as_posix()}",
                tofile=f"b/{shown.as_posix()}",
            )
        )


def _read(path: Path) -> str:
    # Keep the file's bytes: newline="" preserves \r\n, utf-8 is what Django writes.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def rewrite_file(
    path: Path,
    edits: Mapping[str, Sequence[Dependency]],
    *,
    settings: Mapping[str, str] | None = None,
    expected: Mapping[str, Sequence[Dependency]] | None = None,
) -> RewriteResult:
    """Compute the rewrite of one file (nothing is written)."""
    try:
        before = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        return RewriteResult(path, "failed", f"cannot read: {exc}")
    try:
        after = rewrite_source(before, edits, settings=settings, expected=expected)
    except RewriteError as exc:
        return RewriteResult(path, "failed", exc.reason, before, before)
    return RewriteResult(path, "changed" if after != before else "unchanged", "", before, after)


def refused(path: Path, reason: str) -> RewriteResult:
    """A result for a file squashkit will not rewrite."""
    return RewriteResult(path, "refused", reason)
