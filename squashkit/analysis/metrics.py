"""Per-app and project-wide metrics of a migration graph.

All metrics are computed on the graph Django would build (:meth:`Project.graph`): squashed migrations
replace their ``replaces`` when none or all of them are applied, as ``migrate`` does.

*Squash pressure* is a heuristic score (0-100) of how much an app would gain from a squash::

    pressure = min(100, live + foldable)

``live`` is the number of the app's migrations a fresh ``migrate`` runs after its latest squashed migration
(all of them when it has none); ``foldable`` counts schema operations in those migrations that act on a model
or field an earlier operation in the same window created or touched (``AddField`` then ``AlterField``,
``CreateModel`` then ``AddField``...): the operations Django's optimizer usually folds away.  Non-elidable
RunPython/RunSQL operations in the window (``barriers``) stop the optimizer and are reported beside it.
Levels: ``high`` from 50, ``medium`` from 20, else ``low``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from squashkit.graph.graph import MigrationGraph
from squashkit.graph.model import MigrationInfo, MigrationKey, Project

__all__ = ["AppMetrics", "Totals", "app_metrics", "foldable_operations", "pressure_level", "totals"]

_MODEL_CREATORS = {"CreateModel"}
_FIELD_CREATORS = {"AddField", "RenameField"}
_ALTERS_MODEL = {
    "AlterModelOptions",
    "AlterModelTable",
    "AlterModelManagers",
    "AlterUniqueTogether",
    "AlterIndexTogether",
    "AlterOrderWithRespectTo",
    "AddIndex",
    "RemoveIndex",
    "RenameIndex",
    "AddConstraint",
    "RemoveConstraint",
    "DeleteModel",
    "RenameModel",
}


@dataclass(frozen=True)
class AppMetrics:
    """One row of ``squashkit analyze``."""

    app: str
    migrations: int  # files on disk
    squashed: int  # files with ``replaces``
    deps_in: int  # edges from this app's migrations to other apps' migrations (others depend on it)
    deps_out: int  # edges from other apps' migrations to this app's (it depends on others)
    longest_chain: int  # longest path within the app, in migrations
    run_python: int
    run_sql: int
    irreversible: int
    redundant: int  # transitively redundant dependency edges declared by this app
    over_specified: int  # cross-app dependencies wider than what the migration references
    leaves: int
    live: int  # migrations after the latest squash (what a squash would fold)
    foldable: int
    barriers: int
    pressure: int

    @property
    def pressure_level(self) -> str:
        return pressure_level(self.pressure)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["pressure_level"] = self.pressure_level
        return data


@dataclass(frozen=True)
class Totals:
    """Project-wide figures (project apps only; contrib and third-party apps are not counted)."""

    apps: int
    nodes: int
    edges: int
    cross_app_edges: int
    longest_path: tuple[MigrationKey, ...]
    cycles: int
    conflicts: int
    dangling: int
    redundant: int
    over_specified: int
    file_problems: int
    run_python: int
    run_sql: int
    irreversible: int

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["longest_path"] = [str(k) for k in self.longest_path]
        data["longest_path_length"] = len(self.longest_path)
        return data


def pressure_level(score: int) -> str:
    return "high" if score >= 50 else "medium" if score >= 20 else "low"


def _window(graph: MigrationGraph, label: str) -> list[MigrationKey]:
    """The app's live migrations after its latest squashed migration, in apply order."""
    nodes = list(graph.migration_nodes(label))
    project = graph.project
    squashed = [n for n in nodes if project.migrations[n].replaces]
    done: set[MigrationKey] = set()
    for node in squashed:
        done |= {a for a in graph.ancestors(node) if a.app_label == label} | {node}
    live = [n for n in nodes if n not in done]
    if not graph.is_acyclic:
        return live
    order = {n: i for i, n in enumerate(graph.longest_path(live))}
    return sorted(live, key=lambda n: (order.get(n, len(order)), n))


