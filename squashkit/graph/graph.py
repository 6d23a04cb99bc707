"""The migration graph: edges parent -> child, as plain adjacency maps and as a ``networkx.DiGraph``.

A topological order of the graph is an apply order.  Each node has a kind (:class:`NodeKind`); edge
attributes are ``kind`` (:class:`EdgeKind`), ``declared_by`` (the migration whose file declares the edge),
``line`` and ``via`` (the replaced or replacement node an edge was re-pointed from, ``None`` for edges exactly
as declared).

The graph is held in networkx's own layout (``succ[parent][child]`` and ``pred[child][parent]`` share one
attribute dict per edge, in insertion order) and the ``networkx.DiGraph`` (:attr:`MigrationGraph.dg`) is
made from it on first use: metrics, checks and proposals walk the maps directly and never need networkx, so
``squashkit analyze`` does not pay for importing it; cycles, ancestors, sub-graph orders and the exports use
networkx.

Example, sales_orders 0001 <- 0002 and purchase_orders 0001 depending on both::

    sales_orders.0001 ---> sales_orders.0002
           \\                      |
            `-------> purchase_orders.0001 <--'

The edge ``sales_orders.0001 -> purchase_orders.0001`` is *transitively redundant*: it is implied by the
path through ``sales_orders.0002``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from squashkit.graph.algorithms import ancestor_bits
from squashkit.graph.model import MigrationKey

if TYPE_CHECKING:
    import networkx as nx

    from squashkit.graph.model import Project

__all__ = [
    "Adjacency",
    "DanglingDependency",
    "EdgeKind",
    "MigrationGraph",
    "NodeKind",
    "RedundantEdge",
    "ReplacementOutcome",
]

#: ``node -> neighbour -> edge attributes``, networkx's ``_succ``/``_pred`` layout
Adjacency = dict[MigrationKey, dict[MigrationKey, dict[str, Any]]]


class NodeKind(StrEnum):
    MIGRATION = "migration"  # a file on disk
    EXTERNAL = "external"  # an app the loader cannot see (static load: contrib / third-party apps)
    MISSING = "missing"  # a named migration of a known app that has no file (Django's DummyNode)


class EdgeKind(StrEnum):
    DEPENDENCY = "dependency"
    RUN_BEFORE = "run_before"


@dataclass(frozen=True)
class DanglingDependency:
    """A dependency Django would reject with ``NodeNotFoundError`` or ``ValueError``."""

    child: MigrationKey
    missing: MigrationKey
    line: int
    reason: str
    declared_by: MigrationKey | None = None


@dataclass(frozen=True)
class ReplacementOutcome:
    """What happened to one squashed migration: ``used`` means the replaced nodes were removed."""

    replacement: MigrationKey
    replaces: tuple[MigrationKey, ...]
    used: bool
    applied: int


@dataclass(frozen=True)
class RedundantEdge:
    """``parent -> child`` is implied by the path ``parent ~> via -> child``."""

    parent: MigrationKey
    child: MigrationKey
    via: MigrationKey


class MigrationGraph:
    """A resolved migration graph; build one with :meth:`squashkit.graph.model.Project.graph`.

    ``kinds`` (node -> :class:`NodeKind`), ``succ`` and ``pred`` are the graph, read only; ``edge_order`` lists
    the edges in the order they were added (the order networkx would hold them in).
    """

    def __init__(
        self,
        project: Project,
        kinds: dict[MigrationKey, NodeKind],
        succ: Adjacency,
        pred: Adjacency,
        edge_order: Iterable[tuple[MigrationKey, MigrationKey]],
        replacements: tuple[ReplacementOutcome, ...],
        dangling: tuple[DanglingDependency, ...],
        applied: frozenset[MigrationKey],
    ) -> None:
        self.project = project
        self.kinds = kinds
        self.succ = succ
        self.pred = pred
        self._edge_order = tuple(edge_order)
        self.replacements = replacements
        self.dangling = dangling
        self.applied = applied
        self._dg: nx.DiGraph | None = None
        self._cycles: list[list[MigrationKey]] | None = None
        self._nodes_cache: tuple[list[MigrationKey], dict[str, list[MigrationKey]]] | None = None
        # Per-app leaf nodes and longest paths per node set, memoised (metrics, totals and checks ask for the
        # same ones several times; the graph does not change once built).
        self._memo: dict[Any, list[MigrationKey]] = {}
        self._ranked: tuple[list[MigrationKey], dict[MigrationKey, int]] | None = None
        self._index: dict[MigrationKey, int] | None = None
        self._bits: tuple[dict[MigrationKey, int] | None] | None = None

    @property
    def dg(self) -> nx.DiGraph:
        """The graph as a ``networkx.DiGraph`` (node attribute ``kind``, the edge attributes above).

        Made on first use, with nodes and edges in the order they were added; treat it as read only (changes
        to it do not reach :attr:`succ`/:attr:`pred`).
        """
        if self._dg is None:
            import networkx as nx

            dg = nx.DiGraph()
            dg.add_nodes_from((node, {"kind": kind}) for node, kind in self.kinds.items())
            succ = self.succ
            dg.add_edges_from((parent, child, succ[parent][child]) for parent, child in self._edge_order)
            self._dg = dg
        return self._dg

    # -- nodes -------------------------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self.kinds

    def __len__(self) -> int:
        return len(self._sorted_nodes()[0])

    def kind(self, key: MigrationKey) -> NodeKind:
        return NodeKind(self.kinds[key])

    def _sorted_nodes(self) -> tuple[list[MigrationKey], dict[str, list[MigrationKey]]]:
        cache = self._nodes_cache
        if cache is None:
            nodes = sorted(node for node, kind in self.kinds.items() if kind == NodeKind.MIGRATION)
            by_app: dict[str, list[MigrationKey]] = {}
            for node in nodes:
                by_app.setdefault(node.app_label, []).append(node)
            cache = self._nodes_cache = (nodes, by_app)
        return cache

    def migration_nodes(self, app_label: str | None = None) -> Iterator[MigrationKey]:
        """Nodes that are files on disk, optionally of one app, sorted."""
        nodes, by_app = self._sorted_nodes()
        yield from nodes if app_label is None else by_app.get(app_label, ())

    def project_nodes(self) -> list[MigrationKey]:
        """Migration nodes of the analysed project's own apps."""
        return [n for n in self.migration_nodes() if self.project.in_project(n)]

    def root_nodes(self, app_label: str) -> list[MigrationKey]:
        """Django's ``root_nodes(app)``: nodes of the app with no parent in the same app."""
        pred = self.pred
        return [n for n in self.migration_nodes(app_label) if not any(p.app_label == app_label for p in pred[n])]

    def leaf_nodes(self, app_label: str) -> list[MigrationKey]:
        """Django's ``leaf_nodes(app)``: nodes of the app with no child in the same app."""
        memo = self._memo
        found = memo.get(("leaves", app_label))
        if found is None:
            succ = self.succ
            found = memo[("leaves", app_label)] = [
                n for n in self.migration_nodes(app_label) if not any(c.app_label == app_label for c in succ[n])
            ]
        return list(found)

    def conflicts(self) -> dict[str, list[MigrationKey]]:
        """Apps with more than one leaf node (what ``makemigrations --merge`` resolves)."""
        out: dict[str, list[MigrationKey]] = {}
        for label in self.project.project_apps:
            leaves = self.leaf_nodes(label)
            if len(leaves) > 1:
                out[label] = leaves
        return out

    # -- edges -------------------------------------------------------------------------------------
    def parents(self, key: MigrationKey) -> list[MigrationKey]:
        return sorted(self.pred[key])

    def children(self, key: MigrationKey) -> list[MigrationKey]:
        return sorted(self.succ[key])

    def has_edge(self, parent: MigrationKey, child: MigrationKey) -> bool:
        return child in self.succ.get(parent, {})

    def edge_data(self, parent: MigrationKey, child: MigrationKey) -> Mapping[str, Any] | None:
        """The attributes of ``parent -> child`` (read only), None when there is no such edge."""
        return self.succ.get(parent, {}).get(child)

    def iter_edges(self) -> Iterator[tuple[MigrationKey, MigrationKey]]:
        """Every edge, in networkx's ``DiGraph.edges`` order (by parent in node order, then child)."""
        for parent, children in self.succ.items():
            for child in children:
                yield parent, child

    def edges(self) -> list[tuple[MigrationKey, MigrationKey]]:
        return sorted(self.iter_edges())

    def cross_app_edges(self) -> list[tuple[MigrationKey, MigrationKey]]:
        return [(p, c) for p, c in self.edges() if p.app_label != c.app_label]

    # -- structure ---------------------------------------------------------------------------------
    def cycles(self) -> list[list[MigrationKey]]:
        """One cycle per strongly connected component that has one (Django: CircularDependencyError)."""
        if self._cycles is None:
            if self.ancestor_bits() is not None:  # every node reached by Kahn's algorithm: acyclic
                self._cycles = []
                return self._cycles
            import networkx as nx

            dg = self.dg
            found: list[list[MigrationKey]] = []
            for component in nx.strongly_connected_components(dg):
                if len(component) == 1:
                    (node,) = component
                    if dg.has_edge(node, node):
                        found.append([node, node])
                    continue
                sub = dg.subgraph(component)
                start = min(component)
                cycle = nx.find_cycle(sub, source=start)
                found.append([edge[0] for edge in cycle] + [cycle[-1][1]])
            self._cycles = sorted(found)
        return self._cycles

    def node_index(self) -> dict[MigrationKey, int]:
        """Every node -> its bit in :meth:`ancestor_bits` (node order: migration nodes sorted, so one app's
        migration nodes hold consecutive bits in name order; missing and external nodes after them)."""
        if self._index is None:
            self._index = {node: i for i, node in enumerate(self.pred)}
        return self._index

    def ancestor_bits(self) -> dict[MigrationKey, int] | None:
        """Per node, the bit-set of its strict ancestors (bits of :meth:`node_index`); None on a cyclic graph.

        Computed once and shared by the cycle check, :meth:`redundant_edges` and the proposals.
        """
        if self._bits is None:
            self._bits = (ancestor_bits(self.pred, self.node_index()),)
        return self._bits[0]

    @property
    def is_acyclic(self) -> bool:
        return not self.cycles()

    def topological_order(self) -> list[MigrationKey]:
        """An apply order (lexicographic among ready nodes, so it is deterministic)."""
        import networkx as nx

        if not self.is_acyclic:
            raise nx.NetworkXUnfeasible("graph has cycles")
        return list(nx.lexicographical_topological_sort(self.dg))

    def ancestors(self, key: MigrationKey) -> set[MigrationKey]:
        """Every node with a path to ``key`` (``networkx.ancestors``)."""
        return _reachable(self.pred, key)

    def descendants(self, key: MigrationKey) -> set[MigrationKey]:
        """Every node reached from ``key`` (``networkx.descendants``)."""
        return _reachable(self.succ, key)

    def forwards_plan(self, key: MigrationKey) -> list[MigrationKey]:
        """Every migration needed to apply ``key``, in an apply order ending with ``key``."""
        import networkx as nx

        needed = self.ancestors(key) | {key}
        return [n for n in nx.lexicographical_topological_sort(self.dg.subgraph(needed))]

    def longest_path(self, nodes: Iterable[MigrationKey] | None = None) -> list[MigrationKey]:
        """The longest chain of migrations (the minimum number of sequential migrate steps).

        Only migration nodes count; on a cyclic graph the result is empty.
        """
        keep = {n for n in nodes if n in self.kinds} if nodes is not None else set(self._sorted_nodes()[0])
        memo = self._memo
        memo_key = ("longest", frozenset(keep))
        found = memo.get(memo_key)
        if found is None:
            found = memo[memo_key] = self._longest_path(keep)
        return list(found)

    def _longest_path(self, keep: set[MigrationKey]) -> list[MigrationKey]:
        order = self._lexicographic_order(keep)
        if not order:  # empty, or cyclic
            return []
        # networkx's dag_longest_path over that order, ties broken the same way: the first best parent in
        # adjacency order, then the first node of the order with the greatest distance (every edge weighs 1).
        pred = self.pred
        dist: dict[MigrationKey, tuple[int, MigrationKey]] = {}
        for node in order:
            best_length, best_parent = 0, node
            for parent in pred[node]:
                if parent in keep:
                    length = dist[parent][0] + 1
                    if length > best_length:
                        best_length, best_parent = length, parent
            dist[node] = (best_length, best_parent)
        end = max(dist, key=lambda n: dist[n][0])
        path: list[MigrationKey] = []
        previous = None
        while previous != end:
            path.append(end)
            previous, end = end, dist[end][1]
        path.reverse()
        return path

    def _lexicographic_order(self, keep: set[MigrationKey]) -> list[MigrationKey] | None:
        """``nx.lexicographical_topological_sort`` of the subgraph on ``keep``; None when it has a cycle.

        Written out because building a subgraph view per call dominated per-app metrics on big projects.
        """
        succ, pred = self.succ, self.pred
        if self._ranked is None:  # every node by its rank in sorted order: the heap compares ints, not keys
            ranked = sorted(self.kinds)
            self._ranked = (ranked, {node: i for i, node in enumerate(ranked)})
        ranked, rank = self._ranked
        waiting: dict[MigrationKey, int] = {}  # nodes of ``keep`` with parents in ``keep`` not yet ordered
        ready: list[int] = []
        for node in keep:
            count = 0
            for parent in pred[node]:
                if parent in keep:
                    count += 1
            if count:
                waiting[node] = count
            else:
                ready.append(rank[node])
        heapq.heapify(ready)
        pop, push = heapq.heappop, heapq.heappush
        order: list[MigrationKey] = []
        while ready:
            node = ranked[pop(ready)]
            order.append(node)
            for child in succ[node]:
                pending = waiting.get(child)
                if pending is not None:
                    if pending == 1:
                        del waiting[child]
                        push(ready, rank[child])
                    else:
                        waiting[child] = pending - 1
        return order if len(order) == len(keep) else None

    def redundant_edges(self) -> list[RedundantEdge]:
        """Edges implied by another path (the complement of the transitive reduction).

        Uses one ancestor bit-set per node over a topological order: ``p -> c`` is redundant when ``p`` is an
        ancestor of another parent ``q`` of ``c``.  Linear in edges times a machine-word factor; fine for
        10,000-node projects.  Empty on a cyclic graph.
        """
        if not self.is_acyclic:
            return []
        pred = self.pred
        index = self.node_index()
        ancestors = self.ancestor_bits()
        if ancestors is None:  # pragma: no cover - acyclic was checked above
            return []
        found: list[RedundantEdge] = []
        for node, node_parents in pred.items():
            if len(node_parents) < 2:
                continue
            parents = sorted(node_parents)
            for parent in parents:
                bit = 1 << index[parent]
                for other in parents:
                    if other != parent and ancestors[other] & bit:
                        found.append(RedundantEdge(parent, node, other))
                        break
        return sorted(found, key=lambda e: (e.child, e.parent))

    def signature(self, apps: Iterable[str] | None = None) -> tuple[frozenset[MigrationKey], frozenset[tuple]]:
        """Nodes of ``apps`` and the edges into them; what two loaders must agree on."""
        wanted = set(apps) if apps is not None else set(self.project.project_apps)
        nodes = frozenset(n for n in self.migration_nodes() if n.app_label in wanted)
        edges = frozenset((p, c) for p, c in self.iter_edges() if c.app_label in wanted or p.app_label in wanted)
        return nodes, edges


def _reachable(adjacency: Adjacency, start: MigrationKey) -> set[MigrationKey]:
    """Nodes reached from ``start`` following ``adjacency``, ``start`` excluded unless on a cycle through it."""
    if start not in adjacency:
        raise KeyError(f"{start} is not in the graph")
    seen: set[MigrationKey] = set()
    stack = [start]
    while stack:
        for other in adjacency[stack.pop()]:
            if other not in seen:
                seen.add(other)
                stack.append(other)
    seen.discard(start)
    return seen
