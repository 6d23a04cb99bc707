"""The project as it was at a git ref, for the markdown report's before/after table (``--before REF``).

The tree of the project folder at ``REF`` is exported with ``git archive`` into a temporary folder (the working
tree is never touched) and loaded statically; the counts are those of :func:`squashkit.report.markdown.counts`.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from squashkit.errors import UsageError

__all__ = ["counts_at"]


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--before: cannot run git: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"--before: git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def counts_at(root: Path, ref: str) -> dict[str, int]:
    """The markdown report's counts of ``root`` at git ``ref``."""
    from squashkit.graph.static import load_static
    from squashkit.report.data import collect_report
    from squashkit.report.markdown import counts

    root = root.resolve()
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    relative = root.relative_to(top).as_posix() if root != top else "."
    archive = _git(top, "archive", "--format=tar", ref, "--", relative)
    with tempfile.TemporaryDirectory(prefix="squashkit-before-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        project = load_static(Path(tmp) / relative, cache=False)
        return counts(collect_report(project, graphs=False))
