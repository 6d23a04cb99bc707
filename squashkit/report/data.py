"""What a report shows, gathered once from the library: :class:`ReportData`, frozen.

Every renderer (:mod:`squashkit.report.html`, and any other format registered in :data:`squashkit.report.FORMATS`)
is a pure function of a :class:`ReportData`: the data comes from the same calls as the other commands

* :func:`squashkit.analysis.analyze` (metrics, totals, findings),
* :func:`squashkit.deps.propose.propose` (minimal dependency proposals, verified or not),
* :func:`squashkit.history.report.history_report` (environment matrix; sources never hold a password),
* the squash plan (:mod:`squashkit.squash.plan`) when that module is present,

and the graphs, rendered once by :func:`squashkit.report.graphs.render_graphs` when a renderer needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from squashkit.analysis import Report, analyze
from squashkit.graph.graph import MigrationGraph
from squashkit.graph.model import MigrationKey, Project

if TYPE_CHECKING:
    from squashkit.deps.propose import Proposal
    from squashkit.history.model import AppliedState
    from squashkit.history.report import HistoryReport

__all__ = ["Graphs", "ReportData", "collect_report", "plan_available", "relative", "removable_edges"]


@dataclass(frozen=True)
class Graphs:
    """Inline SVG of the app-level graph and of each app's migration-level graph.

    ``note`` says why graphs are missing (no ``dot`` binary, a render error), empty when they are all there.
    """

    apps: str | None = None
    per_app: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows.  ``root`` only serves to make paths relative: renderers never show it."""

    name: str
    root: Path
    analysis: Report
    graph: MigrationGraph
    proposals: tuple[Proposal, ...] = ()
    proposals_note: str = ""
    history: HistoryReport | None = None
    history_note: str = ""
    plan: Any = None  # squashkit.squash.plan.SquashPlan when available
    plan_note: str = ""
    graphs: Graphs | None = None
    #: the markdown report's before/after comparison: counts of the project at ``before_label`` (a git ref)
    before: Mapping[str, int] | None = None
    before_label: str = ""

    @property
    def project(self) -> Project:
        return self.analysis.project


def relative(path: Path | None, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form; a path outside the project keeps only its file name."""
    if path is None:
        return ""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def removable_edges(
    graph: MigrationGraph, proposals: Iterable[Proposal]
) -> frozenset[tuple[MigrationKey, MigrationKey]]:
    """Graph edges the proposals remove (kept by none): what the graph draws as proposed for removal."""
    from squashkit.export.dot import declared_edges

    removed: list[tuple[MigrationKey, MigrationKey]] = []
    kept: list[tuple[MigrationKey, MigrationKey]] = []
    for proposal in proposals:
        for change in proposal.changes:
            if change.action == "remove":
                removed.append((change.dependency, proposal.migration))
            elif change.action == "keep":
                kept.append((change.dependency, proposal.migration))
    return declared_edges(graph, removed) - declared_edges(graph, kept)


def plan_available() -> bool:
    """True when this squashkit has the squash planner (``squashkit.squash.plan``)."""
    import importlib.util

    return importlib.util.find_spec("squashkit.squash.plan") is not None


def _plan(project: Project, applied: Any) -> tuple[Any, str]:
    import importlib

    try:
        module = importlib.import_module("squashkit.squash.plan")
    except ImportError:  # the squash planner is not part of this version
        return None, ""
    from squashkit.errors import SquashkitError

    try:
        return module.plan_squashes(project, applied), ""
    except SquashkitError as exc:
        return None, f"no squash plan: {exc.message}"


def collect_report(
    project: Project,
    *,
    applied: AppliedState | None = None,
    proposals: Iterable[Proposal] | None = None,
    proposals_note: str = "",
    graphs: bool = True,
    plan_applied: Any = None,
) -> ReportData:
    """Gather the report of ``project``.

    * ``applied``: the applied state of the environments (none: no environment section);
    * ``proposals``: dependency proposals already computed (e.g. verified with Django); default: the static
      ones of :func:`squashkit.deps.propose.propose`, unverified;
    * ``graphs``: render the SVG graphs with graphviz (a missing ``dot`` binary is a note, not an error);
    * ``plan_applied``: the :class:`squashkit.history.applied.AppliedState` the squash plan is bounded by
      (``None``: planned as on a fresh database).
    """
    from squashkit.deps.propose import propose

    graph = project.graph()
    analysis = analyze(project)
    if proposals is None:
        found = propose(project, graph=graph)
        if not graph.is_acyclic:
            proposals_note = "No proposal: the graph has a dependency cycle."
    else:
        found = list(proposals)
    history = None
    history_note = ""
    if applied is not None and (applied.sets or applied.failures):
        from squashkit.history.report import history_report

        history = history_report(project, applied)
    else:
        history_note = "No environment configured: add [tool.squashkit.environments] or pass --env/--dsn/--snapshot."
    plan, plan_note = _plan(project, plan_applied)
    rendered = None
    if graphs:
        from squashkit.report.graphs import render_graphs

        by_label = applied.by_label() if applied is not None and applied.sets else None
        rendered = render_graphs(graph, removable=removable_edges(graph, found), applied=by_label or None)
    return ReportData(
        name=project.root.name,
        root=project.root,
        analysis=analysis,
        graph=graph,
        proposals=tuple(found),
        proposals_note=proposals_note,
        history=history,
        history_note=history_note,
        plan=plan,
        plan_note=plan_note,
        graphs=rendered,
    )
