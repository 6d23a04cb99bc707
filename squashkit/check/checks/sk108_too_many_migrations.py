"""SK108: an app with more migration files than ``max-migrations`` ([tool.squashkit.check], default 100)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding
from squashkit.check.checks import register
from squashkit.check.config import DEFAULT_MAX_MIGRATIONS
from squashkit.rules import get_rule

RULE = get_rule("SK108")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    maximum = context.thresholds.get("max_migrations", DEFAULT_MAX_MIGRATIONS)
    for label in context.apps:
        count = len(context.project.app_migrations(label))
        if count <= maximum:
            continue
        app = context.project.apps[label]
        yield RULE.finding(
            message=f"{label} has {count} migration files, more than the {maximum} allowed (max-migrations)",
            hint=f"Squash {label}: `squashkit squash plan --app {label}`.",
            path=app.migrations_path,
        )