def foldable_operations(migrations: Sequence[MigrationInfo]) -> tuple[int, int]:
    """(foldable schema operations, optimizer barriers) over migrations in apply order."""
    models: set[str] = set()
    fields: set[tuple[str, str]] = set()
    foldable = barriers = 0
    for migration in migrations:
        for op in migration.operations:
            if op.category in ("python", "sql"):
                barriers += not op.elidable
                continue
            if op.category != "schema" or op.model is None:
                continue
            if op.kind in _MODEL_CREATORS:
                models.add(op.model)
                continue
            if op.field is not None:
                target = (op.model, op.old_name if op.kind == "RenameField" and op.old_name else op.field)
                if op.model in models or target in fields:
                    foldable += 1
                if op.kind in _FIELD_CREATORS or op.kind == "AlterField":
                    fields.add((op.model, op.field))
            elif op.kind == "RenameModel":
                if op.old_name in models:
                    foldable += 1
                    models.add(op.model)
            elif op.kind in _ALTERS_MODEL and op.model in models:
                foldable += 1
    return foldable, barriers


def app_metrics(
    graph: MigrationGraph,
    label: str,
    *,
    redundant_children: Iterable[MigrationKey] = (),
    over_specified_children: Iterable[MigrationKey] = (),
    acyclic: MigrationGraph | None = None,
) -> AppMetrics:
    """One app's row.  ``acyclic`` is the graph chains and squash windows are measured on (default ``graph``;
    the analysis passes the graph without a cycle's apps when there is one)."""
    project = graph.project
    ordered = acyclic if acyclic is not None else graph
    files = project.app_migrations(label)
    nodes = list(graph.migration_nodes(label))
    pred, succ = graph.pred, graph.succ
    deps_out = sum(1 for n in nodes for p in pred[n] if p.app_label != label)
    # A third-party migration's dependency on this app (seen only by a Django load, which imports it) is not
    # counted: both views count what the analysed apps declare, as the totals and the cross-check do.
    deps_in = sum(
        1
        for n in nodes
        for c, data in succ[n].items()
        if c.app_label != label and (project.in_project(c) or data["declared_by"] != c)
    )
    window = _window(ordered, label)
    foldable, barriers = foldable_operations([project.migrations[n] for n in window])
    run_python = run_sql = irreversible = 0
    for migration in files:  # MigrationInfo.count / irreversible_count, in one pass
        for op in migration.operations:
            category = op.category
            run_python += category == "python"
            run_sql += category == "sql"
            irreversible += not op.reversible
    return AppMetrics(
        app=label,
        migrations=len(files),
        squashed=sum(1 for m in files if m.replaces),
        deps_in=deps_in,
        deps_out=deps_out,
        longest_chain=len(ordered.longest_path(list(ordered.migration_nodes(label)))),
        run_python=run_python,
        run_sql=run_sql,
        irreversible=irreversible,
        redundant=sum(1 for k in redundant_children if k.app_label == label),
        over_specified=sum(1 for k in over_specified_children if k.app_label == label),
        leaves=len(graph.leaf_nodes(label)),
        live=len(window),
        foldable=foldable,
        barriers=barriers,
        pressure=min(100, len(window) + foldable),
    )


def totals(
    project: Project,
    graph: MigrationGraph,
    rows: Sequence[AppMetrics],
    *,
    apps: Sequence[str],
) -> Totals:
    wanted = set(apps)
    nodes = [n for n in graph.project_nodes() if n.app_label in wanted]
    node_set = set(nodes)
    edges = [(p, c) for p, c in graph.iter_edges() if c in node_set]
    file_problems = [p for p in project.problems if p.app_label is None or p.app_label in wanted]
    return Totals(
        apps=len(rows),
        nodes=len(nodes),
        edges=len(edges),
        cross_app_edges=sum(1 for p, c in edges if p.app_label != c.app_label),
        longest_path=tuple(graph.longest_path(nodes)),
        cycles=sum(1 for cycle in graph.cycles() if any(n.app_label in wanted for n in cycle)),
        conflicts=sum(1 for label in graph.conflicts() if label in wanted),
        dangling=sum(1 for d in graph.dangling if d.child.app_label in wanted),
        redundant=sum(r.redundant for r in rows),
        over_specified=sum(r.over_specified for r in rows),
        file_problems=len(file_problems),
        run_python=sum(r.run_python for r in rows),
        run_sql=sum(r.run_sql for r in rows),
        irreversible=sum(r.irreversible for r in rows),
    )
