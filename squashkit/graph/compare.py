"""Prove two views of a project agree: records (static vs Django) and graphs (squashkit vs Django).

:func:`compare_projects` returns human-readable differences (an empty list means they agree); ``analyze
--settings`` reports them and the test-suite asserts there are none.
"""

from __future__ import annotations

from collections.abc import Iterable

from squashkit.graph.graph import MigrationGraph, NodeKind
from squashkit.graph.helpers import marker_target
from squashkit.graph.model import MigrationInfo, MigrationKey, Project

__all__ = ["compare_graph_edges", "compare_projects", "record_signature"]


def record_signature(m: MigrationInfo) -> dict[str, object]:
    """The parts of a record both loaders must agree on (lines and swappable setting names aside)."""
    return {
        "dependencies": sorted((d.key, d.form.value) for d in m.dependencies),
        "replaces": sorted(m.replaces),
        "run_before": sorted((d.key, d.form.value) for d in m.run_before),
        "initial": m.initial,
        "atomic": m.atomic,
        "operations": [op.comparable() for op in m.operations],
        "django_version": m.django_version,
        "generated_on": m.generated_on,
        "content_hash": m.content_hash,
    }


def _resolve_external(key: MigrationKey, reference: MigrationGraph) -> MigrationKey:
    """Map a static graph's external ``__first__``/``__latest__`` marker to the node Django picked."""
    found = marker_target(key, reference.migration_nodes(key.app_label), reference)
    return key if found is None else found


def compare_graph_edges(
    static_graph: MigrationGraph, django_graph: MigrationGraph, apps: Iterable[str], ignore: Iterable[str] = ()
) -> list[str]:
    """Differences between the nodes of ``apps`` and the edges touching them (edges from or to an app of
    ``ignore``, one only a side sees, left out)."""
    differences: list[str] = []
    apps, ignored = list(apps), set(ignore)
    static_nodes, static_edges = static_graph.signature(apps)
    django_nodes, django_edges = django_graph.signature(apps)
    # An edge declared by a migration outside ``apps`` (a third-party migration depending on a project app,
    # re-pointed to a squash or not) is only visible to a loader that reads that app's files: compare what
    # the migrations of ``apps`` declare.  A ``run_before`` of a project migration into a third-party app is
    # declared by the project and stays compared.
    wanted = set(apps)

    def declared_here(graph: MigrationGraph, edge: tuple[MigrationKey, MigrationKey]) -> bool:
        data = graph.edge_data(*edge)
        return data is None or data["declared_by"] is None or data["declared_by"].app_label in wanted

    static_edges = frozenset(e for e in static_edges if declared_here(static_graph, e))
    django_edges = frozenset(e for e in django_edges if declared_here(django_graph, e))
    if ignored:
        static_edges = frozenset(
            e for e in static_edges if e[0].app_label not in ignored and e[1].app_label not in ignored
        )
        django_edges = frozenset(
            e for e in django_edges if e[0].app_label not in ignored and e[1].app_label not in ignored
        )

    def normal(key: MigrationKey) -> MigrationKey:
        if static_graph.kinds[key] == NodeKind.EXTERNAL:
            return _resolve_external(key, django_graph)
        return key

    # Django drops __first__/__latest__ on apps without migrations; a static load cannot know them.
    unmigrated = django_graph.project.unmigrated_apps

    def dropped(key: MigrationKey) -> bool:
        return key.is_marker and key.app_label in unmigrated and static_graph.kind(key) is NodeKind.EXTERNAL

    static_edges = frozenset((normal(p), normal(c)) for p, c in static_edges if not dropped(p) and not dropped(c))
    for node in sorted(static_nodes - django_nodes):
        differences.append(f"node {node} only in the static graph")
    for node in sorted(django_nodes - static_nodes):
        differences.append(f"node {node} only in Django's graph")
    for parent, child in sorted(static_edges - django_edges):
        differences.append(f"edge {parent} -> {child} only in the static graph")
    for parent, child in sorted(django_edges - static_edges):
        differences.append(f"edge {parent} -> {child} only in Django's graph")
    return differences


def compare_projects(static: Project, django: Project, applied: Iterable[MigrationKey] = ()) -> list[str]:
    """Every difference between a static load and a Django load of the same project."""
    differences: list[str] = []
    static_apps, django_apps = set(static.project_apps), set(django.project_apps)
    # An app only one side sees (a test app inside a package, an app missing from INSTALLED_APPS) is named
    # once, with its size; the rest of the comparison is about the apps both see.
    for label, side, loaded in [
        *((label, "static", static) for label in sorted(static_apps - django_apps)),
        *((label, "Django", django) for label in sorted(django_apps - static_apps)),
    ]:
        count = len(loaded.app_migrations(label))
        differences.append(
            f"app {label} only in the {side} load ({count} migration{'s' if count != 1 else ''}, not compared)"
        )
    apps = sorted(static_apps & django_apps)
    static_keys = {k for k in static.migrations if k.app_label in apps}
    django_keys = {k for k in django.migrations if k.app_label in apps}
    for key in sorted(static_keys - django_keys):
        differences.append(f"migration {key} only in the static load")
    for key in sorted(django_keys - static_keys):
        differences.append(f"migration {key} only in the Django load")
    for key in sorted(static_keys & django_keys):
        ours = static.migrations[key]
        a, b = record_signature(ours), record_signature(django.migrations[key])
        for field in a:
            if a[field] != b[field]:
                known = (field == "operations" and any(op.kind == "computed" for op in ours.operations)) or (
                    field in ("dependencies", "replaces", "run_before") and ours.unresolved
                )
                note = " (expected: the static load reports it as computed)" if known else ""
                differences.append(f"{key}: {field} differ: static {a[field]!r} vs Django {b[field]!r}{note}")
    applied = list(applied)
    one_sided = static_apps ^ django_apps
    static_graph, django_graph = static.graph(applied), django.graph(applied)
    differences += compare_graph_edges(static_graph, django_graph, apps, ignore=one_sided)
    differences += _compare_dangling(static_graph, django_graph, apps)
    return differences


def _compare_dangling(static_graph: MigrationGraph, django_graph: MigrationGraph, apps: Iterable[str]) -> list[str]:
    """Dependencies only one side cannot resolve: an app that exists nowhere looks, statically, like an app
    outside the project; Django knows every installed app and fails on it."""
    wanted = set(apps)

    def dangling(graph: MigrationGraph) -> dict[tuple[MigrationKey, MigrationKey], str]:
        return {(d.child, d.missing): d.reason for d in graph.dangling if d.child.app_label in wanted}

    ours, theirs = dangling(static_graph), dangling(django_graph)
    differences = []
    for child, missing in sorted(theirs.keys() - ours.keys()):
        outside = missing.app_label not in static_graph.project.apps
        note = " (the static load takes it for an app outside the project)" if outside else ""
        differences.append(f"dependency {child} -> {missing} fails only in Django: {theirs[(child, missing)]}{note}")
    for child, missing in sorted(ours.keys() - theirs.keys()):
        differences.append(f"dependency {child} -> {missing} fails only in the static load: {ours[(child, missing)]}")
    return differences
