"""Baselines: the findings a project accepted when adopting ``squashkit check``; only new ones fail.

A finding's fingerprint is its code, its file (relative to the project), the migrations it names and its
message, without the line: moving a dependency entry or adding lines above it keeps the fingerprint.  The
file counts each fingerprint, so a second identical finding is new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from squashkit.errors import SquashkitError
from squashkit.rules import Finding

__all__ = ["BaselineError", "baseline_dict", "fingerprint", "new_findings", "read_baseline"]

SCHEMA_VERSION = 1


class BaselineError(SquashkitError):
    """A baseline file that cannot be read."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: baseline: {reason}", path=str(path), reason=reason)
        self.path = path


def _relative(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def fingerprint(finding: Finding, root: Path) -> str:
    parts = [finding.code, _relative(finding.path, root), [str(k) for k in finding.migrations], finding.message]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:20]


def baseline_dict(findings: Iterable[Finding], root: Path) -> dict[str, Any]:
    from squashkit import __version__

    entries = [
        {"fingerprint": fingerprint(f, root), "code": f.code, "location": f.location(root), "message": f.message}
        for f in findings
    ]
    return {"schema_version": SCHEMA_VERSION, "squashkit_version": __version__, "findings": entries}


def read_baseline(path: Path) -> Counter[str]:
    """Fingerprint counts of a baseline file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(path, "no such file (write one with --write-baseline)") from exc
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BaselineError(path, f"cannot read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(path, "not a squashkit baseline (no findings list)")
    counts: Counter[str] = Counter()
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(path, "not a squashkit baseline (an entry without fingerprint)")
        counts[entry["fingerprint"]] += 1
    return counts


def new_findings(findings: Sequence[Finding], accepted: Counter[str], root: Path) -> tuple[list[Finding], int]:
    """The findings not in the baseline (in order), and how many were accepted by it."""
    left = Counter(accepted)
    new: list[Finding] = []
    for finding in findings:
        key = fingerprint(finding, root)
        if left[key] > 0:
            left[key] -= 1
        else:
            new.append(finding)
    return new, len(findings) - len(new)
