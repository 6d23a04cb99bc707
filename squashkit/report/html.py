"""The self-contained HTML report: one file, inline CSS, JS, SVG and data; nothing fetched, nothing dated.

:func:`render_html` is a pure function of a :class:`~squashkit.report.data.ReportData`: the same data (and
the same graphviz for its SVG) gives the same bytes.  Paths are relative to the project; the project is named
by its folder name only.  A Content-Security-Policy forbids every network request from the page.

The page (``assets/report.html``, ``report.css``, ``report.js``, shipped as package data) holds:

* a summary (apps, migrations, edges, cycles, findings by severity, squash pressure);
* the app-level graph, pannable and zoomable (wheel, drag); a click on an app opens its migration-level
  graph and its table of migrations (each app's SVG waits in a ``<template>`` until opened);
* a search box: a migration highlighted with its ancestors and descendants, its file and line, its declared
  and proposed minimal dependencies, its findings and where it is applied;
* the sortable table of apps, the findings with file:line, the dependency proposals, the squash plan and the
  environment matrix.

Static tables are written here; the per-migration data is one JSON document (``<script id="sk-data">``) that
the script reads.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

from squashkit.graph.model import MigrationKey
from squashkit.report.data import ReportData, relative

__all__ = ["NEEDS_GRAPHS", "render", "render_html"]

#: The page shows the SVG graphs (see :func:`squashkit.report.needs_graphs`).
NEEDS_GRAPHS = True

_SEVERITIES = ("error", "warning", "info")


@cache
def _asset(name: str) -> str:
    return (files("squashkit.report") / "assets" / name).read_text(encoding="utf-8")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _json_script(data: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>`` and ``&`` escaped, stable key order."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(
    headers: Sequence[tuple[str, str]],
    rows: Iterable[Sequence[str]],
    *,
    table_id: str = "",
    sortable: bool = True,
    row_attrs: Sequence[str] = (),
) -> str:
    """A table; ``headers`` are ``(label, kind)`` with kind ``num`` (sorted as numbers) or ``text``.

    Cells are HTML already (callers escape); rows are written in the order given, the i-th with the
    attributes ``row_attrs[i]`` (HTML) when given.
    """
    rows = list(rows)
    attrs = f' id="{table_id}"' if table_id else ""
    attrs += ' class="sk-table sk-sortable"' if sortable else ' class="sk-table"'
    head = "".join(f'<th data-kind="{kind}">{_e(label)}</th>' for label, kind in headers)
    body = "\n".join(
        (f"<tr {row_attrs[i]}>" if row_attrs else "<tr>") + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _code(text: object) -> str:
    return f"<code>{_e(text)}</code>"


def _mig(key: MigrationKey | str) -> str:
    """A migration name that opens it in the search panel."""
    return f'<a href="#" class="sk-mig" data-key="{_e(key)}">{_e(key)}</a>'


# -- the data the script reads -------------------------------------------------------------------------------


def _keys(data: ReportData) -> list[MigrationKey]:
    """Every migration the script knows, in the order of its list: graph nodes and the project's files."""
    project = data.project
    return sorted(set(data.graph.kinds) | {k for k in project.migrations if project.in_project(k)})


def _index(data: ReportData) -> dict[MigrationKey, int]:
    return {key: i for i, key in enumerate(_keys(data))}


