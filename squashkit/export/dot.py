"""The migration graph as graphviz DOT text: deterministic, so that a diff of two exports means something.

Same input, byte-identical output: nodes and edges are sorted, attributes are written in a fixed order, every
identifier and value is quoted the same way, and nothing depends on time, paths or hash order.

Migration level (``level="migration"``), one cluster per app::

    +- accounts ----------+      +- sales_orders ----------+
    | 0001_initial        | ---> | 0001_initial            |      blue:        cross-app dependency
    |      |              |      |      |                  |      dashed grey: transitively redundant
    | 0002_profile        |      | 0002_backfill [RunPython]|     dashed orange: proposed for removal
    +---------------------+      +-------------------------+      red: leaf conflict / cycle

* squashed migrations have a double border; the migrations they replace are drawn greyed, with dotted
  "replaced by" arrows to the squash (when the squash cannot be used, the squash is the greyed one);
* migrations with RunPython / RunSQL operations are note-shaped and list them in their label;
* with applied state (one frozenset of keys per environment) nodes are filled by state: applied in every
  environment, applied in some, pending everywhere;
* nodes outside the view (other apps' migrations a selected one depends on, apps outside the project) are
  dashed, outside every cluster, labelled with their full key.

App level (``level="app"``): one node per app, one edge per pair of apps, labelled with the number of
migration-level edges it stands for (and how many of them are redundant or proposed for removal).

Filters (:func:`select`): ``apps`` keeps those apps' migrations, ``since`` keeps a migration and what comes
after it (its descendants), ``with_deps`` adds every migration of other apps the kept ones need (ancestors).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from squashkit.errors import SquashkitError, UsageError
from squashkit.graph.graph import EdgeKind, MigrationGraph, NodeKind
from squashkit.graph.helpers import replaced_by, resolve
from squashkit.graph.model import MigrationKey

__all__ = [
    "LEVELS",
    "Selection",
    "TooManyNodesError",
    "declared_edges",
    "resolve_since",
    "select",
    "to_dot",
]

LEVELS = ("migration", "app")

Edge = tuple[MigrationKey, MigrationKey]
Attrs = list[tuple[str, str]]

# Colours (and their meaning) in one place; the legend is written from the same table.
APPLIED_COLOURS = {"applied": "#a1d99b", "partial": "#fdd49e", "pending": "#ffffff"}
CROSS_APP = "#1f5fbf"
REDUNDANT = "#8c8c8c"
REMOVABLE = "#e6550d"
ALERT = "#d62728"
GREY = "#7f7f7f"
INACTIVE_FILL = "#f0f0f0"


class TooManyNodesError(SquashkitError):
    """The graph to draw has more nodes than the limit asked for."""

    def __init__(self, count: int, limit: int, level: str) -> None:
        super().__init__(
            f"the {level}-level graph has {count} nodes, more than the limit of {limit}",
            count=count,
            limit=limit,
            level=level,
        )
        self.count = count
        self.limit = limit
        self.level = level


# -- selection ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What to draw.

    * ``nodes``: nodes of the project's apps in view (drawn in their app's cluster);
    * ``outside``: direct parents of those nodes that are not in view (filtered-out apps, external apps);
    * ``inactive``: the other half of a squash, which the resolved graph dropped: replaced migrations of a
      squash in use, or a squash that cannot be used (some of what it replaces is applied); maps the key to
      ``(squash, used)``;
    * ``description``: the filters in words, for the title.
    """

    nodes: frozenset[MigrationKey]
    outside: frozenset[MigrationKey]
    inactive: Mapping[MigrationKey, tuple[MigrationKey, bool]] = field(default_factory=dict)
    description: str = ""

    @property
    def drawn(self) -> frozenset[MigrationKey]:
        return self.nodes | self.outside | frozenset(self.inactive)

    def __len__(self) -> int:
        return len(self.drawn)


