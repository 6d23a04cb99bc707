"""SK202: a dependency already implied by another dependency of the same migration."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK202")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for edge, declared_by, line in context.redundant:
        yield RULE.finding(
            message=f"{edge.child} depends on {edge.parent}, already implied through {edge.via}",
            hint="Implied by the graph as it is; `squashkit deps` says if it can go once other edges are narrowed.",
            path=context.path_of(declared_by),
            line=line,
            migration=declared_by,
            related=(edge.parent, edge.via),
        )