def _model(data: ReportData) -> dict[str, Any]:
    project, graph, root = data.project, data.graph, data.root
    keys = _keys(data)
    index = {key: i for i, key in enumerate(keys)}
    app_labels = sorted({k.app_label for k in keys})
    app_index = {label: i for i, label in enumerate(app_labels)}
    replaced_by: dict[MigrationKey, MigrationKey] = {}
    for outcome in graph.replacements:
        if outcome.used:
            for key in outcome.replaces:
                replaced_by[key] = outcome.replacement
    history = data.history
    columns: list[Any] = list(history.statuses) if history is not None else []
    dirs = {label: relative(app.migrations_path, root) for label, app in project.apps.items()}
    ref = _refs(index)
    migrations = []
    for key in keys:
        info = project.migrations.get(key)
        entry: dict[str, Any] = {"k": str(key), "a": app_index[key.app_label]}
        if key in graph.kinds:
            entry["p"] = [index[p] for p in graph.parents(key) if p in index]
        else:
            entry["p"] = []
            entry["out"] = 1  # not a node of the graph
        if key in replaced_by:
            entry["rb"] = str(replaced_by[key])
        if info is not None:
            path = relative(info.path, root)
            if path != f"{dirs.get(key.app_label)}/{key.name}.py":
                entry["f"] = path  # else the script derives it from the app's folder
            lines = [d.line for d in info.dependencies if d.line] + [op.line for op in info.operations if op.line]
            if lines:
                entry["l"] = min(lines)
            entry["d"] = [
                [ref(d.key) if d.setting is None else f"{d.key} ({d.setting})", d.line] for d in info.dependencies
            ]
            entry["o"] = len(info.operations)
            code = [name for cat, name in (("python", "RunPython"), ("sql", "RunSQL")) if info.count(cat)]
            if code:
                entry["c"] = ", ".join(code)
            if info.replaces:
                entry["r"] = len(info.replaces)
            if info.irreversible_count:
                entry["irr"] = info.irreversible_count
        elif key in graph.kinds:
            entry["x"] = graph.kind(key).value  # external or missing
        if columns:
            entry["s"] = [status.state_of(key) for status in columns]
        migrations.append(entry)
    # Messages and reasons are read from the tables' rows (data-f, data-p): the page holds them once.
    findings = [
        {
            "code": f.code,
            "sev": f.severity.value,
            "loc": _location(f, root),
            "m": index.get(f.migration, -1) if f.migration else -1,
        }
        for f in data.analysis.findings
    ]
    proposals: dict[str, Any] = {}
    for p in data.proposals:
        if p.migration not in index:
            continue
        if p.pending:  # a migration of a project app without an entry: nothing to change
            proposals[str(index[p.migration])] = {
                "st": p.verification.status if p.verification is not None else "unverified",
                "pr": [ref(d.key) if d.setting is None else _dep_text(d) for d in p.proposed],
            }
    return {
        "project": data.name,
        "apps": [
            {
                "label": label,
                "ext": label not in project.project_apps,
                "svg": data.graphs is not None and label in data.graphs.per_app,
                "dir": dirs.get(label, ""),
            }
            for label in app_labels
        ],
        "envs": [status.label for status in columns],
        "m": migrations,
        "findings": findings,
        "proposals": proposals,
        "proposals_analysed": bool(data.proposals),
    }


def _refs(index: dict[MigrationKey, int]) -> Any:
    """A migration as its index in the script's list when it has one, else as text."""

    def ref(key: MigrationKey) -> int | str:
        found = index.get(key)
        return str(key) if found is None else found

    return ref


def _location(f: Any, root: Any) -> str:
    if f.path is None:
        return ""
    path = relative(f.path, root)
    return f"{path}:{f.line}" if f.line else path


def _dep_text(dep: Any) -> str:
    return f"{dep.key} ({dep.setting})" if dep.setting else str(dep.key)


# -- static sections -----------------------------------------------------------------------------------------


def _summary(data: ReportData) -> str:
    t = data.analysis.totals
    counts = {s: sum(1 for f in data.analysis.findings if f.severity.value == s) for s in _SEVERITIES}
    levels = {lvl: [r.app for r in data.analysis.apps if r.pressure_level == lvl] for lvl in ("high", "medium")}
    top = sorted(data.analysis.apps, key=lambda r: (-r.pressure, r.app))[:5]
    cards = [
        ("apps", str(t.apps), ""),
        ("migrations", str(t.nodes), ""),
        ("edges", str(t.edges), f"{t.cross_app_edges} cross-app"),
        ("cycles", str(t.cycles), "Django refuses to migrate" if t.cycles else ""),
        ("conflicts", str(t.conflicts), "apps with several leaves" if t.conflicts else ""),
        ("errors", str(counts["error"]), ""),
        ("warnings", str(counts["warning"]), ""),
        ("info", str(counts["info"]), ""),
        (
            "squash pressure",
            f"{len(levels['high'])} high, {len(levels['medium'])} medium",
            "top: " + ", ".join(f"{r.app} {r.pressure}" for r in top) if top else "",
        ),
    ]
    parts = []
    for label, value, note in cards:
        cls = " sk-alert" if label in ("cycles", "conflicts", "errors") and value != "0" else ""
        parts.append(
            f'<div class="sk-card{cls}"><div class="sk-card-value">{_e(value)}</div>'
            f'<div class="sk-card-label">{_e(label)}</div>'
            + (f'<div class="sk-card-note">{_e(note)}</div>' if note else "")
            + "</div>"
        )
    extra = []
    if t.longest_path:
        extra.append(
            f"Longest path: {len(t.longest_path)} migrations, "
            f"from {_mig(t.longest_path[0])} to {_mig(t.longest_path[-1])}."
        )
    problems = data.project.problems
    if problems:
        extra.append(f"{len(problems)} file(s) could not be fully read (see findings SK101/SK102).")
    return '<div class="sk-cards">' + "".join(parts) + "</div>" + "".join(f"<p>{line}</p>" for line in extra)