def resolve_since(graph: MigrationGraph, text: str, apps: Sequence[str] | None = None) -> MigrationKey:
    """The migration ``--since`` names: ``APP.NAME``, or ``NAME`` when exactly one app is selected.

    ``NAME`` may be a unique prefix (``0003``), as with ``manage.py migrate``.  Raises
    :class:`~squashkit.errors.UsageError` with the reason otherwise.
    """
    if "." in text:
        app, _, name = text.partition(".")
    elif apps is not None and len(apps) == 1:
        app, name = apps[0], text
    else:
        raise UsageError(f"--since {text}: give APP.NAME, or NAME together with exactly one --app")
    if app not in graph.project.project_apps:
        known = ", ".join(graph.project.project_apps) or "none"
        raise UsageError(f"--since {text}: no app with label {app!r} (known apps: {known})")
    names = sorted(k.name for k in graph.kinds if k.app_label == app and not k.is_marker)
    if name in names:
        return MigrationKey(app, name)
    matches = [n for n in names if n.startswith(name)]
    if len(matches) == 1:
        return MigrationKey(app, matches[0])
    if not matches:
        for outcome in graph.replacements:
            if outcome.used and MigrationKey(app, name) in outcome.replaces:
                raise UsageError(f"--since {text}: {app}.{name} is replaced by {outcome.replacement}; name the squash")
        raise UsageError(f"--since {text}: app {app!r} has no migration named {name!r} in the graph")
    raise UsageError(f"--since {text}: {name!r} matches several migrations of {app!r}: {', '.join(matches)}")


def _ancestors(graph: MigrationGraph, starts: Iterable[MigrationKey]) -> set[MigrationKey]:
    """Every ancestor of ``starts`` (one backwards walk, not one per node)."""
    pred = graph.pred
    seen: set[MigrationKey] = set()
    stack = list(starts)
    while stack:
        node = stack.pop()
        for parent in pred[node]:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def select(
    graph: MigrationGraph,
    *,
    apps: Iterable[str] | None = None,
    with_deps: bool = False,
    since: MigrationKey | None = None,
) -> Selection:
    """The nodes to draw; see the module docstring for the filters."""
    pred = graph.pred
    project_apps = set(graph.project.project_apps)
    wanted = sorted(set(apps)) if apps else None
    nodes = {n for n in graph.kinds if n.app_label in project_apps}
    words: list[str] = []
    if wanted is not None:
        nodes = {n for n in nodes if n.app_label in wanted}
        words.append(("apps " if len(wanted) > 1 else "app ") + ", ".join(wanted))
    if since is not None:
        if since not in graph:
            raise UsageError(f"{since} is not a node of the graph")
        after = graph.descendants(since) | {since}
        nodes &= after
        words.append(f"since {since}")
    if with_deps:
        own = set(wanted) if wanted is not None else ({since.app_label} if since is not None else project_apps)
        nodes |= {n for n in _ancestors(graph, nodes) if n.app_label in project_apps and n.app_label not in own}
        words.append("with dependencies")
    outside = {p for n in nodes for p in pred[n]} - nodes
    inactive: dict[MigrationKey, tuple[MigrationKey, bool]] = {}
    for outcome in graph.replacements:
        if outcome.used and outcome.replacement in nodes:
            for key in outcome.replaces:
                if key not in graph:
                    inactive[key] = (outcome.replacement, True)
        elif not outcome.used and any(k in nodes for k in outcome.replaces):
            inactive[outcome.replacement] = (outcome.replacement, False)
    return Selection(frozenset(nodes), frozenset(outside), inactive, "; ".join(words))


def declared_edges(graph: MigrationGraph, pairs: Iterable[Edge]) -> frozenset[Edge]:
    """Graph edges for dependencies as declared: ``(dependency, migration)`` pairs, e.g. the removals proposed
    by :func:`squashkit.deps.propose.propose`.

    A ``__first__``/``__latest__`` dependency is the edge from the node it resolved to; a dependency of (or on)
    a migration that a squash replaces is the edge re-pointed to the squash.  Pairs with no edge are skipped.
    """
    squash_of = replaced_by(graph)

    def marker_node(dep: MigrationKey) -> MigrationKey | None:
        if dep in graph or not dep.is_marker:
            return None
        return resolve(dep, graph)

    found: set[Edge] = set()
    for dep, child in pairs:
        target = child if child in graph else squash_of.get(child)
        if target is None:
            continue
        resolved = marker_node(dep) if dep not in graph else dep
        if resolved is None:
            resolved = squash_of.get(dep)
        if resolved is not None and graph.has_edge(resolved, target):
            found.add((resolved, target))
    return frozenset(found)


