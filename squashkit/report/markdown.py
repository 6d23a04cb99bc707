"""``squashkit report --format markdown``: the body of a cleanup pull request.

What the project looks like now (apps, migration files, graph nodes and edges, the operations a fresh
``migrate`` runs, findings by severity), compared with ``--before REF`` when given (the same counts of the
project at that git ref), then the findings left by rule, the dependency changes still proposed, the squash
plan when there is one, and the environments.  A pure function of :class:`~squashkit.report.data.ReportData`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from squashkit.graph.graph import NodeKind
from squashkit.report.data import ReportData
from squashkit.rules import Severity, get_rule

__all__ = ["NEEDS_GRAPHS", "counts", "render"]

NEEDS_GRAPHS = False

#: (key, label) of the counts table, in order
ROWS = (
    ("apps", "apps"),
    ("files", "migration files"),
    ("nodes", "graph nodes (what a fresh migrate runs)"),
    ("edges", "dependency edges"),
    ("cross_app_edges", "cross-app edges"),
    ("operations", "operations in a fresh migrate"),
    ("errors", "errors"),
    ("warnings", "warnings"),
    ("info", "info"),
)


def counts(data: ReportData) -> dict[str, int]:
    """The numbers compared before/after: sizes of the graph Django runs on a fresh database and findings."""
    totals = data.analysis.totals
    graph = data.graph
    migrations = data.project.migrations
    operations = sum(
        len(migrations[key].operations)
        for key, kind in graph.kinds.items()
        if kind == NodeKind.MIGRATION and key in migrations
    )
    by_severity = Counter(f.severity for f in data.analysis.findings)
    return {
        "apps": totals.apps,
        "files": sum(row.migrations for row in data.analysis.apps),
        "nodes": totals.nodes,
        "edges": totals.edges,
        "cross_app_edges": totals.cross_app_edges,
        "operations": operations,
        "errors": by_severity[Severity.ERROR],
        "warnings": by_severity[Severity.WARNING],
        "info": by_severity[Severity.INFO],
    }


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _change(before: int, now: int) -> str:
    delta = now - before
    return "0" if delta == 0 else f"{delta:+d}"


def render(data: ReportData, before: Mapping[str, int] | None = None) -> str:
    before = before if before is not None else data.before
    now = counts(data)
    lines = [f"## squashkit report: `{data.name}`", ""]
    if before is not None:
        lines += _table(
            ["", f"before ({data.before_label})" if data.before_label else "before", "now", "change"],
            [[label, before.get(key, 0), now[key], _change(before.get(key, 0), now[key])] for key, label in ROWS],
            "lrrr",
        )
    else:
        lines += _table(["", "now"], [[label, now[key]] for key, label in ROWS], "lr")
    findings = data.analysis.findings
    lines += ["", f"### Findings left ({len(findings)})", ""]
    if findings:
        by_code = Counter(f.code for f in findings)
        rows = [[code, get_rule(code).name, get_rule(code).severity.value, n] for code, n in sorted(by_code.items())]
        lines += _table(["rule", "name", "severity", "count"], rows, "lllr")
        root = data.root
        lines += [""] + [f"- `{f.location(root) or '.'}` {f.code}: {f.message}" for f in findings]
    else:
        lines.append("None.")
    pending = [p for p in data.proposals if p.pending]
    lines += ["", f"### Dependency changes still proposed ({len(pending)})", ""]
    if pending:
        for proposal in pending:
            parts = [
                f"{c.action} {c.dependency}" + (f" ({c.reason})" if c.reason else "")
                for c in proposal.changes
                if c.action != "keep"
            ]
            lines.append(f"- `{proposal.migration}`: " + "; ".join(parts))
        lines += ["", "`squashkit deps --diff` shows them; `squashkit deps --fix` writes the verified ones."]
    else:
        lines.append(data.proposals_note or "None.")
    plan = data.plan
    ranges = getattr(plan, "ranges", None) if plan is not None else None
    lines += ["", "### Squash plan", ""]
    if ranges:
        for item in ranges:
            lines.append(f"- `{item.app}`: {item.first} .. {item.last} ({len(item.members)} migrations)")
    else:
        lines.append(data.plan_note or "Nothing to squash.")
    if data.history is not None:
        lines += ["", "### Environments", ""]
        rows = [[s.label, len(s.applied), len(s.pending), len(s.stale)] for s in data.history.statuses]
        lines += _table(["environment", "applied", "pending", "stale"], rows, "lrrr")
        problems = [f for f in data.history.findings if f.severity.at_least(Severity.WARNING)]
        lines += [
            "",
            f"{len(problems)} history inconsistenc{'y' if len(problems) == 1 else 'ies'} (errors and warnings).",
        ]
    return "\n".join(lines) + "\n"
