"""Graph helpers every layer shares: markers, squashes, squash names and the same-app apply order.

These are the one place where ``__first__``/``__latest__`` (and ``swappable_dependency``, which is a
``__first__`` marker) are resolved, where "which squash replaces this migration" is answered and where Django's
squash names are made; analyses, proposals, history and the squash planner call them instead of keeping copies.

Examples::

    >>> number_of("0032_vat")
    32
    >>> squashed_name("crm", "0001_initial", "0032_vat", from_first=True)
    '0001_squashed_0032_vat'
    >>> squashed_name("crm", "0005_tax", "0032_vat", from_first=False)
    '0005_tax_squashed_0032_vat'
    >>> is_ignored_same_app(MigrationKey("crm", "__first__"), "crm")  # Django's #22325
    True
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from squashkit.errors import SquashkitError
from squashkit.graph.model import FIRST, LATEST, Dependency, MigrationKey, Project

if TYPE_CHECKING:
    from squashkit.graph.graph import MigrationGraph

__all__ = [
    "UnfeasibleOrder",
    "app_order",
    "chain",
    "is_ignored_same_app",
    "marker_target",
    "number_of",
    "replaced_by",
    "replacement_of",
    "resolve",
    "squash_range",
    "squashed_name",
    "squashes",
]


class _Adjacent(Protocol):
    """What the resolvers read of a graph (a built :class:`MigrationGraph` or one being built)."""

    @property
    def pred(self) -> Mapping[MigrationKey, Mapping[MigrationKey, Any]]: ...

    @property
    def succ(self) -> Mapping[MigrationKey, Mapping[MigrationKey, Any]]: ...


class UnfeasibleOrder(SquashkitError):
    """Same-app edges form a cycle: no apply order exists (the graph's cycle finding reports it)."""

    def __init__(self, nodes: Iterable[MigrationKey]) -> None:
        self.nodes = tuple(sorted(nodes))
        names = ", ".join(str(n) for n in self.nodes)
        super().__init__(f"no apply order: a cycle through {names}", nodes=[str(n) for n in self.nodes])


# -- markers ---------------------------------------------------------------------------------------------------


def is_ignored_same_app(key: MigrationKey, current_app: str) -> bool:
    """A same-app ``__first__`` (or a same-app ``swappable_dependency``): Django ignores it (#22325)."""
    return key.app_label == current_app and key.name == FIRST


def marker_target(key: MigrationKey, nodes: Iterable[MigrationKey], graph: _Adjacent) -> MigrationKey | None:
    """The node a ``__first__``/``__latest__`` marker of ``key.app_label`` stands for among ``nodes`` (that app's
    migration nodes): Django's ``root_nodes(app)[0]`` / ``leaf_nodes(app)[0]``, roots and leaves judged by
    same-app edges only, smallest name first.  None when the app has no such node; ``key`` itself when it is no
    marker."""
    app = key.app_label
    if key.name == FIRST:
        pred = graph.pred
        candidates = [n for n in nodes if not any(p.app_label == app for p in pred[n])]
    elif key.name == LATEST:
        succ = graph.succ
        candidates = [n for n in nodes if not any(c.app_label == app for c in succ[n])]
    else:
        return key
    return min(candidates) if candidates else None


def resolve(
    dependency: Dependency | MigrationKey, graph: MigrationGraph, *, current_app: str | None = None
) -> MigrationKey | None:
    """The graph node a declared dependency points at, as Django's ``MigrationLoader.check_key`` resolves it.

    An explicit key is returned as it is (whether or not it is in the graph); ``__first__`` (also what
    ``swappable_dependency`` gives) is the app's first root node, ``__latest__`` its first leaf node; a
    marker of ``current_app`` itself is ignored by Django (#22325) and gives None, and so does a marker of an
    app with no migration nodes in ``graph``.  A marker node that a static load kept (an app it cannot see) is
    returned as it is.
    """
    key = dependency.key if isinstance(dependency, Dependency) else dependency
    if not key.is_marker or key in graph:
        return key
    if current_app is not None and key.app_label == current_app:
        return None
    return marker_target(key, graph.migration_nodes(key.app_label), graph)


# -- squashes ----------------------------------------------------------------------------------------------------


def squashes(project: Project) -> dict[MigrationKey, tuple[MigrationKey, ...]]:
    """Every squash migration on disk (a migration with ``replaces``) and what it replaces, sorted by key."""
    return {
        key: project.migrations[key].replaces for key in sorted(project.migrations) if project.migrations[key].replaces
    }


def replaced_by(graph: MigrationGraph) -> dict[MigrationKey, MigrationKey]:
    """Replaced migration -> the squash that replaces it in ``graph`` (squashes Django uses only)."""
    found: dict[MigrationKey, MigrationKey] = {}
    for outcome in graph.replacements:
        if outcome.used:
            for key in outcome.replaces:
                found[key] = outcome.replacement
    return found


def replacement_of(key: MigrationKey, graph: MigrationGraph) -> MigrationKey | None:
    """The squash standing for ``key`` in ``graph`` (None when ``key`` is not replaced by a squash in use).

    For a squash of a squash (Django 6) the outermost squash in use is returned.
    """
    mapping = replaced_by(graph)
    found = mapping.get(key)
    seen: set[MigrationKey] = set()
    while found is not None and found in mapping and found not in seen:
        seen.add(found)
        found = mapping[found]
    return found


# -- names -------------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(\d+)_")
_SQUASHED = re.compile(r"^(\d+)_squashed_(\d+)_")


def number_of(name: str) -> int | None:
    """The leading number of a migration name (``0032_vat`` -> 32); None for a name without one."""
    match = _NUMBER.match(name)
    return int(match.group(1)) if match else None


def squash_range(name: str) -> tuple[int, int] | None:
    """``(first, last)`` numbers of Django's squash names ``0001_squashed_0004_x``; None otherwise."""
    match = _SQUASHED.match(name)
    return (int(match.group(1)), int(match.group(2))) if match else None


def squashed_name(app_label: str, first: str, last: str, *, from_first: bool) -> str:
    """The name Django's ``squashmigrations`` gives a squash of ``app_label``'s ``first`` .. ``last`` (names,
    no ``--squashed-name``).

    From the app's first migration (``squashmigrations app last``, no start migration) it is
    ``0001_squashed_<last>``; from the middle (``squashmigrations app first last``) ``<first>_squashed_<last>``,
    as Django 4.2 to 6.x write them.
    """
    del app_label  # part of the signature for callers' clarity; Django's rule does not depend on it
    if from_first:
        return f"0001_squashed_{last}"
    return f"{first}_squashed_{last}"


# -- same-app order ------------------------------------------------------------------------------------------


def app_order(
    nodes: Iterable[MigrationKey], parents: Mapping[MigrationKey, Iterable[MigrationKey]]
) -> list[MigrationKey]:
    """Kahn's algorithm over ``nodes`` with ``parents`` (edges among them only), smallest name first among the
    ready nodes: a deterministic apply order.  Raises :class:`UnfeasibleOrder` on a cycle."""
    members = sorted(set(nodes))
    member_set = set(members)
    pending = {n: 0 for n in members}
    children: dict[MigrationKey, list[MigrationKey]] = {}
    for node in members:
        for parent in parents.get(node, ()):
            if parent in member_set:
                pending[node] += 1
                children.setdefault(parent, []).append(node)
    ready = [n for n, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order: list[MigrationKey] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in children.get(node, ()):
            pending[child] -= 1
            if pending[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(members):
        raise UnfeasibleOrder(set(members) - set(order))
    return order


def chain(graph: MigrationGraph, app_label: str) -> list[MigrationKey]:
    """An app's migration nodes in ``graph`` in apply order (same-app edges, smallest name first when free)."""
    nodes = list(graph.migration_nodes(app_label))
    pred = graph.pred
    parents = {n: [p for p in pred[n] if p.app_label == app_label] for n in nodes}
    return app_order(nodes, parents)