# -- DOT writing ---------------------------------------------------------------------------------------------


def _q(value: str) -> str:
    """A DOT double-quoted string (``\\n`` sequences written on purpose are kept)."""
    return '"' + value.replace('"', '\\"') + '"'


class _Html(str):
    """An HTML-like label, written between ``<`` and ``>`` instead of quotes."""


def _attrs(attrs: Attrs) -> str:
    return ", ".join(f"{name}={value if isinstance(value, _Html) else _q(value)}" for name, value in attrs)


def _node_id(key: MigrationKey) -> str:
    return _q(str(key))


def _label(lines: Sequence[str]) -> str:
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


@dataclass
class _Context:
    graph: MigrationGraph
    selection: Selection
    applied: Mapping[str, frozenset[MigrationKey]] | None
    removable: frozenset[Edge]
    conflicts: dict[str, list[MigrationKey]]
    cycle_nodes: set[MigrationKey]
    cycle_edges: set[Edge]
    redundant: dict[Edge, MigrationKey]
    used: set[str] = field(default_factory=set)  # legend entries actually needed
    edge_labels: bool = True

    def state(self, key: MigrationKey) -> tuple[str, list[str]] | None:
        """``(applied|partial|pending, environments where applied)``, None without applied state."""
        if self.applied is None:
            return None
        info = self.graph.project.migrations.get(key)
        replaces = info.replaces if info is not None else ()
        where = [
            label
            for label, keys in sorted(self.applied.items())
            if key in keys or (replaces and all(r in keys for r in replaces))
        ]
        if where and len(where) == len(self.applied):
            return "applied", where
        return ("partial", where) if where else ("pending", where)


def _graph_header(name: str, title: str, rankdir: str) -> list[str]:
    return [
        f"digraph {_q(name)} {{",
        "  graph ["
        + _attrs(
            [
                ("label", title),
                ("labelloc", "t"),
                ("fontname", "Helvetica"),
                ("fontsize", "14"),
                ("rankdir", rankdir),
                ("newrank", "true"),
                ("nodesep", "0.25"),
                ("ranksep", "0.4"),
            ]
        )
        + "];",
        "  node ["
        + _attrs(
            [
                ("shape", "box"),
                ("style", "filled"),
                ("fillcolor", "#ffffff"),
                ("fontname", "Helvetica"),
                ("fontsize", "10"),
            ]
        )
        + "];",
        "  edge [" + _attrs([("color", "#333333"), ("arrowsize", "0.7"), ("fontname", "Helvetica")]) + "];",
    ]


def _state_attrs(ctx: _Context, key: MigrationKey) -> Attrs:
    state = ctx.state(key)
    if state is None:
        return []
    name, where = state
    ctx.used.add(f"state-{name}")
    attrs: Attrs = [("fillcolor", APPLIED_COLOURS[name])]
    attrs.append(("tooltip", f"{key}: applied in {', '.join(where)}" if where else f"{key}: pending"))
    return attrs


def _operations_line(ctx: _Context, key: MigrationKey) -> str | None:
    info = ctx.graph.project.migrations.get(key)
    if info is None:
        return None
    parts = []
    for category, name in (("python", "RunPython"), ("sql", "RunSQL")):
        count = info.count(category)
        if count:
            parts.append(name if count == 1 else f"{name} x{count}")
    return ", ".join(parts) or None


