"""SK106: an app whose squash pressure is high (see :mod:`squashkit.analysis.metrics`)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.rules import get_rule

RULE = get_rule("SK106")


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    threshold = context.thresholds.get("pressure", 50)
    for label, metrics in context.metrics.items():
        if metrics.pressure < threshold:
            continue
        yield RULE.finding(
            message=(
                f"{label}: squash pressure {metrics.pressure} ({metrics.live} migrations since the last squash, "
                f"{metrics.foldable} foldable operations, {metrics.barriers} RunPython/RunSQL barriers)"
            ),
            hint=f"Plan a squash of {label}: `squashkit squash plan --app {label}`.",
            path=app.migrations_path if (app := context.project.apps.get(label)) is not None else None,
        )
