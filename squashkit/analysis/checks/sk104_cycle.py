"""SK104: a dependency cycle (Django's ``CircularDependencyError``)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register


@register("SK104", "cycle", Severity.ERROR, "Circular dependency between migrations")
def check(context: AnalysisContext) -> Iterator[Finding]:
    for cycle in context.graph.cycles():
        if not any(context.selected(node) for node in cycle):
            continue
        first = cycle[0]
        yield Finding(
            code="SK104",
            severity=Severity.ERROR,
            message="circular dependency: " + " -> ".join(str(node) for node in cycle),
            hint="Remove one cross-app dependency of the cycle (see `squashkit deps`), or split a migration.",
            path=context.path_of(first),
            migration=first,
            related=tuple(cycle[1:-1]),
        )