def _migration_node(ctx: _Context, key: MigrationKey) -> str:
    graph = ctx.graph
    kind = graph.kind(key) if key in graph else None
    info = graph.project.migrations.get(key)
    lines = [key.name]
    attrs: Attrs = []
    style = ["filled"]
    if key in ctx.selection.inactive:
        squash, used = ctx.selection.inactive[key]
        if used:
            lines.append("(replaced)")
            attrs.append(("tooltip", f"{key}: replaced by {squash}"))
            ctx.used.add("replaced")
        else:
            lines.append("(squash not used: partly applied)")
            ctx.used.add("unused-squash")
        if info is None:
            lines.append("(no file)")
        style.append("dashed")
        attrs += [("color", GREY), ("fontcolor", GREY), ("fillcolor", INACTIVE_FILL)]
    elif kind is NodeKind.MISSING:
        lines.append("(missing)")
        style.append("dashed")
        attrs += [("color", ALERT), ("fontcolor", ALERT)]
        ctx.used.add("missing")
    if info is not None and info.replaces:
        lines.append(f"squash: replaces {len(info.replaces)}")
        attrs.append(("peripheries", "2"))
        ctx.used.add("squash")
    operations = _operations_line(ctx, key)
    if operations:
        lines.append(operations)
        attrs.append(("shape", "note"))
        ctx.used.add("code")
    conflict = key in ctx.conflicts.get(key.app_label, [])
    if conflict or key in ctx.cycle_nodes:
        attrs += [("color", ALERT), ("penwidth", "2")]
        ctx.used.add("conflict" if conflict else "cycle")
    if key not in ctx.selection.inactive and kind is NodeKind.MIGRATION:
        attrs += _state_attrs(ctx, key)
    return f"{_node_id(key)} [" + _attrs([("label", _label(lines)), ("style", ",".join(style)), *attrs]) + "];"


def _outside_node(key: MigrationKey) -> str:
    attrs: Attrs = [
        ("label", str(key)),
        ("style", "dashed"),
        ("color", GREY),
        ("fontcolor", GREY),
    ]
    return f"{_node_id(key)} [" + _attrs(attrs) + "];"


def _edge_attrs(ctx: _Context, parent: MigrationKey, child: MigrationKey) -> Attrs:
    data = ctx.graph.succ[parent][child]
    attrs: Attrs = []
    if (parent, child) in ctx.cycle_edges:
        attrs += [("color", ALERT), ("penwidth", "2.5")]
        ctx.used.add("cycle-edge")
    elif (parent, child) in ctx.removable:
        attrs += [("color", REMOVABLE), ("style", "dashed"), ("penwidth", "2")]
        ctx.used.add("removable")
    elif (parent, child) in ctx.redundant:
        attrs += [("color", REDUNDANT), ("style", "dashed")]
        attrs.append(("tooltip", f"{parent} -> {child}: implied through {ctx.redundant[parent, child]}"))
        ctx.used.add("redundant")
    elif parent.app_label != child.app_label:
        attrs += [("color", CROSS_APP), ("penwidth", "1.5")]
        ctx.used.add("cross-app")
    else:
        ctx.used.add("same-app")
    if data.get("kind") == EdgeKind.RUN_BEFORE:
        attrs.append(("arrowhead", "odot"))
        ctx.used.add("run-before")
    return attrs


