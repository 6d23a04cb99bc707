"""Build a :class:`~squashkit.graph.graph.MigrationGraph` from migration records with Django's rules.

This mirrors ``django.db.migrations.loader.MigrationLoader.build_graph`` step by step, so that a graph built
from statically parsed files is the graph Django would build:

1. every migration on disk becomes a node;
2. same-app dependencies become edges (a same-app ``__first__`` is ignored, as Django does, #22325);
3. cross-app dependencies and ``run_before`` are resolved: ``__first__`` is the app's first root node and
   ``__latest__`` its first leaf node (roots and leaves judged by same-app edges only, sorted), a dependency on
   an app that is not migrated is dropped;
4. names that are not on disk become *missing* nodes (Django's ``DummyNode``), because a squashed migration
   may still heal them in the next step;
5. for every migration with ``replaces``: if all or none of the replaced migrations are applied, the
   replaced nodes are removed and their edges re-pointed to the replacement; if only some are applied, the
   replacement is removed instead and its children re-pointed to the latest replaced nodes (#25945); a
   squash of a squash (Django 6.0+) is handled after the squash it replaces and judged on the plain
   migrations underneath (Django 4.2/5.2 do not support it: their result depends on set iteration order);
6. missing nodes left over are dangling dependencies (Django's ``NodeNotFoundError``), cycles are Django's
   ``CircularDependencyError``.  squashkit records both instead of stopping at the first.

Apps that a static load cannot see (``auth`` when the project only names it) become *external* nodes: they
are roots of the project's graph, neither dangling nor analysed.
"""

from __future__ import annotations

from typing import Any

from squashkit.graph.graph import (
    Adjacency,
    DanglingDependency,
    EdgeKind,
    MigrationGraph,
    NodeKind,
    ReplacementOutcome,
)
from squashkit.graph.helpers import is_ignored_same_app, marker_target
from squashkit.graph.model import Dependency, MigrationInfo, MigrationKey, Project

__all__ = ["build_graph"]


class _Builder:
    """The graph while it is built: networkx's layout and insertion-order semantics, without networkx.

    Only what the steps below need (add a node or an edge, remove a node with its edges); the finished maps
    become a :class:`MigrationGraph`, which makes the ``networkx.DiGraph`` from them when asked.
    """

    def __init__(self) -> None:
        self.kinds: dict[MigrationKey, NodeKind] = {}
        self.succ: Adjacency = {}
        self.pred: Adjacency = {}
        #: every edge in the order it was added (a dict: removals keep the order of the rest)
        self.order: dict[tuple[MigrationKey, MigrationKey], None] = {}

    def __contains__(self, node: object) -> bool:
        return node in self.kinds

    def add_node(self, node: MigrationKey, kind: NodeKind) -> None:
        self.kinds[node] = kind
        self.succ[node] = {}
        self.pred[node] = {}

    def has_edge(self, parent: MigrationKey, child: MigrationKey) -> bool:
        return child in self.succ.get(parent, {})

    def add_edge(self, parent: MigrationKey, child: MigrationKey, data: dict[str, Any]) -> None:
        """Add a new edge (callers check :meth:`has_edge` first); an unknown end becomes a *missing* node."""
        for node in (parent, child):
            if node not in self.kinds:
                self.add_node(node, NodeKind.MISSING)
        self.succ[parent][child] = data
        self.pred[child][parent] = data
        self.order[(parent, child)] = None

    def remove_node(self, node: MigrationKey) -> None:
        for child in self.succ.pop(node):
            del self.pred[child][node]
            del self.order[(node, child)]
        for parent in self.pred.pop(node):
            del self.succ[parent][node]
            del self.order[(parent, node)]
        del self.kinds[node]


