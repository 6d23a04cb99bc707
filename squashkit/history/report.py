"""``squashkit history show`` as data: statuses per set, findings, and the matrix across sets.

Sets recorded identically (same rows, same snapshot hashes) share one graph, one status and one diagnosis,
so a database with 1,000 tenant schemas at a few migration points costs a few graph builds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from squashkit.graph.graph import MigrationGraph
from squashkit.graph.helpers import squashes as all_squashes
from squashkit.graph.model import MigrationKey, Project
from squashkit.history.diagnose import Finding, counts, diagnose_status, finding_dict, group_findings
from squashkit.history.model import AppliedSet, AppliedState, SourceFailure
from squashkit.history.status import SetStatus, set_status

__all__ = ["HistoryReport", "StateGroup", "history_report"]


@dataclass(frozen=True)
class StateGroup:
    """Sets that are recorded identically: one column of the compact matrix."""

    name: str  # "A", "B", ...
    statuses: tuple[SetStatus, ...]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.statuses]

    @property
    def status(self) -> SetStatus:
        return self.statuses[0]


@dataclass(frozen=True)
class HistoryReport:
    project: Project
    statuses: tuple[SetStatus, ...]
    failures: tuple[SourceFailure, ...]
    findings: tuple[Finding, ...]
    groups: tuple[StateGroup, ...]

    @property
    def exit_code(self) -> int:
        """2 when every source failed, 1 with error/warning findings, else 0."""
        if not self.statuses and self.failures:
            return 2
        return 1 if any(counts(f) for f in self.findings) else 0

    def rows(self) -> list[MigrationKey]:
        """Matrix rows: every project migration file, then stale recorded names, sorted."""
        keys = set(k for k in self.project.migrations if self.project.in_project(k))
        for status in self.statuses:
            keys.update(s.key for s in status.stale)
        return sorted(keys)

    def matrix(self, *, compact: bool | None = None) -> tuple[list[str], list[tuple[MigrationKey, list[str]]]]:
        """``(column headers, [(migration, [state per column])])``; compact: one column per state group."""
        compact = len(self.statuses) > 8 if compact is None else compact
        if compact:
            headers = [f"{g.name} ({len(g.statuses)})" if len(g.statuses) > 1 else g.labels[0] for g in self.groups]
            columns = [g.status for g in self.groups]
        else:
            headers = [s.label for s in self.statuses]
            columns = list(self.statuses)
        return headers, [(key, [c.state_of(key) for c in columns]) for key in self.rows()]

    def counts(self) -> list[tuple[MigrationKey, dict[str, int]]]:
        """Per migration, in how many sets it is ``applied``, ``pending``, ``stale`` or ``unused``."""
        out = []
        for key in self.rows():
            tally = {"applied": 0, "pending": 0, "stale": 0, "unused": 0}
            for group in self.groups:
                state = group.status.state_of(key)
                if state in tally:
                    tally[state] += len(group.statuses)
            out.append((key, tally))
        return out

    def to_dict(self) -> dict[str, Any]:
        compact = len(self.statuses) > 8
        headers, matrix = self.matrix(compact=compact)
        return {
            "project": str(self.project.root),
            "sets": [s.to_dict() for s in self.statuses],
            "failures": [
                {"label": f.label, "env": f.env, "schema": f.schema, "source": f.source, "message": f.message}
                for f in self.failures
            ],
            "states": [{"state": g.name, "sets": g.labels} for g in self.groups],
            "findings": [finding_dict(f) for f in self.findings],
            "matrix": {
                # more than 8 sets: one column per state (see "states"), else one per set
                "compact": compact,
                "columns": headers,
                "rows": [
                    {"migration": str(key), "states": dict(zip(headers, cells, strict=True))} for key, cells in matrix
                ],
            },
            "exit_code": self.exit_code,
        }


def _group_key(applied_set: AppliedSet) -> tuple[Any, ...]:
    hashes = tuple(sorted(applied_set.hashes.items())) if applied_set.kind == "snapshot" else ()
    return (applied_set.applied, hashes, applied_set.taken)


def _state_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def history_report(project: Project, state: AppliedState) -> HistoryReport:
    """Statuses, grouped findings and state groups of every set of ``state``."""
    templates: dict[tuple[Any, ...], tuple[SetStatus, list[Finding]]] = {}
    # The graph depends on the applied set only through which squashes are fully / partly / not applied.
    squashes = sorted(all_squashes(project).items())
    graphs: dict[tuple[int, ...], MigrationGraph] = {}

    def graph_for(recorded: frozenset[MigrationKey]) -> MigrationGraph:
        signature = tuple(sum(t in recorded for t in replaces) for _, replaces in squashes)
        outcome = tuple(0 if n == 0 else 2 if n == len(r) else 1 for n, (_, r) in zip(signature, squashes, strict=True))
        if outcome not in graphs:
            graphs[outcome] = project.graph(recorded)
        return graphs[outcome]

    members: dict[tuple[Any, ...], list[SetStatus]] = {}
    statuses: list[SetStatus] = []
    keys: list[tuple[Any, ...]] = []
    for applied_set in state.sets:
        key = _group_key(applied_set)
        keys.append(key)
        if key not in templates:
            template = set_status(project, applied_set, graph_for(applied_set.applied))
            templates[key] = (template, diagnose_status(template))
            status = template
        else:
            status = dataclasses.replace(templates[key][0], set=applied_set)
        members.setdefault(key, []).append(status)
        statuses.append(status)
    findings = group_findings((status.label, templates[key][1]) for status, key in zip(statuses, keys, strict=True))
    groups = tuple(StateGroup(_state_name(i), tuple(group)) for i, group in enumerate(members.values()))
    return HistoryReport(project, tuple(statuses), state.failures, tuple(findings), groups)
