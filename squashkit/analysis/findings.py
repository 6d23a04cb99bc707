"""The registry of checks, and what they look at.

A *check* is a small function producing the findings of one rule (:mod:`squashkit.rules`: code, name,
severity, summary, fix and explanation are data there), registered with :func:`register`.  Each check module
in :mod:`squashkit.analysis.checks` is imported by :func:`load_checks`, so adding a check is adding one file.
A check is a pure function of an :class:`AnalysisContext` returning :class:`Finding` records.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from squashkit.analysis.metrics import AppMetrics, app_metrics
from squashkit.graph.graph import MigrationGraph, RedundantEdge
from squashkit.graph.model import DependencyForm, MigrationKey, Project
from squashkit.rules import Finding, Rule, Severity, get_rule, is_selected

if TYPE_CHECKING:
    from squashkit.deps.propose import OverSpecified, Proposal

__all__ = [
    "CHECKS",
    "AnalysisContext",
    "Check",
    "Finding",
    "Severity",
    "Skipped",
    "load_checks",
    "register",
    "run_checks",
]


@dataclass(frozen=True)
class Skipped:
    """An analysis not computed, and why: for the whole project (``apps`` empty) or for some apps."""

    analysis: str
    reason: str
    apps: tuple[str, ...] = ()

    def describe(self) -> str:
        scope = f" for {', '.join(self.apps)}" if self.apps else ""
        return f"{self.analysis.replace('_', ' ')}{scope}: not computed ({self.reason})"

    def to_dict(self) -> dict[str, Any]:
        return {"analysis": self.analysis, "reason": self.reason, "apps": list(self.apps)}


@dataclass
class AnalysisContext:
    """What checks look at: the project, its resolved graph, and the apps selected with ``--app``."""

    project: Project
    graph: MigrationGraph
    apps: list[str]
    thresholds: dict[str, int] = field(default_factory=dict)

    @cached_property
    def cycle_apps(self) -> frozenset[str]:
        """Labels of the apps with a migration on a dependency cycle (empty when the graph is acyclic)."""
        return frozenset(node.app_label for cycle in self.graph.cycles() for node in cycle)

    @cached_property
    def acyclic_graph(self) -> MigrationGraph:
        """The graph the analyses needing acyclicity run on: :attr:`graph` itself, or without the cycle's apps.

        With a cycle, the migrations of every app on it are left out (a dependency on them becomes dangling
        in this graph, so nothing is judged through them): redundancy, over-specification, chains and
        squash windows are still computed for the other apps, and :attr:`skipped` says what was not.
        """
        if not self.cycle_apps:
            return self.graph
        cut = self.cycle_apps
        project = replace(
            self.project,
            migrations={k: v for k, v in self.project.migrations.items() if k.app_label not in cut},
        )
        return project.graph(self.graph.applied)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """The analyses a dependency cycle prevented (empty without a cycle)."""
        if not self.cycle_apps:
            return ()
        cut = tuple(sorted(self.cycle_apps))
        return (
            Skipped("longest_path", "dependency cycle", ()),
            *(Skipped(name, "dependency cycle", cut) for name in _CYCLE_SKIPPED),
        )

    @cached_property
    def unreadable(self) -> dict[MigrationKey, str]:
        """Migrations whose file exists but could not be read (SK101), with the problem code: findings that
        follow from their missing records say so."""
        from squashkit.rules.problems import problem_rule

        return {
            MigrationKey(p.app_label, p.migration): p.code
            for p in self.project.problems
            if p.app_label is not None
            and p.migration is not None
            and problem_rule(p.code).rule == "SK101"
            and MigrationKey(p.app_label, p.migration) not in self.project.migrations
        }

    def selected(self, key: MigrationKey | None) -> bool:
        return key is not None and key.app_label in self.apps

    def path_of(self, key: MigrationKey) -> Path | None:
        migration = self.project.migrations.get(key)
        return migration.path if migration else None

    def dependency_line(self, child: MigrationKey, parent: MigrationKey) -> int:
        migration = self.project.migrations.get(child)
        if migration is None:
            return 0
        for dep in migration.dependencies:
            if dep.key == parent:
                return dep.line
        data = self.graph.edge_data(parent, child) or {}
        return int(data.get("line") or 0)

    @cached_property
    def proposals(self) -> list[Proposal]:
        """Minimal-dependency proposals (static, unverified), computed once for every check that needs them."""
        from squashkit.deps.propose import propose

        graph = self.acyclic_graph
        return propose(graph.project, apps=self._acyclic_apps, graph=graph)

    @cached_property
    def over_specified(self) -> list[OverSpecified]:
        """Cross-app dependencies the proposals remove because a narrower provider exists.

        The ``remove``/``over-specified`` changes of :attr:`proposals`, computed without building the
        proposals (:func:`squashkit.deps.propose.over_specified`).
        """
        from squashkit.deps.propose import over_specified

        graph = self.acyclic_graph
        return over_specified(graph.project, apps=self._acyclic_apps, graph=graph)

    @property
    def _acyclic_apps(self) -> list[str]:
        return [label for label in self.apps if label not in self.cycle_apps]

    @cached_property
    def redundant(self) -> list[tuple[RedundantEdge, MigrationKey, int]]:
        """Transitively implied edges of selected apps, with the migration declaring each and its line."""
        found = []
        graph = self.acyclic_graph
        for edge in graph.redundant_edges():
            data = graph.succ[edge.parent][edge.child]
            declared_by = data.get("declared_by") or edge.child
            if self.selected(declared_by) and not self._swappable(declared_by, edge.parent):
                found.append((edge, declared_by, int(data.get("line") or 0)))
        return found

    def _swappable(self, declared_by: MigrationKey, parent: MigrationKey) -> bool:
        """True when the edge comes from ``swappable_dependency()``: that form stays, even when implied."""
        migration = self.project.migrations.get(declared_by)
        if migration is None:
            return False
        explicit = any(dep.key == parent for dep in migration.dependencies if dep.form is not DependencyForm.SWAPPABLE)
        return not explicit and any(
            dep.form is DependencyForm.SWAPPABLE and dep.key.app_label == parent.app_label
            for dep in migration.dependencies
        )

    @cached_property
    def metrics(self) -> dict[str, AppMetrics]:
        """Per-app metrics of the selected apps (see :mod:`squashkit.analysis.metrics`)."""
        # grouped by app first: each app's row only counts its own
        redundant: dict[str, list[MigrationKey]] = {}
        for _, declared_by, _ in self.redundant:
            redundant.setdefault(declared_by.app_label, []).append(declared_by)
        over: dict[str, list[MigrationKey]] = {}
        for item in self.over_specified:
            over.setdefault(item.migration.app_label, []).append(item.migration)
        return {
            label: app_metrics(
                self.graph,
                label,
                acyclic=None if label in self.cycle_apps else self.acyclic_graph,
                redundant_children=redundant.get(label, ()),
                over_specified_children=over.get(label, ()),
            )
            for label in self.apps
        }


_CYCLE_SKIPPED = ("longest_chain", "redundant", "over_specified", "pressure")

CheckFunction = Callable[[AnalysisContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """A registered check: the rule it reports and the function finding it."""

    rule: Rule
    function: CheckFunction

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def summary(self) -> str:
        return self.rule.summary

    def run(self, context: AnalysisContext) -> Iterator[Finding]:
        yield from self.function(context)


CHECKS: dict[str, Check] = {}


def register(code: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register the check of rule ``code`` (registered in :mod:`squashkit.rules`); the function stays callable."""
    rule = get_rule(code)

    def decorate(function: CheckFunction) -> CheckFunction:
        if code in CHECKS and CHECKS[code].function is not function:
            raise ValueError(f"check code {code} registered twice")
        CHECKS[code] = Check(rule, function)
        return function

    return decorate


def load_checks() -> dict[str, Check]:
    """Import every module of :mod:`squashkit.analysis.checks` (each registers its checks)."""
    from squashkit.analysis import checks

    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")
    return dict(sorted(CHECKS.items()))


def run_checks(
    context: AnalysisContext, *, select: Iterable[str] | None = None, ignore: Iterable[str] = ()
) -> list[Finding]:
    """Run the registered checks whose rule is selected (:func:`squashkit.rules.is_selected`: flake8's
    precedence, the more specific of ``select`` and ``ignore`` wins)."""
    selected = tuple(select or ())
    ignored = tuple(ignore)
    findings: list[Finding] = []
    for code, check in load_checks().items():
        if not is_selected(code, selected, ignored):
            continue
        findings.extend(check.run(context))
    return sorted(findings, key=Finding.sort_key)