_APP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("migrations", "migrations", "migration files"),
    ("squashed", "squashed", "squashed migrations (with replaces)"),
    ("deps_in", "in", "cross-app dependencies on the app (others need it)"),
    ("deps_out", "out", "cross-app dependencies of the app"),
    ("longest_chain", "chain", "longest chain within the app"),
    ("run_python", "RunPython", "RunPython operations"),
    ("run_sql", "RunSQL", "RunSQL operations"),
    ("irreversible", "irreversible", "irreversible operations"),
    ("redundant", "redundant", "transitively redundant dependencies"),
    ("over_specified", "over-specified", "over-specified cross-app dependencies"),
    ("leaves", "leaves", "leaf nodes (more than 1: conflict)"),
    ("pressure", "pressure", "squash pressure 0-100 (20 medium, 50 high)"),
)


def _apps_table(data: ReportData) -> str:
    headers = [("app", "text")] + [(label, "num") for _, label, _ in _APP_COLUMNS]
    rows = []
    for row in data.analysis.apps:
        cells = [f'<a href="#" class="sk-app" data-app="{_e(row.app)}">{_e(row.app)}</a>']
        for attr, _, _ in _APP_COLUMNS:
            value = getattr(row, attr)
            if attr == "pressure":
                cells.append(f'<span class="sk-press-{row.pressure_level}">{value}</span>')
            else:
                cells.append(str(value))
        rows.append(cells)
    legend = "; ".join(f"{label}: {text}" for _, label, text in _APP_COLUMNS)
    return (
        _table(headers, rows, table_id="sk-apps-table")
        + f'<p class="sk-legend">{_e(legend)}. Click a header to sort.</p>'
    )


def _findings_table(data: ReportData) -> str:
    root = data.root
    if not data.analysis.findings:
        return "<p>No finding.</p>"
    rows = []
    for f in data.analysis.findings:
        location = _location(f, root)
        message = _e(f.message) + (f'<div class="sk-hint">{_e(f.hint)}</div>' if f.hint else "")
        rows.append(
            [
                f'<span class="sk-sev sk-sev-{f.severity.value}">{_e(f.severity.value)}</span>',
                _e(f.code),
                _code(location) if location else "",
                _mig(f.migration) if f.migration is not None else "",
                message,
            ]
        )
    headers = [("severity", "sev"), ("code", "text"), ("file:line", "text"), ("migration", "text"), ("message", "text")]
    attrs = [f'data-f="{i}"' for i in range(len(rows))]
    return _table(headers, rows, table_id="sk-findings-table", row_attrs=attrs)


def _proposals_table(data: ReportData) -> str:
    pending = [p for p in data.proposals if p.pending]
    if data.proposals_note:
        intro = f"<p>{_e(data.proposals_note)}</p>"
    else:
        verified = [p for p in pending if p.verification is not None]
        intro = (
            f"<p>{len(pending)} migration(s) with dependencies to change"
            + (
                ""
                if verified
                else " (static proposals, not verified with Django: <code>squashkit deps</code> verifies them)"
            )
            + ". <code>squashkit deps --diff</code> shows the rewrites, <code>--fix</code> writes them.</p>"
        )
    if not pending:
        return intro + ("" if data.proposals_note else "<p>No dependency to change.</p>")
    index = _index(data)
    rows = []
    attrs = []
    for p in pending:
        status: str = p.verification.status if p.verification is not None else "unverified"
        if p.verification is not None and p.verification.reason:
            status += f": {p.verification.reason}"
        for c in p.changes:
            if c.action == "keep":
                continue
            attrs.append(f'data-p="{index[p.migration]}"' if p.migration in index else "")
            rows.append(
                [
                    _mig(p.migration),
                    _code(relative(p.path, data.root)) if p.path else "",
                    f'<span class="sk-act-{c.action}">{_e(c.action)}</span>',
                    _code(c.dependency),
                    _e(c.reason_code),
                    _e(c.reason),
                    _e(status),
                ]
            )
    headers = [
        ("migration", "text"),
        ("file", "text"),
        ("action", "text"),
        ("dependency", "text"),
        ("reason code", "text"),
        ("reason", "text"),
        ("status", "text"),
    ]
    return intro + _table(headers, rows, table_id="sk-proposals-table", row_attrs=attrs)


