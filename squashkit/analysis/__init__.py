"""Metrics and checks over a loaded project: what ``squashkit analyze`` reports.

>>> from squashkit import load_static
>>> from squashkit.analysis import analyze
>>> report = analyze(load_static("sample_project"))        # doctest: +SKIP
>>> [f.code for f in report.findings]                       # doctest: +SKIP
['SK201', 'SK201', 'SK202', ...]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from squashkit._gc import gc_paused
from squashkit.analysis.findings import (
    CHECKS,
    AnalysisContext,
    Check,
    Finding,
    Severity,
    load_checks,
    run_checks,
)
from squashkit.analysis.metrics import AppMetrics, Totals, totals
from squashkit.analysis.report import SCHEMA_VERSION, Report
from squashkit.errors import AppNotFoundError
from squashkit.graph.model import MigrationKey, Project

__all__ = [
    "CHECKS",
    "SCHEMA_VERSION",
    "AnalysisContext",
    "AppMetrics",
    "Check",
    "Finding",
    "Report",
    "Severity",
    "Totals",
    "analyze",
    "load_checks",
    "run_checks",
]


def analyze(
    project: Project,
    *,
    apps: Iterable[str] | None = None,
    applied: Iterable[MigrationKey] = (),
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    thresholds: Mapping[str, int] | None = None,
) -> Report:
    """Compute per-app metrics, project totals and findings.

    ``apps`` restricts rows and findings to those labels (the graph is still the whole project's);
    ``applied`` is an applied set for Django's ``replaces`` rules (default: nothing applied, as on a fresh
    database).  Raises :class:`AppNotFoundError` for an unknown label.
    """
    known = project.project_apps
    labels = sorted(set(apps)) if apps else known
    for label in labels:
        if label not in known:
            raise AppNotFoundError(label, known)
    with gc_paused():  # allocation-heavy, nothing cyclic to collect (see squashkit._gc)
        return _analyze(project, labels, applied, select, ignore, thresholds)


def _analyze(
    project: Project,
    labels: list[str],
    applied: Iterable[MigrationKey],
    select: Iterable[str] | None,
    ignore: Iterable[str],
    thresholds: Mapping[str, int] | None,
) -> Report:
    graph = project.graph(applied)
    context = AnalysisContext(project, graph, labels, dict(thresholds or {}))
    findings = run_checks(context, select=select, ignore=ignore)
    rows = tuple(context.metrics[label] for label in labels)
    return Report(
        project=project,
        apps=rows,
        totals=totals(project, graph, rows, apps=labels),
        findings=tuple(findings),
        skipped=context.skipped,
    )
