"""SK201: a cross-app dependency on a later migration than the one providing what is referenced."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register


@register("SK201", "over-specified-dependency", Severity.WARNING, "Cross-app dependency wider than needed")
def check(context: AnalysisContext) -> Iterator[Finding]:
    for proposal, change in context.over_specified:
        replacement = f"; depend on {change.provider} instead" if change.provider else ""
        yield Finding(
            code="SK201",
            severity=Severity.WARNING,
            message=f"{proposal.migration} depends on {change.dependency}: {change.reason}",
            hint=f"`squashkit deps --diff` shows the rewrite{replacement}.",
            path=context.path_of(proposal.migration),
            line=context.dependency_line(proposal.migration, change.dependency),
            migration=proposal.migration,
            related=(change.dependency,),
        )