def _plan_section(data: ReportData) -> str:
    plan = data.plan
    if plan is None:
        return f"<p>{_e(data.plan_note)}</p>" if data.plan_note else ""
    ranges = list(getattr(plan, "ranges", ()))
    if not ranges:
        return "<p>No squash proposed: no app has enough migrations to fold.</p>"
    rows = []
    for r in ranges:
        members = getattr(r, "members", ())
        barriers = getattr(r, "barriers", ())
        bound = getattr(r, "bound_by", "") or ""
        rows.append(
            [
                f'<a href="#" class="sk-app" data-app="{_e(r.app)}">{_e(r.app)}</a>',
                _mig(MigrationKey(r.app, r.first) if isinstance(r.first, str) else r.first),
                _mig(MigrationKey(r.app, r.last) if isinstance(r.last, str) else r.last),
                str(len(members)),
                str(getattr(r, "ops_before", "")),
                str(getattr(r, "ops_after_estimate", "")),
                _e(", ".join(str(b) for b in barriers) if not isinstance(barriers, int) else barriers),
                _e(bound if isinstance(bound, str) else ", ".join(str(b) for b in bound)),
            ]
        )
    headers = [
        ("app", "text"),
        ("first", "text"),
        ("last", "text"),
        ("migrations", "num"),
        ("operations", "num"),
        ("after (estimate)", "num"),
        ("barriers", "text"),
        ("bounded by", "text"),
    ]
    return f"<p>{len(ranges)} range(s) to squash; <code>squashkit squash plan</code> explains each.</p>" + _table(
        headers, rows, table_id="sk-plan-table"
    )


_STATE_CLASS = {
    "applied": "sk-st-applied",
    "pending": "sk-st-pending",
    "stale": "sk-st-stale",
    "unused": "sk-st-unused",
}
_SYMBOLS = {"applied": "✓", "pending": "·", "stale": "✗", "unused": "~", "-": ""}


def _environments(data: ReportData) -> str:
    from squashkit.history.redact import redact_dsn

    history = data.history
    if history is None:
        return f"<p>{_e(data.history_note)}</p>"
    prefix = str(data.root).rstrip("/\\") + "/"

    def shown(text: str) -> str:  # masked, and paths inside the project relative to it
        return redact_dsn(text).replace(prefix, "")

    parts = []
    summary = [
        [_e(s.label), str(len(s.applied)), str(len(s.pending)), str(len(s.stale)), _code(shown(s.set.source))]
        for s in history.statuses
    ]
    parts.append(
        _table(
            [("set", "text"), ("applied", "num"), ("pending", "num"), ("stale", "num"), ("source", "text")],
            summary,
            table_id="sk-env-table",
        )
    )
    if history.failures:
        parts.append("<p>Sources that could not be read:</p><ul>")
        parts += [
            f"<li><b>{_e(f.label)}</b>: {_e(shown(f.message))} ({_code(shown(f.source))})</li>"
            for f in history.failures
        ]
        parts.append("</ul>")
    if history.statuses:
        headers, rows = history.matrix(compact=len(history.statuses) > 8)
        differing = [(key, cells) for key, cells in rows if any(c != "applied" for c in cells)]
        body = []
        for key, cells in differing:
            body.append(
                [_mig(key)]
                + [
                    f'<span class="{_STATE_CLASS.get(c, "")}" title="{_e(c)}">{_SYMBOLS.get(c, _e(c))}</span>'
                    for c in cells
                ]
            )
        same = len(rows) - len(differing)
        parts.append(
            f"<p>Matrix of the migrations not applied everywhere ({len(differing)}; "
            f"{same} applied in every set are left out). ✓ applied, · pending, ✗ stale (recorded, no file), "
            "~ not in the graph (replaced by a squash in use), blank: not recorded.</p>"
        )
        if len(history.statuses) > 8:
            parts.append(
                "<ul>"
                + "".join(f"<li>state {_e(g.name)}: {_e(', '.join(g.labels))}</li>" for g in history.groups)
                + "</ul>"
            )
        if body:
            parts.append(
                _table([("migration", "text")] + [(h, "text") for h in headers], body, table_id="sk-matrix-table")
            )
    if history.findings:
        parts.append("<p>Inconsistencies:</p><ul>")
        for f in history.findings:
            parts.append(
                f"<li><b>{_e(f.severity)} {_e(f.code)}</b> {_e(f.name)} in {_e(', '.join(f.labels))}: "
                f"{_e(f.message)}. Fix: {_e(f.hint)}</li>"
            )
        parts.append("</ul>")
    return "\n".join(parts)


