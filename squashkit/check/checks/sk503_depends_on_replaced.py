"""SK503: a migration newer than a squash that depends on a migration the squash replaces."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding
from squashkit.check.checks import register
from squashkit.graph.model import MigrationKey
from squashkit.rules import get_rule

RULE = get_rule("SK503")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    project = context.project
    replaced_by: dict[MigrationKey, MigrationKey] = {}
    for key, migration in sorted(project.migrations.items()):
        for target in migration.replaces:
            replaced_by.setdefault(target, key)
    if not replaced_by:
        return
    for label in context.apps:
        for migration in project.app_migrations(label):
            if migration.key in replaced_by or migration.replaces:
                continue
            for dep in migration.dependencies:
                squash_key = replaced_by.get(dep.key)
                if squash_key is None:
                    continue
                squash = project.migrations[squash_key]
                if migration.generated_on and squash.generated_on and migration.generated_on < squash.generated_on:
                    continue  # written before the squash existed: finalize repoints it
                yield RULE.finding(
                    message=f"{migration.key} depends on {dep.key}, which {squash_key} replaces: depend on the "
                    "squash instead",
                    hint=f"Write ('{squash_key.app_label}', '{squash_key.name}') in its dependencies.",
                    path=migration.path,
                    line=dep.line,
                    migration=migration.key,
                    related=(dep.key, squash_key),
                )