# Legend rows: (key, sample cell, words).  Samples are short ASCII drawings in the row's colour.
def _legend_rows(level: str, applied: Mapping[str, frozenset[MigrationKey]] | None) -> list[tuple[str, str, str]]:
    envs = ", ".join(sorted(applied)) if applied else ""
    if level == "app":
        states = [
            ("state-applied", "fill:applied", f"every migration applied in every environment ({envs})"),
            ("state-partial", "fill:partial", "partly applied (some migrations or some environments)"),
            ("state-pending", "fill:pending", "nothing applied in any environment"),
        ]
        return [
            ("app-edge", "text:#333333:--N-->", "N migration-level dependencies between the two apps"),
            ("app-redundant", f"text:{REDUNDANT}:- - ->", "every one of them transitively redundant"),
            ("app-removable", f"text:{REMOVABLE}:- - ->", "every one of them proposed for removal (squashkit deps)"),
            ("outside", "text:#7f7f7f:[- -]", "app outside the view (filtered out or not in the project)"),
            ("conflict", "text:#d62728:[ ]", "app with a leaf conflict or a dependency cycle (red border)"),
            *states,
        ]
    return [
        ("same-app", "text:#333333:---->", "dependency within an app"),
        ("cross-app", f"text:{CROSS_APP}:---->", "cross-app dependency"),
        ("run-before", "text:#333333:----o", "run_before"),
        ("redundant", f"text:{REDUNDANT}:- - ->", "transitively redundant dependency (implied by another path)"),
        ("removable", f"text:{REMOVABLE}:- - ->", "dependency proposed for removal (squashkit deps)"),
        ("cycle-edge", f"text:{ALERT}:====>", "edge of a dependency cycle"),
        ("replaced-by", f"text:{GREY}:....>", "replaced by (squash)"),
        ("squash", "text:#333333:[[ ]]", "squashed migration (double border; label says how many it replaces)"),
        ("replaced", f"text:{GREY}:[- -]", "migration replaced by a squash in use"),
        ("unused-squash", f"text:{GREY}:[- -]", "squash not used (some of what it replaces is applied)"),
        ("code", "text:#333333:[RunPython]", "runs RunPython / RunSQL (note shape)"),
        ("missing", f"text:{ALERT}:[- -]", "missing migration (a dependency names it, no file has it)"),
        ("conflict", f"text:{ALERT}:[ ]", "leaf conflict: one of several leaves of its app (red border)"),
        ("cycle", f"text:{ALERT}:[ ]", "migration in a dependency cycle (red border)"),
        ("outside", f"text:{GREY}:[- -]", "outside the view (filtered-out app, or not in the project)"),
        ("state-applied", "fill:applied", f"applied in every environment ({envs})"),
        ("state-partial", "fill:partial", "applied in some environments"),
        ("state-pending", "fill:pending", "pending in every environment"),
    ]


def _legend(level: str, ctx: _Context) -> list[str]:
    rows = [row for row in _legend_rows(level, ctx.applied) if row[0] in ctx.used]
    if not rows:
        return []
    cells = ['<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>']
    for _key, sample, words in rows:
        if sample.startswith("fill:"):
            first = f'<TD BGCOLOR="{APPLIED_COLOURS[sample[5:]]}">      </TD>'
        else:
            _, colour, drawing = sample.split(":", 2)
            first = f'<TD><FONT COLOR="{colour}">{html.escape(drawing)}</FONT></TD>'
        cells.append(f'<TR>{first}<TD ALIGN="LEFT">{html.escape(words)}</TD></TR>')
    table = '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">' + "".join(cells) + "</TABLE>>"
    attrs: Attrs = [("shape", "plaintext"), ("style", "solid"), ("fontsize", "9"), ("label", _Html(table))]
    return ["  " + _q("legend") + " [" + _attrs(attrs) + "];"]


def _title(ctx: _Context, what: str) -> str:
    name = ctx.graph.project.root.name or "project"
    migrations = sum(1 for n in ctx.selection.nodes if ctx.graph.kind(n) is NodeKind.MIGRATION)
    apps = len({n.app_label for n in ctx.selection.nodes})
    parts = [f"{name}: {what}", f"{migrations} migrations in {apps} apps"]
    if ctx.selection.description:
        parts.append(ctx.selection.description)
    if ctx.applied is not None:
        parts.append("applied state: " + (", ".join(sorted(ctx.applied)) or "no environment"))
    return " - ".join(parts)


