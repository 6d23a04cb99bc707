"""SK204: a dependency on a migration whose header says it was generated after the dependent one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from squashkit.analysis.findings import AnalysisContext, Finding
from squashkit.check.checks import register
from squashkit.rules import get_rule

RULE = get_rule("SK204")


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    project = context.project
    for label in context.apps:
        for migration in project.app_migrations(label):
            when = _when(migration.generated_on)
            if when is None:
                continue
            for dep in migration.dependencies:
                parent = project.migrations.get(dep.key)
                # a squash is generated after the migrations that come to depend on it (finalize repoints them)
                if parent is None or parent.replaces or "_squashed_" in parent.key.name:
                    continue
                parent_when = _when(parent.generated_on)
                if parent_when is None or parent_when <= when:
                    continue
                yield RULE.finding(
                    message=f"{migration.key} (generated {migration.generated_on}) depends on {dep.key}, generated "
                    f"later ({parent.generated_on}): a hand-edited or rebased dependency",
                    hint="Check that the order is intended: rebase the migration onto the later one with "
                    "`manage.py makemigrations` (and fix its header), or depend on the migration that existed then.",
                    path=migration.path,
                    line=dep.line,
                    migration=migration.key,
                    related=(dep.key,),
                )