def _graph_section(data: ReportData) -> str:
    graphs = data.graphs
    if graphs is None:
        return "<p>Graphs were not rendered for this report.</p>"
    parts = []
    if graphs.apps is not None:
        parts.append(
            '<div class="sk-toolbar"><button type="button" data-zoom="in" title="Zoom in">+</button>'
            '<button type="button" data-zoom="out" title="Zoom out">&minus;</button>'
            '<button type="button" data-zoom="fit" title="Fit">fit</button>'
            '<span class="sk-legend">Wheel: zoom, drag: pan, click an app: its migrations.</span></div>'
            f'<div class="sk-viewport" id="sk-apps-graph">{graphs.apps}</div>'
        )
    if graphs.note:
        parts.append(f'<p class="sk-note">{_e(graphs.note)}</p>')
    return "\n".join(parts)


_EDGE_TITLE = re.compile(r'<g class="edge">\s*<title>([^<]*)</title>')


def _templates(data: ReportData) -> str:
    """Each app's SVG as the text of a ``<script type="text/x-svg">``, parsed only when the app is opened (a
    page with a hundred apps loads in half the time than with ``<template>`` elements, which are parsed with
    the page); edge titles become ``data-e="PARENT CHILD"`` (indexes of the script's list)."""
    if data.graphs is None:
        return ""
    index = {str(key): i for key, i in _index(data).items()}

    def edge(match: re.Match[str]) -> str:
        parent, _, child = html.unescape(match.group(1)).partition("->")
        if parent in index and child in index:
            return f'<g class="edge" data-e="{index[parent]} {index[child]}">'
        return match.group(0)

    parts = []
    for app, svg in sorted(data.graphs.per_app.items()):
        text = _EDGE_TITLE.sub(edge, svg)
        lowered = text.lower()
        if "</script" in lowered or "<!--" in lowered:  # cannot be script text (graphviz escapes "<" in labels)
            parts.append(f'<template id="sk-svg-{_e(app)}">{text}</template>')
        else:
            parts.append(f'<script type="text/x-svg" id="sk-svg-{_e(app)}">{text}</script>')
    return "\n".join(parts)


def render_html(data: ReportData) -> str:
    """The whole page (see the module docstring)."""
    from squashkit import __version__

    sections = {
        "summary": _summary(data),
        "graph": _graph_section(data),
        "apps": _apps_table(data),
        "findings": _findings_table(data),
        "proposals": _proposals_table(data),
        "plan": _plan_section(data),
        "environments": _environments(data),
    }
    page = _asset("report.html")
    values = {
        "name": _e(data.name),
        "version": _e(__version__),
        "css": _asset("report.css"),
        "js": _asset("report.js"),
        "data": _json_script(_model(data)),
        "templates": _templates(data),
        "findings_count": str(len(data.analysis.findings)),
        "plan_hidden": "" if data.plan is not None or data.plan_note else " hidden",
        **{f"section_{name}": text for name, text in sections.items()},
    }
    # One pass over the template: a value that contains "{{" is never expanded again.
    out = []
    rest = page
    while True:
        start = rest.find("{{")
        if start < 0:
            out.append(rest)
            break
        end = rest.index("}}", start)
        out.append(rest[:start])
        out.append(values[rest[start + 2 : end].strip()])
        rest = rest[end + 2 :]
    return "".join(out)


#: The renderer of ``squashkit report --format html`` (see :data:`squashkit.report.FORMATS`).
render = render_html