def _migration_level(ctx: _Context, legend: bool, title: str | None) -> list[str]:
    graph, selection = ctx.graph, ctx.selection
    body: list[str] = []
    by_app: dict[str, list[MigrationKey]] = {}
    for key in selection.nodes | frozenset(selection.inactive):
        by_app.setdefault(key.app_label, []).append(key)
    for app in sorted(by_app):
        label = app
        if app in ctx.conflicts:
            label += f" (conflict: {len(ctx.conflicts[app])} leaves)"
        body.append(f"  subgraph {_q('cluster_' + app)} {{")
        cluster: Attrs = [("label", label), ("style", "rounded"), ("color", "#999999"), ("fontsize", "12")]
        if app in ctx.conflicts:
            cluster[2] = ("color", ALERT)
            cluster.append(("fontcolor", ALERT))
        body.append("    graph [" + _attrs(cluster) + "];")
        body += ["    " + _migration_node(ctx, key) for key in sorted(by_app[app])]
        # A squash in use sits beside what it replaces (short "replaced by" arrows, no extra ranks).
        beside: dict[MigrationKey, list[MigrationKey]] = {}
        for key in sorted(by_app[app]):
            if key in selection.inactive and selection.inactive[key][1]:
                beside.setdefault(selection.inactive[key][0], []).append(key)
        for squash, others in sorted(beside.items()):
            body.append("    {" + " ".join(['rank="same";', *(f"{_node_id(k)};" for k in [squash, *others])]) + "}")
        body.append("  }")
    if selection.outside:
        ctx.used.add("outside")
    body += ["  " + _outside_node(key) for key in sorted(selection.outside)]
    drawn = selection.nodes | selection.outside
    for parent, child in graph.edges():
        if parent in drawn and child in drawn and (child in selection.nodes or parent in selection.nodes):
            attrs = _edge_attrs(ctx, parent, child)
            body.append(f"  {_node_id(parent)} -> {_node_id(child)}" + (f" [{_attrs(attrs)}]" if attrs else "") + ";")
    replaced_edges: list[Edge] = []
    for key, (squash, used) in selection.inactive.items():
        if used:
            replaced_edges.append((key, squash))
        else:
            replaced_edges += [(r, squash) for r in graph.project.migrations[squash].replaces if r in drawn]
    for replaced, squash in sorted(replaced_edges):
        attrs = [("style", "dotted"), ("color", GREY), ("arrowhead", "empty"), ("constraint", "false")]
        body.append(f"  {_node_id(replaced)} -> {_node_id(squash)} [{_attrs(attrs)}];")
        ctx.used.add("replaced-by")
    header = _graph_header("migrations", title or _title(ctx, "migration graph"), "TB")
    return header + body + (_legend("migration", ctx) if legend else []) + ["}"]


