"""SK202: a dependency already implied by another dependency of the same migration."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register


@register("SK202", "redundant-dependency", Severity.WARNING, "Transitively implied dependency")
def check(context: AnalysisContext) -> Iterator[Finding]:
    for edge, declared_by, line in context.redundant:
        yield Finding(
            code="SK202",
            severity=Severity.WARNING,
            message=f"{edge.child} depends on {edge.parent}, already implied through {edge.via}",
            hint="Implied by the graph as it is; `squashkit deps` says if it can go once other edges are narrowed.",
            path=context.path_of(declared_by),
            line=line,
            migration=declared_by,
            related=(edge.parent, edge.via),
        )
