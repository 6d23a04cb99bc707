"""Safe squash ranges: which migrations of each app to squash together, and why there and no further.

A *range* is a run of one app's migrations in apply order (:func:`squashkit.graph.helpers.chain`) that
Django's ``squashmigrations`` would replace by one migration.  :func:`plan_squashes` proposes, per app:

* the start: after the app's latest squash (a migration with ``replaces``, or one named like Django's
  squashes), or at its first migration.  An unfinalized squash (``replaces`` still listed) cannot be squashed
  again before Django 6.0: the range starts after it and the plan says to finalize it first; on Django 6 it
  may be included (Django 6 squashes squashes).
* the end: at or before what every known source (environment, tenant schema, snapshot) has applied, naming
  the source that bounds it, so the squash can be finalized soon after it is deployed; with no source, at
  the app's latest migration ("nothing bounds it").
* splits: where contracting the range into one node would create a cycle in the whole graph.  The squashed
  node depends on the sound minimal dependencies of its members (:func:`squashkit.deps.propose.propose`), not
  on the union Django writes; a cycle appears when an outside migration comes after one member and before
  another, e.g. ``inventory.0012 -> sales_orders.0005 -> inventory.0021`` (``sales_orders.0005`` depends on
  ``inventory.0012`` and ``inventory.0021`` needs ``sales_orders.0005``).  The range is split before the
  member that needs it, and the plan shows that path.

All ranges of one plan are safe *together*: with every range contracted at once the graph stays acyclic
(checked on the contracted graph after planning; a range that a joint cycle runs through is split).  Each
range is maximal: extending it by the next migration would create a cycle, cross a source's bound or include
a squash Django cannot nest.

Operations before and after are a static estimate: elidable RunPython/RunSQL are dropped (as
``squashmigrations`` does), non-elidable ones are *barriers* the optimizer cannot fold across, and between
barriers a schema operation on a model or field an earlier one created or touched is counted as folded (the
rule of :func:`squashkit.analysis.metrics.foldable_operations`).

With ``--exact`` (:func:`exact_counts`) the operations after come from Django itself instead: one Django
process (the runner's ``squash.optimize`` action) drops the elidable operations and runs Django's
``MigrationOptimizer`` over every range, as ``squashkit squash run`` does when it writes the squash.

Example, one app ``a`` of 12 migrations, nothing applied anywhere::

    >>> plan = plan_squashes(project)                                    # doctest: +SKIP
    >>> [(str(r.first), str(r.last), r.bound) for r in plan.ranges]       # doctest: +SKIP
    [('a.0001_initial', 'a.0012_last', 'latest')]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from squashkit.analysis.metrics import foldable_operations
from squashkit.errors import SquashkitError
from squashkit.graph.graph import MigrationGraph, NodeKind
from squashkit.graph.helpers import chain, replaced_by, resolve, squash_range, squashed_name
from squashkit.graph.model import MigrationInfo, MigrationKey, Project

__all__ = [
    "SCHEMA_VERSION",
    "AppPlan",
    "Barrier",
    "PlanError",
    "SquashPlan",
    "SquashRange",
    "contract",
    "exact_counts",
    "plan_ranges",
    "plan_squashes",
]

SCHEMA_VERSION = 1
DEFAULT_MIN_MIGRATIONS = 10

Bound = Literal["latest", "source", "cycle", "max-ranges"]


class PlanError(SquashkitError):
    """The graph cannot be planned (a dependency cycle already, or an unknown Django version)."""


@dataclass(frozen=True)
class Barrier:
    """A non-elidable RunPython/RunSQL operation: the optimizer does not fold operations across it."""

    migration: MigrationKey
    line: int
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} {self.migration}:{self.line}"

    def to_dict(self) -> dict[str, object]:
        return {"migration": str(self.migration), "line": self.line, "kind": self.kind}


@dataclass(frozen=True)
class SquashRange:
    """One planned squash: ``members`` (``first`` .. ``last``, apply order) become ``name``."""

    app: str
    first: MigrationKey
    last: MigrationKey
    members: tuple[MigrationKey, ...]
    #: the file name Django's ``squashmigrations`` gives it
    name: str
    #: why it ends at ``last``: ``latest`` (the app's latest migration), ``source`` (the next migration is
    #: not applied in every source), ``cycle`` (the next migration would close a cycle)
    bound: Bound
    #: human sentence for ``bound`` (the sources named, or "nothing bounds it")
    bound_by: str
    #: the labels of the sources that have not applied the next migration (``bound == "source"``)
    bound_sources: tuple[str, ...]
    #: the path that forced a split after ``last`` (``bound == "cycle"``): member -> ... -> outside migration
    #: -> the next migration, which needs that outside migration
    split_path: tuple[MigrationKey, ...]
    ops_before: int
    ops_after_estimate: int
    barriers: tuple[Barrier, ...]
    #: the squashed node's dependencies on other apps: the sound minimal ones of its members, reduced
    external_deps: tuple[MigrationKey, ...]
    #: what Django's ``squashmigrations`` would write instead: every member's cross-app dependency
    django_union_deps: tuple[MigrationKey, ...]
    #: a cycle Django's union would create (empty when it would not): why a plain ``squashmigrations`` fails
    union_cycle: tuple[MigrationKey, ...] = ()
    #: members whose declared cross-app dependencies are not their minimal ones, when Django's union is
    #: circular: while the replaced files remain Django re-points their dependencies to the squash, so they must
    #: be narrowed first (``squashkit deps --fix``) or the squash is circular until it is finalized
    narrow_first: tuple[MigrationKey, ...] = ()
    #: unfinalized squashes inside the range (Django 6 only)
    nested_squashes: tuple[MigrationKey, ...] = ()
    #: Django's ``MigrationOptimizer`` count (``--exact``), None when not computed
    ops_after_exact: int | None = None

    @property
    def ops_after(self) -> int:
        """Operations of the squash: Django's optimizer count when known (``--exact``), else the estimate."""
        return self.ops_after_exact if self.ops_after_exact is not None else self.ops_after_estimate

    @property
    def saving(self) -> int:
        """Operations a fresh ``migrate`` no longer runs (exact when known, else the estimate)."""
        return self.ops_before - self.ops_after

    def to_dict(self) -> dict[str, object]:
        return {
            "app": self.app,
            "first": str(self.first),
            "last": str(self.last),
            "name": self.name,
            "members": [str(m) for m in self.members],
            "bound": self.bound,
            "bound_by": self.bound_by,
            "bound_sources": list(self.bound_sources),
            "split_path": [str(k) for k in self.split_path],
            "ops_before": self.ops_before,
            "ops_after_estimate": self.ops_after_estimate,
            "ops_after_exact": self.ops_after_exact,
            "ops_after": self.ops_after,
            "ops_after_is_exact": self.ops_after_exact is not None,
            "saving": self.saving,
            "barriers": [b.to_dict() for b in self.barriers],
            "external_deps": [str(k) for k in self.external_deps],
            "django_union_deps": [str(k) for k in self.django_union_deps],
            "union_cycle": [str(k) for k in self.union_cycle],
            "narrow_first": [str(k) for k in self.narrow_first],
            "nested_squashes": [str(k) for k in self.nested_squashes],
        }


