"""SK201: a cross-app dependency on a later migration than the one providing what is referenced."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK201")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for item in context.over_specified:
        replacement = f"; depend on {item.provider} instead" if item.provider else ""
        yield RULE.finding(
            message=f"{item.migration} depends on {item.dependency}: {item.reason}",
            hint=f"`squashkit deps --diff` shows the rewrite{replacement}.",
            path=context.path_of(item.migration),
            line=context.dependency_line(item.migration, item.dependency),
            migration=item.migration,
            related=(item.dependency,),
        )