def build_graph(
    project: Project, applied: frozenset[MigrationKey], *, replace_migrations: bool = True
) -> MigrationGraph:
    dg = _Builder()
    keys = sorted(project.migrations)
    for key in keys:
        dg.add_node(key, NodeKind.MIGRATION)
    unresolvable: list[DanglingDependency] = []
    by_app: dict[str, list[MigrationKey]] = {}
    for key in keys:
        by_app.setdefault(key.app_label, []).append(key)
    kinds, succ = dg.kinds, dg.succ

    def add_edge(parent: MigrationKey, child: MigrationKey, kind: EdgeKind, by: MigrationKey, line: int) -> None:
        for node in (parent, child):
            if node not in kinds:
                known = node.app_label in project.apps or project.complete
                dg.add_node(node, NodeKind.MISSING if known else NodeKind.EXTERNAL)
        if child not in succ[parent]:
            dg.add_edge(parent, child, {"kind": kind, "declared_by": by, "line": line, "via": None})

    # Step 2: internal dependencies.
    dependency = EdgeKind.DEPENDENCY
    for key in keys:
        app = key.app_label
        for dep in project.migrations[key].dependencies:
            target = dep.key
            if target.app_label == app and not is_ignored_same_app(target, app):
                add_edge(target, key, dependency, key, dep.line)

    # Step 3: external dependencies and run_before, with __first__/__latest__ resolution.
    def resolve(dep: Dependency, current_app: str, origin: MigrationKey) -> MigrationKey | None:
        key = dep.key
        if not key.is_marker or key in dg:
            return key
        if key.app_label == current_app:
            return None
        if key.app_label not in project.apps:
            if not project.complete:
                # Static load: an app outside the project (contrib or third party); keep the marker node.
                return key
            if key.app_label in project.unmigrated_apps:
                return None
            unresolvable.append(
                DanglingDependency(
                    child=origin, missing=key, line=dep.line, reason=f"dependency on unknown app: {key.app_label}"
                )
            )
            return None
        found = marker_target(key, by_app.get(key.app_label, []), dg)
        if found is None:
            unresolvable.append(
                DanglingDependency(
                    child=origin,
                    missing=key,
                    line=dep.line,
                    reason=f"dependency on app with no migrations: {key.app_label}",
                )
            )
            return None
        return found

    for key in keys:
        migration = project.migrations[key]
        for dep in migration.dependencies:
            if dep.key.app_label == key.app_label:
                continue
            parent = resolve(dep, key.app_label, key)
            if parent is not None:
                add_edge(parent, key, dependency, key, dep.line)
        for dep in migration.run_before:
            child = resolve(dep, key.app_label, key)
            if child is not None:
                add_edge(key, child, EdgeKind.RUN_BEFORE, key, dep.line)

    # Step 5: replacements.
    outcomes: list[ReplacementOutcome] = []
    if replace_migrations:
        outcomes = _replace(dg, project, keys, applied)

    # Step 6: whatever is still missing is dangling.  A file the loader could not read is not "missing".
    unread = {
        MigrationKey(p.app_label, p.migration): p.code
        for p in project.problems
        if p.app_label is not None and p.migration is not None
    }
    # A missing node some squash replaces, while none of those squashes could be used (Django's #23556).
    unused = {o.replacement for o in outcomes if not o.used}
    replaced_by: dict[MigrationKey, list[MigrationKey]] = {}
    for key in keys:
        for target in project.migrations[key].replaces:
            replaced_by.setdefault(target, []).append(key)

    def missing_reason(node: MigrationKey) -> str:
        if node in unread:
            return f"dependency on a migration squashkit could not read ({unread[node]})"
        squashes = replaced_by.get(node, [])
        if squashes and all(s in unused for s in squashes):
            names = ", ".join(str(s) for s in squashes)
            return (
                f"dependency on a migration that does not exist; {names} replaces it but cannot be used because"
                " some of the migrations it replaces are applied"
            )
        return "dependency on a migration that does not exist"

    dangling = list(unresolvable)
    for node, kind in sorted(dg.kinds.items()):
        if kind != NodeKind.MISSING:
            continue
        for child in sorted(dg.succ[node]):
            declared = dg.succ[node][child]
            dangling.append(
                DanglingDependency(
                    child=child,
                    missing=node,
                    line=declared["line"],
                    reason=missing_reason(node),
                    declared_by=declared["declared_by"],
                )
            )
        for parent in sorted(dg.pred[node]):
            declared = dg.pred[node][parent]
            dangling.append(
                DanglingDependency(
                    child=node,
                    missing=node,
                    line=declared["line"],
                    reason="run_before names a migration that does not exist",
                    declared_by=declared["declared_by"],
                )
            )
    return MigrationGraph(project, dg.kinds, dg.succ, dg.pred, dg.order, tuple(outcomes), tuple(dangling), applied)


