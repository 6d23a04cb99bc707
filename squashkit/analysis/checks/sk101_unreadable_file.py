"""SK101: a migration file (or an app's apps.py) squashkit could not read; every other file is analysed."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register

CODES = {"syntax", "encoding", "no-migration-class", "unreadable", "duplicate-label", "bad-apps-py"}


@register("SK101", "unreadable-file", Severity.ERROR, "A migration file could not be parsed")
def check(context: AnalysisContext) -> Iterator[Finding]:
    for problem in context.project.problems:
        if problem.code not in CODES:
            continue
        if problem.app_label is not None and problem.app_label not in context.apps:
            continue
        yield Finding(
            code="SK101",
            severity=Severity.ERROR,
            message=f"{problem.message} ({problem.code})",
            hint="Django will fail to import this file too; fix it before squashing or rewriting.",
            path=problem.path,
            line=problem.line,
        )
