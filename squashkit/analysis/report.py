"""The result of :func:`squashkit.analysis.analyze`, and its JSON form.

JSON schema (``schema_version`` 1; fields are only ever added within a version)::

    {
      "schema_version": 1,
      "squashkit_version": "0.1.0",
      "project": "/abs/path",             # analysed directory
      "source": "static" | "django",      # which loader read the files
      "apps": [ {                          # one per project app (or per --app), sorted by label
          "app": "inventory", "migrations": 31, "squashed": 0,
          "deps_in": 3, "deps_out": 4,     # cross-app edges: others -> this app / this app -> others
          "longest_chain": 31, "run_python": 2, "run_sql": 1, "irreversible": 1,
          "redundant": 1, "over_specified": 1, "leaves": 1,
          "live": 31, "foldable": 12, "barriers": 2,
          "pressure": 43, "pressure_level": "medium" } ],
      "totals": { "apps", "nodes", "edges", "cross_app_edges", "longest_path": ["app.name", ...],
                  "longest_path_length", "cycles", "conflicts", "dangling", "redundant",
                  "over_specified", "file_problems", "run_python", "run_sql", "irreversible" },
      "findings": [ { "code": "SK201", "severity": "error|warning|info", "message", "hint",
                      "location": "relative/path.py:LINE", "migration": "app.name" | null,
                      "related": ["app.name", ...] } ],
      "skipped": [ { "analysis": "longest_path" | "longest_chain" | "redundant" | "over_specified" | "pressure",
                     "reason": "dependency cycle", "apps": ["alpha", ...] } ],   # apps [] = whole project
      "problems": [ { "location": "path:line", "code": "syntax", "message": "..." } ]   # unreadable files
    }
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from squashkit.analysis.findings import Finding, Severity, Skipped
from squashkit.analysis.metrics import AppMetrics, Totals
from squashkit.graph.model import Project

__all__ = ["SCHEMA_VERSION", "Report"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Report:
    project: Project
    apps: tuple[AppMetrics, ...]
    totals: Totals
    findings: tuple[Finding, ...]
    #: analyses not computed (a dependency cycle), so a 0 in their columns is not read as "none found"
    skipped: tuple[Skipped, ...] = ()

    def is_skipped(self, analysis: str, app: str | None = None) -> bool:
        return any(s.analysis == analysis and (not s.apps or app in s.apps) for s in self.skipped)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def to_dict(self) -> dict[str, Any]:
        from squashkit import __version__

        root = self.project.root
        return {
            "schema_version": SCHEMA_VERSION,
            "squashkit_version": __version__,
            "project": str(root),
            "source": self.project.source,
            "apps": [row.to_dict() for row in self.apps],
            "totals": self.totals.to_dict(),
            "findings": [f.to_dict(root) for f in self.findings],
            "skipped": [s.to_dict() for s in self.skipped],
            "problems": [
                {"location": p.location(root), "code": p.code, "message": p.message} for p in self.project.problems
            ],
        }
