"""SK502: a squashed migration that still refers to a module it replaces (unported RunPython/RunSQL code)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding
from squashkit.check.checks import register
from squashkit.rules import get_rule

RULE = get_rule("SK502")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    from squashkit.squash.lifecycle import unported_references

    for label in context.apps:
        for migration in context.project.app_migrations(label):
            if not migration.replaces:
                continue
            for ref in unported_references(migration):
                what = f"`{ref.function}` from " if ref.function else ""
                yield RULE.finding(
                    message=f"{migration.key} uses {what}{ref.module}, a module it replaces: it breaks once the "
                    "replaced files are deleted",
                    hint="Copy the function into the squashed file and point the operation at the copy.",
                    path=migration.path,
                    line=ref.line,
                    migration=migration.key,
                )
