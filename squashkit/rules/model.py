"""The values of the rule registry: :class:`Severity`, :class:`Rule` and the one :class:`Finding` type.

Every finding squashkit reports (analysis checks, applied-history diagnosis, squash and verify steps,
``squashkit check``) is a :class:`Finding` of a registered :class:`Rule`.  A rule is data: its code, a
kebab-case name, a default severity, a one-line summary, the squashkit command that fixes it (or ``""``) and
an explanation in markdown, shown by ``squashkit rule CODE``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from squashkit.graph.model import MigrationKey

__all__ = ["Finding", "Rule", "Severity"]


class Severity(StrEnum):
    ERROR = "error"  # Django would refuse to migrate (or squashkit could not read a file)
    WARNING = "warning"  # works today, hurts squashes and reviews
    INFO = "info"  # worth knowing before a squash

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for info: findings sort most severe first."""
        return _RANKS[self.value]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or more severe (``WARNING.at_least(INFO)``)."""
        return self.rank <= other.rank


_RANKS = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Rule:
    """A registered rule: what ``squashkit rules`` lists and ``squashkit rule CODE`` explains.

    ``severity`` is the rule's default; a finding may carry another when the rule says so in its explanation
    (a partially applied squash is a warning, an error once replaced files are missing).  ``fix`` is the
    squashkit command that fixes it (``""`` when a person has to: squashkit then says what to do in the
    finding's hint).  ``explanation`` is markdown with the sections *What it does*, *Why is this bad?*,
    *Example* and *How to fix*.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    fix: str = ""
    explanation: str = ""

    def finding(self, message: str, **fields: Any) -> Finding:
        """A :class:`Finding` of this rule (its default severity unless ``severity=`` is given)."""
        severity = fields.pop("severity", self.severity)
        return Finding(self.code, severity, message, **fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "summary": self.summary,
            "fix": self.fix,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Finding:
    """One problem found, with where it is and what to do about it.

    ``migration`` is the migration the finding is about and ``related`` the others it names; ``labels`` are
    the applied-state sources (``env`` or ``env/schema``) a history finding was seen in.  ``hint`` is the fix
    to consider, as a sentence.  The code must be registered (:func:`squashkit.rules.register_rule`).
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""
    path: Path | None = None
    line: int = 0
    migration: MigrationKey | None = None
    related: tuple[MigrationKey, ...] = ()
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from squashkit.rules.registry import get_rule

        get_rule(self.code)  # raises UnknownRuleError for a code no rule registers

    @property
    def rule(self) -> Rule:
        from squashkit.rules.registry import get_rule

        return get_rule(self.code)

    @property
    def name(self) -> str:
        """The rule's kebab-case name (``over-specified-dependency``)."""
        return self.rule.name

    @property
    def migrations(self) -> tuple[MigrationKey, ...]:
        """``migration`` then ``related``: every migration the finding names."""
        return (self.migration, *self.related) if self.migration is not None else self.related

    def location(self, root: Path | None = None) -> str:
        """``path:line`` (relative to ``root`` when inside it), the path alone, else the migration."""
        if self.path is None:
            return str(self.migration) if self.migration else ""
        shown = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                shown = self.path.relative_to(root)
        return f"{shown}:{self.line}" if self.line else str(shown)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.severity.rank, self.code, str(self.path or ""), self.line, self.message)

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        """The JSON form of ``squashkit analyze`` (schema_version 1)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "location": self.location(root),
            "migration": str(self.migration) if self.migration else None,
            "related": [str(k) for k in self.related],
        }
