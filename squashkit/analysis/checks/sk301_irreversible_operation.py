"""SK301: RunPython without ``reverse_code`` / RunSQL without ``reverse_sql`` (migrate backwards stops here)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK301")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for label in context.apps:
        for migration in context.project.app_migrations(label):
            for op in migration.operations:
                if op.reversible:
                    continue
                reverse = "reverse_code" if op.category == "python" else "reverse_sql"
                yield RULE.finding(
                    message=f"{migration.key}: {op.kind} has no {reverse}",
                    hint=f"Add {reverse} (RunPython.noop / RunSQL.noop when nothing must be undone).",
                    path=migration.path,
                    line=op.line,
                    migration=migration.key,
                )