@dataclass(frozen=True)
class AppPlan:
    """What the plan says about one app, with or without ranges."""

    app: str
    #: migrations after the start (what could be squashed)
    live: int
    #: the squash the ranges start after (None: the app's first migration)
    start_after: MigrationKey | None
    ranges: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "app": self.app,
            "live": self.live,
            "start_after": str(self.start_after) if self.start_after else None,
            "ranges": self.ranges,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SquashPlan:
    """The ranges of every app, safe together, and what bounded them."""

    ranges: tuple[SquashRange, ...]
    apps: tuple[AppPlan, ...]
    django_version: str
    #: labels of the sources read (environments, schemas, snapshots); empty: nothing bounds the ranges
    sources: tuple[str, ...]
    #: labels of the sources that could not be read (they bound nothing; the plan says so)
    unreadable: tuple[str, ...]
    min_migrations: int
    #: ``estimate`` (static) or ``exact`` (Django's optimizer counted the ranges: :func:`exact_counts`)
    optimizer: str = "estimate"
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": SCHEMA_VERSION,
            "django_version": self.django_version,
            "sources": list(self.sources),
            "unreadable": list(self.unreadable),
            "min_migrations": self.min_migrations,
            "optimizer": self.optimizer,
            "notes": list(self.notes),
            "apps": [a.to_dict() for a in self.apps],
            "ranges": [r.to_dict() for r in self.ranges],
            "totals": {
                "ranges": len(self.ranges),
                "migrations": sum(len(r.members) for r in self.ranges),
                "ops_before": sum(r.ops_before for r in self.ranges),
                "saving": sum(r.saving for r in self.ranges),
            },
        }


