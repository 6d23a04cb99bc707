"""SK106: an app whose squash pressure is high (see :mod:`squashkit.analysis.metrics`)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register


@register("SK106", "squash-pressure", Severity.INFO, "App that would gain much from a squash")
def check(context: AnalysisContext) -> Iterator[Finding]:
    threshold = context.thresholds.get("pressure", 50)
    for label, metrics in context.metrics.items():
        if metrics.pressure < threshold:
            continue
        yield Finding(
            code="SK106",
            severity=Severity.INFO,
            message=(
                f"{label}: squash pressure {metrics.pressure} ({metrics.live} migrations since the last squash, "
                f"{metrics.foldable} foldable operations, {metrics.barriers} RunPython/RunSQL barriers)"
            ),
            hint=f"Plan a squash of {label}: `squashkit squash plan --app {label}`.",
        )
