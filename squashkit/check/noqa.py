"""Inline suppressions: ``# squashkit: noqa: SK201`` (or ``# squashkit: noqa`` for every rule).

At the end of a line of code it suppresses the findings reported on that line (a dependency entry, an
operation); on a line of its own (only the comment) it suppresses them in the whole file.  Codes may be
prefixes and are separated by commas or spaces, as flake8's ``# noqa: E501,W291``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from squashkit.rules import Finding

__all__ = ["Suppressions", "parse_noqa"]

NOQA = re.compile(r"#\s*squashkit:\s*noqa(?::\s*(?P<codes>SK[0-9]*(?:[\s,]+SK[0-9]*)*))?", re.IGNORECASE)
ALL: tuple[str, ...] = ("",)


@dataclass
class Suppressions:
    """The noqa comments of one file: per line, and for the whole file (``ALL``: every code)."""

    lines: dict[int, tuple[str, ...]] = field(default_factory=dict)
    file: tuple[str, ...] = ()

    def suppresses(self, finding: Finding) -> bool:
        codes = self.file + self.lines.get(finding.line, ())
        return any(finding.code.startswith(prefix) for prefix in codes)


def parse_noqa(text: str) -> Suppressions:
    found = Suppressions()
    for number, line in enumerate(text.splitlines(), 1):
        if "noqa" not in line:
            continue
        match = NOQA.search(line)
        if match is None:
            continue
        codes = tuple(c.upper() for c in re.split(r"[\s,]+", match.group("codes") or "") if c) or ALL
        if line.lstrip().startswith("#"):
            found.file += codes
        else:
            found.lines[number] = found.lines.get(number, ()) + codes
    return found


class NoqaIndex:
    """Suppressions of each file, read once (an unreadable file suppresses nothing)."""

    def __init__(self) -> None:
        self._files: dict[Path, Suppressions] = {}

    def suppresses(self, finding: Finding) -> bool:
        if finding.path is None:
            return False
        found = self._files.get(finding.path)
        if found is None:
            try:
                text = finding.path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            found = self._files[finding.path] = parse_noqa(text)
        return found.suppresses(finding)