# -- the pure algorithm --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One app's migrations a range may take, in apply order, and why the segment ends where it does."""

    app: str
    nodes: tuple[MigrationKey, ...]
    #: ``latest`` or ``source``
    bound: Bound = "latest"
    bound_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedRange:
    """A range found by :func:`plan_ranges`: ``members`` and what stopped it."""

    app: str
    members: tuple[MigrationKey, ...]
    bound: Bound
    bound_sources: tuple[str, ...] = ()
    split_path: tuple[MigrationKey, ...] = ()
    #: True when the split after it was forced by a cycle through other ranges (checked again at the end)
    joint: bool = False


def contract(
    graph: MigrationGraph,
    ranges: Iterable[Sequence[MigrationKey]],
    deps_of: Callable[[MigrationKey], Iterable[MigrationKey]],
) -> tuple[dict[Any, set[Any]], dict[MigrationKey, Any]]:
    """The graph with every range contracted into one node: ``(parents, node_of)``.

    A range node's parents are its members' dependencies given by ``deps_of`` (other apps) and its members'
    same-app parents outside it; its children are every child of a member outside it.  Other nodes keep
    their edges (mapped to range nodes).  ``node_of`` maps a member to its range node ``("range", index)``.
    """
    node_of: dict[MigrationKey, Any] = {}
    members_of: list[Sequence[MigrationKey]] = []
    for i, members in enumerate(ranges):
        members_of.append(members)
        for m in members:
            node_of[m] = ("range", i)
    parents: dict[Any, set[Any]] = {}
    for node in graph.kinds:
        if node in node_of:
            continue
        parents[node] = {node_of.get(p, p) for p in graph.pred[node]}
    for i, members in enumerate(members_of):
        me = ("range", i)
        inside = set(members)
        found: set[Any] = set()
        for m in members:
            for p in graph.pred[m]:
                if p.app_label == m.app_label and p not in inside:
                    found.add(node_of.get(p, p))
            for d in deps_of(m):
                if d not in inside:
                    found.add(node_of.get(d, d))
        found.discard(me)
        parents[me] = found
    return parents, node_of


