"""SK104: a dependency cycle (Django's ``CircularDependencyError``)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK104")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for cycle in context.graph.cycles():
        if not any(context.selected(node) for node in cycle):
            continue
        first = cycle[0]
        yield RULE.finding(
            message="circular dependency: " + " -> ".join(str(node) for node in cycle),
            hint="Remove one cross-app dependency of the cycle (see `squashkit deps`), or split a migration.",
            path=context.path_of(first),
            migration=first,
            related=tuple(cycle[1:-1]),
        )
