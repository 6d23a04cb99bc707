"""SK302: custom operations and RunSQL whose effect on models squashkit cannot see.

Their dependencies are kept as they are by `squashkit deps`; a squash keeps them in place.
"""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK302")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for label in context.apps:
        for migration in context.project.app_migrations(label):
            for op in migration.operations:
                if op.category != "custom":
                    continue
                yield RULE.finding(
                    message=f"{migration.key}: custom operation {op.kind}; its dependencies are kept as written",
                    hint="Give the operation a `references_model()` or keep the migration out of squashes.",
                    path=migration.path,
                    line=op.line,
                    migration=migration.key,
                )