def _cycle(parents: Mapping[Any, set[Any]]) -> list[Any]:
    """One cycle of a graph given by ``parents`` (nodes in dependency order: each depends on the one before),
    or ``[]`` when it is acyclic."""
    children: dict[Any, list[Any]] = {n: [] for n in parents}
    waiting: dict[Any, int] = {}
    for node, ps in parents.items():
        waiting[node] = len(ps)
        for p in ps:
            children.setdefault(p, []).append(node)
            waiting.setdefault(p, 0)
    for node in children:
        waiting.setdefault(node, 0)
    ready = deque(n for n, c in waiting.items() if c == 0)
    done = 0
    while ready:
        node = ready.popleft()
        done += 1
        for child in children.get(node, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if done == len(waiting):
        return []
    # Walk backwards through parents that are still waiting until a node repeats.
    left = {n for n, c in waiting.items() if c > 0}
    node = min(left, key=repr)
    seen: dict[Any, int] = {}
    path: list[Any] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min((p for p in parents.get(node, ()) if p in left), key=repr)
    cycle = path[seen[node] :]
    cycle.reverse()
    return cycle


def _reach(graph: MigrationGraph, sources: Iterable[MigrationKey]) -> dict[MigrationKey, MigrationKey | None]:
    """Breadth-first from ``sources`` along dependencies forwards (parent -> child): node -> the node it was
    reached from (None for a source)."""
    back: dict[MigrationKey, MigrationKey | None] = {s: None for s in sources}
    queue = deque(sorted(back))
    succ = graph.succ
    while queue:
        node = queue.popleft()
        for child in sorted(succ[node]):
            if child not in back:
                back[child] = node
                queue.append(child)
    return back


def _trace(back: Mapping[MigrationKey, MigrationKey | None], target: MigrationKey) -> list[MigrationKey]:
    path = [target]
    while (prev := back[path[-1]]) is not None:
        path.append(prev)
    path.reverse()
    return path


def _closing_path(
    graph: MigrationGraph, members: Sequence[MigrationKey], deps: Callable[[MigrationKey], Iterable[MigrationKey]]
) -> tuple[MigrationKey, ...]:
    """The shortest path member -> ... -> outside migration -> member needing it (empty: contracting
    ``members`` with ``deps`` closes no cycle)."""
    inside = set(members)
    bits, index = graph.ancestor_bits(), graph.node_index()
    if bits is not None:  # no dependency has a member among its ancestors: no cycle, no walk needed
        mask = 0
        for m in members:
            mask |= 1 << index[m]
        if not any(bits.get(d, 0) & mask for m in members for d in deps(m) if d not in inside):
            return ()
    back = _reach(graph, members)
    best: tuple[MigrationKey, ...] = ()
    for m in members:
        for d in deps(m):
            if d in inside or d not in back:
                continue
            path = _trace(back, d)
            last_inside = max(i for i, n in enumerate(path) if n in inside)
            candidate = (*path[last_inside:], m)
            if not best or len(candidate) < len(best):
                best = candidate
    return best


def plan_ranges(
    graph: MigrationGraph,
    segments: Iterable[Segment],
    deps_of: Callable[[MigrationKey], Iterable[MigrationKey]],
    *,
    min_size: int = 2,
) -> list[PlannedRange]:
    """Split each segment into maximal ranges that are safe together.

    ``deps_of(member)`` gives a member's dependencies on other apps as graph nodes (the ones the squashed
    node would keep).  Per segment, a range grows while no dependency of its members is a descendant of one
    of its members (which would make the contracted node its own ancestor); then every range is contracted
    at once and, while the result has a cycle, the range the cycle runs through backwards (it leaves the range
    from a member before the one it enters) is split there.  Ranges shorter than ``min_size`` are dropped.
    """
    index = graph.node_index()
    bits = graph.ancestor_bits()
    if bits is None:
        raise PlanError("the graph has a dependency cycle: fix it before planning squashes")
    ext: dict[MigrationKey, tuple[MigrationKey, ...]] = {}

    def deps(node: MigrationKey) -> tuple[MigrationKey, ...]:
        found = ext.get(node)
        if found is None:
            found = ext[node] = tuple(sorted(set(deps_of(node))))
        return found

    planned: list[PlannedRange] = []
    segments_by_app: dict[str, Segment] = {}
    for segment in segments:
        segments_by_app[segment.app] = segment
        nodes = segment.nodes
        start = 0
        mask = 0
        dep_bits = 0
        for i, node in enumerate(nodes):
            bit = 1 << index[node]
            new_bits = 0
            for d in deps(node):
                new_bits |= bits.get(d, 0) | (1 << index[d] if d in index else 0)
            if i > start and (dep_bits | new_bits) & (mask | bit):
                members = nodes[start:i]
                planned.append(
                    PlannedRange(segment.app, members, "cycle", split_path=_forcing(graph, members, node, deps))
                )
                start, mask, dep_bits = i, bit, new_bits
                continue
            mask |= bit
            dep_bits |= new_bits
        planned.append(PlannedRange(segment.app, nodes[start:], segment.bound, segment.bound_sources))
    planned = [r for r in planned if len(r.members) >= 1]
    planned = _joint(graph, planned, deps)
    planned = _maximize(graph, planned, segments_by_app, deps)
    kept = [r for r in planned if len(r.members) >= min_size]
    if len(kept) == len(planned):
        return kept
    # Dropping a short range gives its members back their declared dependencies: check again.
    while True:
        parents, _ = contract(graph, [r.members for r in kept], deps)
        cycle = _cycle(parents)
        if not cycle:
            return kept
        on_cycle = [node[1] for node in cycle if _is_range(node)]
        drop = min(on_cycle, key=lambda i: (len(kept[i].members), i))
        kept = [r for i, r in enumerate(kept) if i != drop]


def _forcing(
    graph: MigrationGraph,
    members: Sequence[MigrationKey],
    nxt: MigrationKey,
    deps: Callable[[MigrationKey], Sequence[MigrationKey]],
) -> tuple[MigrationKey, ...]:
    """The path that keeps ``nxt`` out of a range of ``members``: member -> ... -> outside -> member needing it."""
    return _closing_path(graph, [*members, nxt], deps)


def _joint(
    graph: MigrationGraph, planned: list[PlannedRange], deps: Callable[[MigrationKey], Sequence[MigrationKey]]
) -> list[PlannedRange]:
    """Split ranges until contracting all of them at once leaves the graph acyclic."""
    while True:
        parents, _ = contract(graph, [r.members for r in planned], deps)
        cycle = _cycle(parents)
        if not cycle:
            return planned
        split = _split_on(cycle, planned, graph, deps)
        if split is None:  # cannot happen: some range is crossed backwards (see plan_ranges)
            raise PlanError("contracting the planned ranges leaves a cycle: " + " -> ".join(map(str, cycle)))
        planned = split


def _split_on(
    cycle: list[Any],
    planned: list[PlannedRange],
    graph: MigrationGraph,
    deps: Callable[[MigrationKey], Sequence[MigrationKey]],
) -> list[PlannedRange] | None:
    """Split the range a cycle of the contracted graph crosses backwards; None when there is none."""
    n = len(cycle)
    for pos, node in enumerate(cycle):
        if not (isinstance(node, tuple) and len(node) == 2 and node[0] == "range"):
            continue
        r = planned[node[1]]
        before, after = cycle[pos - 1], cycle[(pos + 1) % n]
        members = r.members
        order = {m: i for i, m in enumerate(members)}
        # entering: the earliest member depending on ``before``; leaving: the latest member ``after`` depends on
        entering = [m for m in members if _depends(graph, m, before, planned, deps)]
        leaving = [m for m in members if _is_parent_of(graph, m, after, planned, deps)]
        if not entering or not leaving:
            continue
        leave = min(leaving, key=order.__getitem__)
        later = [m for m in entering if order[m] > order[leave]]
        if later:
            enter = min(later, key=order.__getitem__)
            cut = order[enter]
            path = [leave, *(_unrange(x, planned) for x in cycle[pos + 1 :] + cycle[:pos]), enter]
            head = PlannedRange(r.app, members[:cut], "cycle", split_path=tuple(path), joint=True)
            tail = PlannedRange(r.app, members[cut:], r.bound, r.bound_sources, r.split_path)
            i = node[1]
            return [*planned[:i], head, tail, *planned[i + 1 :]]
    return None


def _is_range(node: Any) -> bool:
    return isinstance(node, tuple) and len(node) == 2 and node[0] == "range"


def _path_through(
    cycle: list[Any], i: int, planned: list[PlannedRange], graph: MigrationGraph, deps: Any
) -> tuple[MigrationKey, ...]:
    """A cycle of the contracted graph through range ``i``, as a path: the member it leaves from, the nodes
    around the cycle, the member it comes back to."""
    pos = cycle.index(("range", i))
    n = len(cycle)
    before, after = cycle[pos - 1], cycle[(pos + 1) % n]
    members = planned[i].members
    leaving = [m for m in members if _is_parent_of(graph, m, after, planned, deps)]
    entering = [m for m in members if _depends(graph, m, before, planned, deps)]
    others = [_unrange(x, planned) for x in cycle[pos + 1 :] + cycle[:pos]]
    return (leaving[-1] if leaving else members[-1], *others, entering[0] if entering else members[0])


def _maximize(
    graph: MigrationGraph,
    planned: list[PlannedRange],
    segments: Mapping[str, Segment],
    deps: Callable[[MigrationKey], Sequence[MigrationKey]],
) -> list[PlannedRange]:
    """Grow each range ended by a cycle while taking the next migration keeps the whole plan acyclic.

    A split made for a cycle of one range alone can be more than needed once the other ranges are contracted
    too (their members lose over-specified dependencies), and a split forced by a joint cycle can become
    unneeded after another split: each such range is tried again.  A range whose cycle path runs through no
    other range's member is kept as it is (the same path exists in the contracted graph).
    """
    member_of = {m: i for i, r in enumerate(planned) for m in r.members}

    def local_path_holds(i: int) -> bool:
        r = planned[i]
        if r.joint or not r.split_path or any(n not in graph.kinds for n in r.split_path):
            return False  # forced by, or shown through, another contracted range: try again
        return all(member_of.get(n, i) == i or n == r.split_path[-1] for n in r.split_path)

    i = 0
    changed = False
    while True:
        if i >= len(planned):
            if not changed:
                return planned
            i, changed = 0, False
        r = planned[i]
        segment = segments[r.app]
        end = segment.nodes.index(r.members[-1])
        if r.bound != "cycle" or end == len(segment.nodes) - 1 or local_path_holds(i):
            i += 1
            continue
        nxt = segment.nodes[end + 1]
        j = member_of[nxt]
        rest = tuple(m for m in planned[j].members if m != nxt)
        last = end + 1 == len(segment.nodes) - 1
        grown = PlannedRange(
            r.app,
            (*r.members, nxt),
            segment.bound if last else "cycle",
            segment.bound_sources if last else (),
            joint=not last,
        )
        candidate = list(planned)
        candidate[i] = grown
        if rest:
            candidate[j] = replace(planned[j], members=rest)
        else:
            del candidate[j]
        parents, _ = contract(graph, [c.members for c in candidate], deps)
        cycle = _cycle(parents)
        if not cycle:
            planned = candidate
            member_of = {m: k for k, c in enumerate(planned) for m in c.members}
            changed = True
            continue  # try to grow the same range again
        # Keep the range; name the cycle taking the next migration closes.
        index = candidate.index(grown)
        path = _path_through(cycle, index, candidate, graph, deps) if ("range", index) in cycle else r.split_path
        planned[i] = PlannedRange(r.app, r.members, "cycle", (), path or r.split_path, joint=False)
        i += 1


def _unrange(node: Any, planned: list[PlannedRange]) -> MigrationKey:
    """A contracted range shown as ``app.first..last`` in a forcing path."""
    if isinstance(node, tuple) and len(node) == 2 and node[0] == "range":
        members = planned[node[1]].members
        return MigrationKey(members[0].app_label, f"{members[0].name}..{members[-1].name}")
    return node


def _members(node: Any, planned: list[PlannedRange]) -> Sequence[MigrationKey]:
    if isinstance(node, tuple) and len(node) == 2 and node[0] == "range":
        return planned[node[1]].members
    return (node,)


def _depends(
    graph: MigrationGraph,
    member: MigrationKey,
    parent: Any,
    planned: list[PlannedRange],
    deps: Callable[[MigrationKey], Sequence[MigrationKey]],
) -> bool:
    others = set(_members(parent, planned))
    if any(d in others for d in deps(member)):
        return True
    return any(p in others and p.app_label == member.app_label for p in graph.pred[member])


def _is_parent_of(
    graph: MigrationGraph,
    member: MigrationKey,
    child: Any,
    planned: list[PlannedRange],
    deps: Callable[[MigrationKey], Sequence[MigrationKey]],
) -> bool:
    if isinstance(child, tuple) and len(child) == 2 and child[0] == "range":
        return any(_depends(graph, c, member, planned, deps) for c in planned[child[1]].members)
    return child in graph.succ[member]


# -- the plan ------------------------------------------------------------------------------------------------


def _django_major(version: str) -> int:
    try:
        return int(version.split(".")[0])
    except ValueError:
        raise PlanError(f"unknown Django version {version!r} (expected e.g. 5.2 or 6.0)") from None


def _installed_django() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("Django")
    except PackageNotFoundError:
        return "5.2"


def _sources(applied: Any) -> tuple[list[tuple[str, frozenset[MigrationKey]]], list[str]]:
    """Readable ``(label, applied keys)`` and unreadable labels of an applied state.

    Takes :class:`squashkit.history.applied.AppliedState` (``sources``) or the collected
    :class:`squashkit.history.AppliedState` (``sets`` and ``failures``).
    """
    if applied is None:
        return [], []
    readable: list[tuple[str, frozenset[MigrationKey]]] = []
    unreadable: list[str] = []
    if hasattr(applied, "sources"):
        for source in applied.sources:
            if source.applied is None:
                unreadable.append(source.label)
            else:
                readable.append((source.label, frozenset(source.applied)))
        return readable, unreadable
    for s in applied.sets:
        readable.append((s.label, s.applied))
    for f in applied.failures:
        unreadable.append(getattr(f, "label", f.env))
    return readable, unreadable


def _is_squash(info: MigrationInfo) -> bool:
    return bool(info.replaces) or squash_range(info.name) is not None or "_squashed_" in info.name


def _estimate(migrations: Sequence[MigrationInfo]) -> tuple[int, int, tuple[Barrier, ...]]:
    """``(ops before, ops after, barriers)`` of squashing ``migrations`` (apply order)."""
    before = sum(len(m.operations) for m in migrations)
    barriers: list[Barrier] = []
    elided = 0
    folded = 0
    segment: list[MigrationInfo] = []
    for m in migrations:
        kept: list[Any] = []
        for op in m.operations:
            if op.category in ("python", "sql"):
                if op.elidable:
                    elided += 1
                    continue
                barriers.append(Barrier(m.key, op.line, op.kind))
                if kept:
                    segment.append(_with_ops(m, kept))
                folded += foldable_operations(segment)[0]
                segment, kept = [], []
                continue
            kept.append(op)
        if kept:
            segment.append(_with_ops(m, kept))
    folded += foldable_operations(segment)[0]
    return before, before - elided - folded, tuple(barriers)


def _with_ops(m: MigrationInfo, ops: list[Any]) -> MigrationInfo:
    return replace(m, operations=tuple(ops))


def plan_squashes(
    project: Project,
    applied: Any = None,
    *,
    apps: Iterable[str] = (),
    max_ranges: int | None = None,
    django_version: str | None = None,
    min_migrations: int = DEFAULT_MIN_MIGRATIONS,
    graph: MigrationGraph | None = None,
) -> SquashPlan:
    """Plan the squashes of ``project`` (every project app, or ``apps``): see the module docstring.

    ``applied`` is the applied state of the known sources (``squashkit.history``); None or no source means
    nothing bounds the ranges.  ``django_version`` is the target Django (default: the installed one);
    ``max_ranges`` keeps the ranges that save the most operations.
    """
    version = django_version or _installed_django()
    nested_ok = _django_major(version) >= 6
    graph = graph if graph is not None else project.graph()
    if not graph.is_acyclic:
        cycle = graph.cycles()[0]
        raise PlanError(
            "the graph has a dependency cycle (" + " -> ".join(str(k) for k in cycle) + "): fix it before squashing",
            cycle=[str(k) for k in cycle],
        )
    readable, unreadable = _sources(applied)
    labels = [label for label, _ in readable]
    wanted = sorted(set(apps)) if apps else list(project.project_apps)
    migrations = project.migrations
    squash_of = replaced_by(graph)

    def applied_in(key: MigrationKey) -> list[str]:
        info = migrations.get(key)
        found = []
        for label, keys in readable:
            if key in keys or (info is not None and info.replaces and all(t in keys for t in info.replaces)):
                found.append(label)
        return found

    # Minimal dependencies of every member candidate (one proposal pass over the selected apps).
    from squashkit.deps.propose import propose

    proposals = {p.migration: p.proposed for p in propose(project, apps=wanted, graph=graph)}

    def resolved(key: MigrationKey, deps: Iterable[Any]) -> list[MigrationKey]:
        out: list[MigrationKey] = []
        for dep in deps:
            node = resolve(dep, graph, current_app=key.app_label)
            if node is None:
                continue
            node = squash_of.get(node, node)
            if node.app_label != key.app_label and node in graph.kinds:
                out.append(node)
        return out

    def minimal(key: MigrationKey) -> list[MigrationKey]:
        deps = proposals.get(key)
        return resolved(key, migrations[key].dependencies if deps is None else deps)

    def union(key: MigrationKey) -> list[MigrationKey]:
        return resolved(key, migrations[key].dependencies)

    segments: list[Segment] = []
    app_notes: dict[str, list[str]] = {}
    app_info: dict[str, tuple[int, MigrationKey | None]] = {}
    for app in wanted:
        app_note = app_notes.setdefault(app, [])
        order = [n for n in chain(graph, app) if graph.kinds.get(n) == NodeKind.MIGRATION]
        start = 0
        start_after: MigrationKey | None = None
        for i in range(len(order) - 1, -1, -1):
            info = migrations[order[i]]
            if not _is_squash(info):
                continue
            if info.replaces and nested_ok:
                app_note.append(
                    f"{order[i]} is not finalized; Django {version} squashes squashes, so a range may include it"
                )
                continue
            if info.replaces:
                app_note.append(
                    f"{order[i]} is not finalized: the ranges start after it (Django {version} cannot squash a "
                    "squash; finalize it first: `squashkit squash finalize`)"
                )
            start, start_after = i + 1, order[i]
            break
        window = order[start:]
        app_info[app] = (len(window), start_after)
        if len(window) < min_migrations:
            app_note.append(f"{len(window)} migrations to squash, below squash_min_migrations ({min_migrations})")
            continue
        bound: Bound = "latest"
        bound_sources: tuple[str, ...] = ()
        end = len(window)
        if readable:
            for i, node in enumerate(window):
                have = set(applied_in(node))
                if len(have) < len(readable):
                    end, bound = i, "source"
                    bound_sources = tuple(label for label in labels if label not in have)
                    break
        segment = tuple(window[:end])
        if bound == "source" and len(segment) < 2:
            app_note.append(
                f"{window[end]} is not applied in {', '.join(bound_sources)}: nothing to squash before it yet"
            )
            continue
        segments.append(Segment(app, segment, bound, bound_sources))

    found = plan_ranges(graph, segments, minimal)
    ranges = [
        _describe(
            r,
            graph,
            project,
            order_first=_first(graph, r.app),
            minimal=minimal,
            union=union,
            labels=labels,
            version=version,
        )
        for r in found
    ]
    notes: list[str] = []
    if max_ranges is not None and len(ranges) > max_ranges:
        keep = sorted(ranges, key=lambda r: (-r.saving, r.app, r.first))[:max_ranges]
        ranges = [r for r in ranges if r in keep]
        notes.append(f"--max-ranges {max_ranges}: kept the {max_ranges} ranges that save the most operations")
        # Fewer contracted ranges can only keep the others safe if no cycle appears: check it.
        parents, _ = contract(graph, [r.members for r in ranges], minimal)
        while ranges and _cycle(parents):
            ranges.pop()
            parents, _ = contract(graph, [r.members for r in ranges], minimal)
    if unreadable:
        notes.append(
            "could not read " + ", ".join(unreadable) + ": the ranges are not bounded by what they have applied"
        )
    counted: dict[str, int] = {}
    for r in ranges:
        counted[r.app] = counted.get(r.app, 0) + 1
    app_plans = tuple(
        AppPlan(app, app_info[app][0], app_info[app][1], counted.get(app, 0), tuple(app_notes.get(app, ())))
        for app in wanted
        if app in app_info
    )
    return SquashPlan(
        ranges=tuple(ranges),
        apps=app_plans,
        django_version=version,
        sources=tuple(labels),
        unreadable=tuple(unreadable),
        min_migrations=min_migrations,
        notes=tuple(notes),
    )


def exact_counts(plan: SquashPlan, root: Path, settings: str, *, timeout: float | None = 900) -> SquashPlan:
    """``plan`` with every range's ``ops_after_exact``: Django's ``MigrationOptimizer`` count, elidable
    operations dropped, exactly as ``squashkit squash run`` generates the squash (one Django process for all
    ranges).  A range Django cannot count keeps its estimate and the plan's notes say why.

    Raises :class:`~squashkit.errors.DjangoLoadError` when Django cannot be set up with ``settings`` and
    :class:`PlanError` when the Django process fails.
    """
    from squashkit._django import DjangoError, run_action
    from squashkit.errors import DjangoLoadError

    if not plan.ranges:
        return replace(plan, optimizer="exact")
    payload = {"ranges": [{"app": r.app, "members": [m.name for m in r.members]} for r in plan.ranges]}
    try:
        out = run_action(root, settings, "squash.optimize", payload, timeout=timeout)
    except DjangoError as exc:
        if exc.stage == "setup":
            raise DjangoLoadError(settings, exc.reason, path=exc.path, line=exc.line) from exc
        raise PlanError(f"Django's optimizer count failed: {exc.reason}") from exc
    ranges: list[SquashRange] = []
    notes = list(plan.notes)
    counted_with = str(out.get("django_version", ""))
    if counted_with and not (counted_with + ".").startswith(plan.django_version + "."):
        notes.append(f"--exact counted with the installed Django {counted_with}, not {plan.django_version}")
    for r, result in zip(plan.ranges, out["ranges"], strict=True):
        if result.get("error"):
            notes.append(f"{r.app}.{r.first.name}..{r.last.name}: no exact count ({result['error']}); estimate kept")
            ranges.append(r)
        else:
            ranges.append(replace(r, ops_after_exact=int(result["ops_after"])))
    return replace(plan, ranges=tuple(ranges), optimizer="exact", notes=tuple(notes))


def _first(graph: MigrationGraph, app: str) -> MigrationKey | None:
    order = chain(graph, app)
    return order[0] if order else None


def _describe(
    r: PlannedRange,
    graph: MigrationGraph,
    project: Project,
    *,
    order_first: MigrationKey | None,
    minimal: Callable[[MigrationKey], list[MigrationKey]],
    union: Callable[[MigrationKey], list[MigrationKey]],
    labels: list[str],
    version: str,
) -> SquashRange:
    members = r.members
    inside = set(members)
    bits = graph.ancestor_bits() or {}
    index = graph.node_index()
    needed = sorted({d for m in members for d in minimal(m) if d not in inside})
    # reduce: a dependency that is an ancestor of another is implied by it
    external = tuple(d for d in needed if not any(bits.get(o, 0) >> index[d] & 1 for o in needed if o != d))
    union_deps = tuple(sorted({d for m in members for d in union(m) if d not in inside}))
    union_cycle = _closing_path(graph, members, union)
    narrow = tuple(m for m in members if set(union(m)) != set(minimal(m))) if union_cycle else ()
    before, after, barriers = _estimate([project.migrations[m] for m in members])
    if r.bound == "source":
        bound_by = "not applied in " + ", ".join(r.bound_sources) + " beyond " + str(members[-1])
    elif r.bound == "cycle":
        bound_by = "the next migration would close a cycle: " + " -> ".join(str(k) for k in r.split_path)
    elif labels:
        bound_by = "the app's latest migration, applied in every source"
    else:
        bound_by = "the app's latest migration; nothing bounds it (no environment, schema or snapshot known)"
    return SquashRange(
        app=r.app,
        first=members[0],
        last=members[-1],
        members=members,
        name=squashed_name(r.app, members[0].name, members[-1].name, from_first=members[0] == order_first),
        bound=r.bound,
        bound_by=bound_by,
        bound_sources=r.bound_sources,
        split_path=r.split_path,
        ops_before=before,
        ops_after_estimate=after,
        barriers=barriers,
        external_deps=external,
        django_union_deps=union_deps,
        union_cycle=union_cycle,
        narrow_first=narrow,
        nested_squashes=tuple(m for m in members if project.migrations[m].replaces),
    )