def _app_level(ctx: _Context, legend: bool, title: str | None) -> list[str]:
    graph, selection = ctx.graph, ctx.selection
    project = graph.project
    in_view: dict[str, list[MigrationKey]] = {}
    for key in selection.nodes:
        in_view.setdefault(key.app_label, []).append(key)
    outside_apps = sorted({k.app_label for k in selection.outside} - set(in_view))
    cycle_apps = {k.app_label for k in ctx.cycle_nodes}
    body: list[str] = []
    for app in sorted(in_view):
        keys = [k for k in sorted(in_view[app]) if graph.kind(k) is NodeKind.MIGRATION]
        infos = [project.migrations[k] for k in keys if k in project.migrations]
        lines = [app, f"{len(keys)} migration" + ("s" if len(keys) != 1 else "")]
        squashed = sum(1 for i in infos if i.replaces)
        code = sum(1 for k in keys if _operations_line(ctx, k))
        replaced = sum(1 for k, (_, used) in selection.inactive.items() if used and k.app_label == app)
        if squashed:
            lines.append(f"{squashed} squashed" + (f" ({replaced} replaced)" if replaced else ""))
        if code:
            lines.append(f"{code} with RunPython/RunSQL")
        attrs: Attrs = []
        if app in ctx.conflicts:
            lines.append(f"conflict: {len(ctx.conflicts[app])} leaves")
        if app in cycle_apps:
            lines.append("in a dependency cycle")
        if app in ctx.conflicts or app in cycle_apps:
            attrs += [("color", ALERT), ("fontcolor", ALERT), ("penwidth", "2")]
            ctx.used.add("conflict")
        if ctx.applied is not None and keys:
            states = {state[0] for k in keys if (state := ctx.state(k)) is not None}
            name = "applied" if states == {"applied"} else "pending" if states == {"pending"} else "partial"
            ctx.used.add(f"state-{name}")
            attrs.append(("fillcolor", APPLIED_COLOURS[name]))
        body.append(f"  {_q(app)} [" + _attrs([("label", _label(lines)), *attrs]) + "];")
    for app in outside_apps:
        ctx.used.add("outside")
        attrs = [("label", app), ("style", "dashed"), ("color", GREY), ("fontcolor", GREY)]
        body.append(f"  {_q(app)} [" + _attrs(attrs) + "];")
    counts: dict[tuple[str, str], list[int]] = {}
    drawn = selection.nodes | selection.outside
    for parent, child in graph.iter_edges():
        if parent.app_label == child.app_label or parent not in drawn or child not in drawn:
            continue
        if child not in selection.nodes and parent not in selection.nodes:
            continue
        row = counts.setdefault((parent.app_label, child.app_label), [0, 0, 0])
        row[0] += 1
        row[1] += (parent, child) in ctx.redundant
        row[2] += (parent, child) in ctx.removable
    for (a, b), (total, redundant, removable) in sorted(counts.items()):
        notes = [f"{n} {what}" for n, what in ((redundant, "redundant"), (removable, "removable")) if n]
        label = str(total) + (f" ({', '.join(notes)})" if notes else "")
        # Edge labels cost dot most of its time on large graphs: without them the count is the tooltip.
        attrs = [("label", label), ("fontsize", "9")] if ctx.edge_labels else [("tooltip", f"{a} -> {b}: {label}")]
        if removable and removable == total:
            attrs += [("color", REMOVABLE), ("style", "dashed")]
            ctx.used.add("app-removable")
        elif redundant and redundant == total:
            attrs += [("color", REDUNDANT), ("style", "dashed")]
            ctx.used.add("app-redundant")
        body.append(f"  {_q(a)} -> {_q(b)} [{_attrs(attrs)}];")
        ctx.used.add("app-edge")
    header = _graph_header("apps", title or _title(ctx, "app graph"), "LR")
    return header + body + (_legend("app", ctx) if legend else []) + ["}"]


def to_dot(
    graph: MigrationGraph,
    *,
    apps: Iterable[str] | None = None,
    with_deps: bool = False,
    since: MigrationKey | None = None,
    level: str = "migration",
    max_nodes: int | None = None,
    applied: Mapping[str, frozenset[MigrationKey]] | None = None,
    removable: Iterable[Edge] | None = None,
    legend: bool = True,
    title: str | None = None,
    edge_labels: bool = True,
) -> str:
    """The DOT text of ``graph`` (see the module docstring), ending with a newline.

    * ``applied``: per environment label, the applied migrations; nodes are then coloured by state;
    * ``removable``: graph edges (parent, child) proposed for removal (see :func:`declared_edges`);
    * ``max_nodes``: raise :class:`TooManyNodesError` rather than write a graph with more nodes;
    * ``edge_labels`` (app level): write each edge's count as its label (else as its tooltip: dot lays out a
      graph of hundreds of labelled edges ten times slower).
    """
    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})")
    selection = select(graph, apps=apps, with_deps=with_deps, since=since)
    apps_drawn = {k.app_label for k in selection.nodes | selection.outside}
    count = len(apps_drawn) if level == "app" else len(selection)
    if max_nodes is not None and count > max_nodes:
        raise TooManyNodesError(count, max_nodes, level)
    cycles = graph.cycles()
    cycle_edges = {(c[i], c[i + 1]) for c in cycles for i in range(len(c) - 1)}
    ctx = _Context(
        graph=graph,
        selection=selection,
        applied=dict(applied) if applied is not None else None,
        removable=frozenset(removable or ()),
        conflicts=graph.conflicts(),
        cycle_nodes={n for c in cycles for n in c},
        cycle_edges=cycle_edges,
        redundant={(e.parent, e.child): e.via for e in graph.redundant_edges()},
        edge_labels=edge_labels,
    )
    lines = _app_level(ctx, legend, title) if level == "app" else _migration_level(ctx, legend, title)
    return "\n".join(lines) + "\n"
