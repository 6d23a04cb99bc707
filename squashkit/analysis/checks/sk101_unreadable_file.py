"""SK101: a migration file (or an app's apps.py) squashkit could not read; every other file is analysed."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule
from squashkit.rules.problems import problem_rule

RULE = get_rule("SK101")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for problem in context.project.problems:
        rule, hint = problem_rule(problem.code)
        if rule != RULE.code:
            continue
        if problem.app_label is not None and problem.app_label not in context.apps:
            continue
        yield RULE.finding(
            message=f"{problem.message} ({problem.code})",
            hint=hint,
            path=problem.path,
            line=problem.line,
        )
