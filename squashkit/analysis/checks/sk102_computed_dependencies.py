"""SK102: ``dependencies`` / ``replaces`` / ``run_before`` that cannot be evaluated without importing code."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register
from squashkit.graph.model import MigrationKey

CODES = {"computed-dependencies", "computed-replaces", "computed-run-before", "unknown-setting"}


@register("SK102", "computed-dependencies", Severity.WARNING, "Dependencies squashkit cannot read statically")
def check(context: AnalysisContext) -> Iterator[Finding]:
    for problem in context.project.problems:
        if problem.code not in CODES:
            continue
        if problem.app_label is not None and problem.app_label not in context.apps:
            continue
        key = MigrationKey(problem.app_label, problem.migration) if problem.app_label and problem.migration else None
        yield Finding(
            code="SK102",
            severity=Severity.WARNING,
            message=f"{problem.message} ({problem.code})",
            hint="Write the list as literal tuples, or pass --settings to load through Django.",
            path=problem.path,
            line=problem.line,
            migration=key,
        )
