"""SK203: a ``__latest__`` dependency on another app, which moves whenever that app gets a migration."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.graph.model import DependencyForm
from squashkit.rules import get_rule

RULE = get_rule("SK203")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for label in context.apps:
        for migration in context.project.app_migrations(label):
            for dep in migration.dependencies:
                if dep.form is DependencyForm.LATEST and dep.key.app_label != label:
                    yield RULE.finding(
                        message=f"{migration.key} depends on {dep.key}, which changes meaning with every new "
                        f"{dep.key.app_label} migration",
                        hint="Depend on the migration that provides what is referenced (`squashkit deps`).",
                        path=migration.path,
                        line=dep.line,
                        migration=migration.key,
                    )
