"""SK105: an app with more than one leaf migration (what ``makemigrations --merge`` resolves)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK105")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for label, leaves in context.graph.conflicts().items():
        if label not in context.apps:
            continue
        unread = sorted(k.name for k in context.unreadable if k.app_label == label)
        caused = (
            f"; may follow from the file(s) squashkit could not read ({', '.join(unread)}: see SK101), whose "
            "dependencies are missing from the graph"
            if unread
            else ""
        )
        yield RULE.finding(
            message=f"conflicting migrations in {label}: " + ", ".join(leaf.name for leaf in leaves) + caused,
            hint=f"Run `manage.py makemigrations --merge {label}`, or rebase the newer branch's migration.",
            path=context.path_of(leaves[-1]),
            migration=leaves[-1],
            related=tuple(leaves[:-1]),
        )