def _replace(
    dg: _Builder, project: Project, keys: list[MigrationKey], applied: frozenset[MigrationKey]
) -> list[ReplacementOutcome]:
    """Django's ``MigrationLoader.replace_migration`` (Django 6.0+, which supports squashing squashes).

    A squash that replaces another squash is handled after it; its applied state is judged on the migrations
    at the bottom of its ``replaces`` (a replaced squash stands for what it replaces); a squash whose replaced
    migrations are all applied counts as applied.  For squashes of plain migrations (all Django series
    support only those) this is the rule of every series: used when all or none of the replaced migrations are
    applied, else dropped.  Squashes that replace each other in a cycle (Django stops with "Cyclical squash
    replacement found") are each handled once instead of recursing forever.
    """
    migrations = project.migrations
    done: dict[MigrationKey, bool] = {}  # False while in progress
    applied_now = set(applied)
    outcomes: list[ReplacementOutcome] = []

    def bottom(migration: MigrationInfo, seen: frozenset[MigrationKey]) -> set[MigrationKey]:
        found: set[MigrationKey] = set()
        for target in migration.replaces:
            entry = migrations.get(target)
            if entry is not None and entry.replaces and target not in seen:
                found |= bottom(entry, seen | {target})
            else:
                found.add(target)
        return found

    def replace(key: MigrationKey) -> None:
        if key in done:
            return
        done[key] = False
        migration = migrations[key]
        for target in migration.replaces:
            entry = migrations.get(target)
            if entry is not None and entry.replaces:
                replace(target)
        statuses = [target in applied_now for target in bottom(migration, frozenset({key}))]
        if all(statuses):
            applied_now.add(key)
        else:
            applied_now.discard(key)
        used = all(statuses) or not any(statuses)
        if used:
            _remove_replaced_nodes(dg, key, migration.replaces)
        else:
            _remove_replacement_node(dg, key, migration.replaces)
        outcomes.append(ReplacementOutcome(key, migration.replaces, used=used, applied=sum(statuses)))
        done[key] = True

    for key in keys:
        if migrations[key].replaces:
            replace(key)
    return outcomes


def _remove_replaced_nodes(dg: _Builder, replacement: MigrationKey, replaced: tuple[MigrationKey, ...]) -> None:
    """Django's ``MigrationGraph.remove_replaced_nodes``: re-point edges of replaced nodes."""
    replaced_set = set(replaced)
    for replaced_key in replaced:
        if replaced_key not in dg:
            continue
        for child in list(dg.succ[replaced_key]):
            if child not in replaced_set:
                data = dict(dg.succ[replaced_key][child])
                if not dg.has_edge(replacement, child):
                    data["via"] = replaced_key
                    dg.add_edge(replacement, child, data)
        for parent in list(dg.pred[replaced_key]):
            if parent not in replaced_set:
                data = dict(dg.pred[replaced_key][parent])
                if not dg.has_edge(parent, replacement):
                    data["via"] = replaced_key
                    dg.add_edge(parent, replacement, data)
        dg.remove_node(replaced_key)


def _remove_replacement_node(dg: _Builder, replacement: MigrationKey, replaced: tuple[MigrationKey, ...]) -> None:
    """Django's ``MigrationGraph.remove_replacement_node``: drop a partially applied squash."""
    if replacement not in dg:  # removed already (overlapping squashes): Django raises NodeNotFoundError
        return
    present = [k for k in replaced if k in dg]
    parents_of_replaced: set[MigrationKey] = set()
    for key in present:
        parents_of_replaced.update(dg.pred[key])
    latest = [k for k in present if k not in parents_of_replaced]
    for child in list(dg.succ[replacement]):
        data = dg.succ[replacement][child]
        for node in latest:
            if not dg.has_edge(node, child):
                dg.add_edge(node, child, {**data, "via": replacement})
    dg.remove_node(replacement)
