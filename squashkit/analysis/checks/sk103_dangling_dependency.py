"""SK103: a dependency on a migration that does not exist (Django's ``NodeNotFoundError``)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK103")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for dangling in context.graph.dangling:
        if not context.selected(dangling.child):
            continue
        declared_by = dangling.declared_by or dangling.child
        if dangling.missing in context.unreadable:  # the file exists: this follows from the SK101 on it
            yield RULE.finding(
                message=f"{declared_by} depends on {dangling.missing}, whose file squashkit could not read "
                f"({context.unreadable[dangling.missing]}): this follows from the SK101 finding on that file",
                hint="Fix or read the unreadable file first (see its SK101 finding); the dependency may be fine.",
                path=context.path_of(declared_by),
                line=dangling.line,
                migration=declared_by,
                related=(dangling.missing,),
            )
            continue
        yield RULE.finding(
            message=f"{declared_by} depends on {dangling.missing}, which does not exist ({dangling.reason})",
            hint="Restore the missing file, or point the dependency at a migration that exists.",
            path=context.path_of(declared_by),
            line=dangling.line,
            migration=declared_by,
            related=(dangling.missing,),
        )
