"""Files changed since a git revision (``squashkit verify --since REF``), asked of ``git`` itself.

The one process squashkit starts outside the Django runner besides graphviz's ``dot``: ``git diff --name-only
REF`` (committed and uncommitted changes against REF) and ``git ls-files --others --exclude-standard`` (new
files not yet added).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from squashkit.errors import SquashkitError

__all__ = ["GitError", "changed_files"]


class GitError(SquashkitError):
    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"cannot list the files changed since {ref!r}: {reason}", ref=ref, reason=reason)


def _git(root: Path, ref: str, *args: str) -> list[str]:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(ref, str(exc)) from None
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        raise GitError(ref, lines[-1] if lines else f"git exited {proc.returncode}")
    return [line for line in proc.stdout.splitlines() if line]


def changed_files(root: Path, ref: str) -> set[Path]:
    """Resolved paths of the files added or changed since ``ref`` (plus untracked ones) under ``root``."""
    top = Path(_git(root, ref, "rev-parse", "--show-toplevel")[0])
    names = _git(root, ref, "diff", "--name-only", "--diff-filter=AMR", ref, "--", ".")
    names += _git(root, ref, "ls-files", "--others", "--exclude-standard", "--full-name", "--", ".")
    return {(top / name).resolve() for name in names}
