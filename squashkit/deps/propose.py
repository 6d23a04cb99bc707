"""The minimal dependency set of every migration: static, pure, no Django.

Rules, for a migration ``M`` of app ``A``:

1. Same-app dependencies are kept as written, except one implied by another same-app dependency
   (``0009`` listed next to ``0011``): it is *transitive* and dropped.
2. Every cross-app need of ``M`` (:mod:`squashkit.deps.references`) is mapped to its *provider*: the last
   migration of the other app, at or before what ``M`` is applied after today, that creates/renames/alters
   what is needed (:mod:`squashkit.deps.providers`).  When ``M`` deletes or renames one of its own models
   or fields, the other apps' migrations that reference it must stay before ``M`` too.
3. A cross-app dependency whose target is not a provider is *over-specified*: it is removed, and the
   provider added in its place (in the same position) unless something else already implies it.
4. Providers implied by another path of the rewired graph are *transitive* and dropped.
5. A migration with an opaque operation keeps all its dependencies (``opaque``); a ``swappable_dependency``
   on the model it references is kept as is (``swappable``); a ``__first__`` dependency whose first
   migration is the provider is kept (the form is right); dependencies on apps whose migrations are not
   visible are kept (``external``); ``__latest__`` is pinned to its provider (``latest``).

Every provider is a same-app ancestor of what ``M`` depended on, so the rewired graph only *loses*
orderings: it has no cycle when the original has none, and any mix of rewritten and untouched migrations
(some refused because they are applied) still satisfies every need.

Example::

    crm.0001 (creates customer) -> crm.0002 -> crm.0003
    sales.0001 (FK to crm.customer) depends on crm.0003   =>  proposed: crm.0001 (over-specified)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from squashkit.deps.code import migration_code
from squashkit.deps.providers import AppChain, EventKind, Provision, build_chains
from squashkit.deps.references import References, references
from squashkit.graph.algorithms import ancestor_bits
from squashkit.graph.graph import MigrationGraph, NodeKind
from squashkit.graph.helpers import is_ignored_same_app, marker_target, replaced_by
from squashkit.graph.model import Dependency, DependencyForm, MigrationInfo, MigrationKey, ModelRef, Project

__all__ = [
    "EdgeChange",
    "Explanation",
    "OverSpecified",
    "Proposal",
    "ReasonCode",
    "Verification",
    "explain",
    "over_specified",
    "propose",
]

Action = Literal["remove", "add", "keep"]
ReasonCode = Literal[
    "transitive",
    "over-specified",
    "provider",
    "opaque",
    "swappable",
    "latest",
    "needed",
    "same-app",
    "external",
    "unresolved",
    "unprovided",
    "descendant",
]


@dataclass(frozen=True)
class EdgeChange:
    """What happens to one dependency of a migration, and why.

    ``dependency`` is the key as written in the file (``("crm", "__first__")`` stays a marker) for kept and
    removed edges, the provider's key for added ones.  ``provider`` is the migration that provides what is
    needed (the replacement of an over-specified edge), ``via`` the parent through which a transitive edge
    is implied.
    """

    dependency: MigrationKey
    action: Action
    reason_code: ReasonCode
    reason: str
    provider: MigrationKey | None = None
    via: MigrationKey | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "dependency": str(self.dependency),
            "action": self.action,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "provider": str(self.provider) if self.provider else None,
            "via": str(self.via) if self.via else None,
        }


@dataclass(frozen=True)
class Verification:
    """Outcome of replaying the rewired graph with Django (:mod:`squashkit.deps.verify`)."""

    status: Literal["verified", "failed", "skipped"]
    reason: str = ""


@dataclass(frozen=True)
class Proposal:
    """The proposed dependency list of one migration (``proposed`` in file order, adds last or in place)."""

    migration: MigrationKey
    path: Path | None
    current: tuple[Dependency, ...]
    proposed: tuple[Dependency, ...]
    changes: tuple[EdgeChange, ...]
    verification: Verification | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def pending(self) -> bool:
        """True when the proposed list differs from the current one."""
        return any(change.action != "keep" for change in self.changes)

    @property
    def safe(self) -> bool:
        """Pending and verified by Django."""
        return self.pending and self.verification is not None and self.verification.status == "verified"

    def to_dict(self) -> dict[str, object]:
        return {
            "migration": str(self.migration),
            "path": str(self.path) if self.path else None,
            "current": [_dep_str(d) for d in self.current],
            "proposed": [_dep_str(d) for d in self.proposed],
            "changes": [c.to_dict() for c in self.changes],
            "verification": (
                {"status": self.verification.status, "reason": self.verification.reason} if self.verification else None
            ),
            "notes": list(self.notes),
        }


def _dep_str(dep: Dependency) -> str:
    if dep.form is DependencyForm.SWAPPABLE:
        return f"swappable_dependency(settings.{dep.setting})" if dep.setting else f"swappable:{dep.key}"
    return str(dep.key)


class _Resolver:
    """Declared dependency key -> node of the resolved graph (markers, squashes), or None."""

    def __init__(self, graph: MigrationGraph, chains: dict[str, AppChain]) -> None:
        self.graph = graph
        self.chains = chains
        self.replaced_by = replaced_by(graph)
        self._markers: dict[MigrationKey, MigrationKey | None] = {}

    def __call__(self, key: MigrationKey, origin: MigrationKey | None = None) -> MigrationKey | None:
        """``key`` as a node; ``origin`` is the migration declaring it: a ``__first__`` dependency on its own
        app (``swappable_dependency`` in the swapped model's own app) is ignored, as Django ignores it."""
        chain = self.chains.get(key.app_label)
        if chain is None:
            return None
        if key.is_marker:
            if origin is not None and is_ignored_same_app(key, origin.app_label):
                return None
            if key not in self._markers:
                self._markers[key] = marker_target(key, chain.nodes, self.graph)
            return self._markers[key]
        if key in chain.index:
            return key
        replacement = self.replaced_by.get(key)
        return replacement if replacement in chain.index else None


class _Frontier:
    """The latest node of an app (in chain order) among a node's ancestors in the original graph.

    Reads the graph's shared ancestor bit-sets (:meth:`MigrationGraph.ancestor_bits`), where one app's
    migration nodes hold consecutive bits in name order: the app's slice of a node's bits is its ancestors in
    that app.  When the chain order is the name order (the usual case) the frontier is the highest bit of the
    slice, otherwise the ancestor that comes last in the chain.
    """

    def __init__(self, graph: MigrationGraph, chains: dict[str, AppChain]) -> None:
        self.graph = graph
        self.chains = chains
        #: app -> (first bit, bit of each chain node, in bit order, chain order is bit order and consecutive)
        self._slices: dict[str, tuple[int, list[tuple[int, MigrationKey]], bool]] = {}

    def _slice(self, app: str) -> tuple[int, list[tuple[int, MigrationKey]], bool]:
        found = self._slices.get(app)
        if found is None:
            index, chain = self.graph.node_index(), self.chains[app]
            placed = sorted((index[node], node) for node in chain.nodes)
            first = placed[0][0]
            simple = [node for _, node in placed] == chain.nodes and placed[-1][0] - first == len(placed) - 1
            found = self._slices[app] = (first, placed, simple)
        return found

    def __call__(self, node: MigrationKey, app: str) -> MigrationKey | None:
        bits = self.graph.ancestor_bits()
        assert bits is not None  # the callers checked that the graph is acyclic
        ancestors = bits.get(node, 0)
        first, placed, simple = self._slice(app)
        if simple:
            ancestors = (ancestors >> first) & ((1 << len(placed)) - 1)
            return placed[ancestors.bit_length() - 1][1] if ancestors else None
        chain = self.chains[app]
        found = [other for bit, other in placed if ancestors >> bit & 1]
        return max(found, key=chain.index.__getitem__) if found else None


@dataclass
class _Plan:
    """Intermediate per-migration result before the transitive reduction."""

    key: MigrationKey
    refs: References
    resolved: list[MigrationKey | None]
    #: cross-app nodes this migration must be applied after, with the provision that justifies each
    required: dict[MigrationKey, Provision]
    #: whole-migration keep reason (opaque, unresolved), if any
    keep_all: tuple[ReasonCode, str] | None
    notes: list[str]
    #: per required node, the need it serves (a sentence naming the operation)
    whys: dict[MigrationKey, str]
    #: swappable setting -> the model it names (lower-cased), from the project's settings
    swapped: dict[str, ModelRef] = field(default_factory=dict)


def _plan(
    key: MigrationKey,
    project: Project,
    chains: dict[str, AppChain],
    resolve: _Resolver,
    frontier: _Frontier,
    referencing: dict[tuple[str, object], list[str]],
) -> _Plan:
    info = project.migrations[key]
    refs = references(info)
    resolved = [resolve(dep.key, key) for dep in info.dependencies]
    notes: list[str] = []
    if info.unresolved:
        return _Plan(
            key, refs, resolved, {}, ("unresolved", "some dependencies are computed; kept as written"), notes, {}
        )
    if refs.opaque:
        return _Plan(key, refs, resolved, {}, ("opaque", "; ".join(o.why for o in refs.opaque)), notes, {})
    bounds: dict[str, MigrationKey] = {}
    for node in resolved:
        if node is None or node.app_label == key.app_label:
            continue
        chain = chains[node.app_label]
        previous = bounds.get(node.app_label)
        bounds[node.app_label] = node if previous is None else chain.later(previous, node)

    full: set[str] = set()

    def bound(app: str, *, complete: bool = False) -> MigrationKey | None:
        """What ``key`` is applied after in ``app``: its direct dependencies' latest target, or with
        ``complete`` the latest ``app`` node among all its ancestors (needed when a later state matters)."""
        if app not in chains:
            return None
        if app not in bounds or (complete and app not in full):
            found = frontier(key, app)
            full.add(app)
            previous = bounds.get(app)
            if found is None:
                return previous
            bounds[app] = found if previous is None else chains[app].later(previous, found)
        return bounds[app]

    required: dict[MigrationKey, Provision] = {}
    whys: dict[MigrationKey, str] = {}
    unprovided: set[str] = set()
    for need in refs.cross_app():
        app = need.app_label
        if app not in chains:
            continue  # an app squashkit cannot see: its dependencies are kept as "external"
        limit = bound(app, complete=need.kind != "exists")
        provision = chains[app].provide(need.kind, need.target, limit) if limit is not None else None
        if provision is None and need.kind == "exists":
            limit = bound(app, complete=True)
            provision = chains[app].provide(need.kind, need.target, limit) if limit is not None else None
        if provision is None:
            unprovided.add(app)
            notes.append(f"{need.why}, but no migration of {app!r} before it provides {need.target}")
            continue
        if need.kind in ("exists", "field"):
            # A relation's column and constraint follow the target's primary key, table and name up to the
            # point the migration ran at before, not only its creation.
            limit = bound(app, complete=True)
            history = chains[app].latest("pk", need.target.model, limit) if limit is not None else None
            if history is not None and chains[app].later(history.migration, provision.migration) != provision.migration:
                provision = history
        if provision.migration not in required:
            required[provision.migration] = provision
            whys[provision.migration] = need.why
    removals = list(refs.own_removals())
    if removals:
        # Opaque operations of other apps that ran before may read what this migration removes.
        for app in sorted(chains):
            if app == key.app_label:
                continue
            limit = bound(app, complete=True)
            provision = chains[app].latest("opaque", None, limit) if limit is not None else None
            if provision is not None and provision.migration not in required:
                required[provision.migration] = provision
                whys[provision.migration] = f"it may read what this migration removes: {removals[0].why}"
    for need in removals:
        kind: EventKind = "refby" if need.kind == "unreferenced" else "frefby"
        for app in referencing.get((kind, need.target), ()):
            if app == key.app_label:
                continue
            chain = chains[app]
            limit = bound(app, complete=True)
            if limit is None:
                continue
            provision = chain.latest(kind, need.target, limit)
            if provision is not None and provision.migration not in required:
                required[provision.migration] = provision
                whys[provision.migration] = f"it must come before: {need.why}"
    # Several providers in one app: keep the latest ones only.
    by_app: dict[str, list[MigrationKey]] = {}
    for node in required:
        by_app.setdefault(node.app_label, []).append(node)
    for app, nodes in by_app.items():
        keep = set(chains[app].maximal(nodes))
        for node in nodes:
            if node not in keep:
                del required[node]
    plan = _Plan(key, refs, resolved, required, None, notes, whys)
    if unprovided:
        plan.keep_all = (
            "unprovided",
            f"what it references in {', '.join(sorted(unprovided))} is not provided "
            "by any migration it depends on; kept as written",
        )
    return plan


def _same_app_implied(
    key: MigrationKey, resolved: list[MigrationKey | None], chains: dict[str, AppChain]
) -> dict[MigrationKey, MigrationKey]:
    """Same-app dependencies implied by another same-app dependency: ``node -> the later one``."""
    chain = chains.get(key.app_label)
    nodes = sorted({n for n in resolved if n is not None and n.app_label == key.app_label})
    if chain is None or len(nodes) < 2:
        return {}
    implied: dict[MigrationKey, MigrationKey] = {}
    for node in nodes:
        later = [other for other in nodes if other != node and chain.is_ancestor(node, other)]
        if later:
            implied[node] = later[0]
    return implied


def propose(
    project: Project, *, apps: Iterable[str] | None = None, graph: MigrationGraph | None = None
) -> list[Proposal]:
    """One :class:`Proposal` per migration of the selected apps (default: every project app), sorted.

    Proposals are static and unverified (``verification`` is None); see :func:`squashkit.deps.verify.verify`.
    An empty list is returned for a graph with cycles (nothing can be proposed safely).
    """
    graph = graph if graph is not None else project.graph()
    if not graph.is_acyclic:
        return []
    setup = _Setup(project, graph, apps)
    chains, scope = setup.chains, setup.scope
    plans = {key: setup.plan(key) for key in scope}

    _keep_ancestors(graph, project, setup, plans)
    rewired = _rewire(graph, project, chains, plans)
    if rewired is None:  # cannot happen: providers are ancestors of what was depended on
        return []
    candidate, implied_via = rewired
    return [_proposal(key, plans[key], project, chains, candidate[key], implied_via) for key in scope]


@dataclass(frozen=True)
class Explanation:
    """Why :func:`propose` proposes what it does for one migration (``squashkit deps --explain``).

    ``needs``: what it needs from other apps and why (``"exists crm.customer: AddField ..."``); ``opaque``:
    what it cannot see; ``providers``: ``(migration, what it does, the need it serves)``; ``kept``: the
    reason code and reason when its dependencies are kept as written; ``lost_ancestors``: migrations that
    are its ancestors today and would not be once every proposal is applied.
    """

    migration: MigrationKey
    proposal: Proposal
    needs: tuple[str, ...]
    opaque: tuple[str, ...]
    providers: tuple[tuple[MigrationKey, str, str], ...]
    kept: tuple[str, str] | None
    lost_ancestors: tuple[MigrationKey, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "migration": str(self.migration),
            "needs": list(self.needs),
            "opaque": list(self.opaque),
            "providers": [{"migration": str(m), "what": what, "why": why} for m, what, why in self.providers],
            "kept": {"reason_code": self.kept[0], "reason": self.kept[1]} if self.kept else None,
            "lost_ancestors": [str(k) for k in self.lost_ancestors],
            "proposal": self.proposal.to_dict(),
        }


def explain(project: Project, key: MigrationKey, *, graph: MigrationGraph | None = None) -> Explanation | None:
    """The needs, providers and lost ancestors of ``key`` as :func:`propose` sees them (every project app
    planned); None when ``key`` is not a planned migration of the project or the graph has a cycle."""
    graph = graph if graph is not None else project.graph()
    if not graph.is_acyclic:
        return None
    setup = _Setup(project, graph, None)
    if key not in setup.scope:
        return None
    plans = {node: setup.plan(node) for node in setup.scope}
    _keep_ancestors(graph, project, setup, plans)
    rewired = _rewire(graph, project, setup.chains, plans)
    if rewired is None:
        return None
    candidate, implied_via = rewired
    plan = plans[key]
    proposal = _proposal(key, plan, project, setup.chains, candidate[key], implied_via)
    original, parents = _rewired_parents(graph, project, setup, plans)
    index = {node: i for i, node in enumerate(original)}
    before, after = ancestor_bits(original, index), ancestor_bits(parents, index)
    lost: tuple[MigrationKey, ...] = ()
    if before is not None and after is not None:
        gone = before[key] & ~after[key]
        lost = tuple(sorted(node for node, i in index.items() if gone >> i & 1))
    needs = tuple(f"{n.kind} {n.target}: {n.why}" for n in plan.refs.needs)
    providers = tuple((node, plan.required[node].what, plan.whys.get(node, "")) for node in sorted(plan.required))
    return Explanation(key, proposal, needs, tuple(o.why for o in plan.refs.opaque), providers, plan.keep_all, lost)


def _rewired_parents(
    graph: MigrationGraph, project: Project, setup: _Setup, plans: dict[MigrationKey, _Plan]
) -> tuple[dict[MigrationKey, set[MigrationKey]], dict[MigrationKey, set[MigrationKey]]]:
    """Every node's parents in the graph proposals are judged on, and once the plans are applied."""
    nodes, pred = graph.kinds, graph.pred
    original = {node: _real_parents(graph, node) for node in nodes}
    parents = dict(original)
    for key, plan in plans.items():
        if plan.keep_all is not None:
            continue
        own = {p for p in original[key] if pred[key][p].get("declared_by") != key}
        mine = _candidate(key, project.migrations[key], plan, setup.chains)
        parents[key] = own | {n for n in mine if n in nodes}
    return original, parents


def _rewire(
    graph: MigrationGraph,
    project: Project,
    chains: dict[str, AppChain],
    plans: dict[MigrationKey, _Plan],
    *,
    all_candidates: bool = True,
) -> (
    tuple[dict[MigrationKey, dict[MigrationKey, str]], Callable[[MigrationKey, MigrationKey], MigrationKey | None]]
    | None
):
    """The rewired graph: each planned migration's candidate edges, and "which other parent implies this one".

    Planned migrations get their own same-app + kept + provider edges; every other edge (run_before, unplanned
    migrations) stays.  Edges declared by migrations a used squash replaces are left out: they vanish when the
    squash is finalized, so nothing may be judged "implied" through them.  None if the result has a cycle.

    Without ``all_candidates``, a migration whose plan changes no cross-app edge (see :func:`_keeps_edges`) gets
    no ``candidate`` entry and keeps its graph parents: its candidate edges would only drop same-app edges
    implied by another same-app dependency, which leaves every ancestor set, and so every answer of
    ``implied_via``, unchanged.
    """
    pred, nodes = graph.pred, graph.kinds
    parents: dict[MigrationKey, set[MigrationKey]] = {node: _real_parents(graph, node) for node in nodes}
    candidate: dict[MigrationKey, dict[MigrationKey, str]] = {}
    for key, plan in plans.items():
        if not all_candidates and _keeps_edges(key, project.migrations[key], plan):
            continue
        own = {p for p in parents[key] if pred[key][p].get("declared_by") != key}
        mine = _candidate(key, project.migrations[key], plan, chains)
        parents[key] = own | {n for n in mine if n in nodes}
        candidate[key] = mine
    index = {node: i for i, node in enumerate(parents)}
    bits = ancestor_bits(parents, index)
    if bits is None:
        return None

    def implied_via(key: MigrationKey, target: MigrationKey) -> MigrationKey | None:
        if target not in index:
            return None
        bit = 1 << index[target]
        for other in sorted(parents[key]):
            if other != target and bits[other] & bit:
                return other
        return None

    return candidate, implied_via


def _keep_ancestors(graph: MigrationGraph, project: Project, setup: _Setup, plans: dict[MigrationKey, _Plan]) -> None:
    """Make every narrowing sound for the descendants of the rewritten migrations (in every app).

    A migration whose needs are not all known (opaque, computed, unprovided, or not planned at all: another
    app's or not among the selected apps) needs everything it followed before.  When the rewired graph takes
    an ancestor away from such a migration, the planned migrations whose narrowed edges led to it keep their
    dependencies as written (``keep_all``, reason code ``descendant``), until no such ancestor is lost.  A
    precise migration needs only its providers, which its own proposal keeps as edges.  Dropping an implied
    edge changes no ancestor set, so those stay allowed.
    """
    nodes = graph.kinds
    original, _ = _rewired_parents(graph, project, setup, {})
    index = {node: i for i, node in enumerate(original)}
    before = ancestor_bits(original, index)
    if before is None:
        return
    checked = [n for n in nodes if nodes[n] == NodeKind.MIGRATION]
    for _ in range(len(plans) + 1):
        _, parents = _rewired_parents(graph, project, setup, plans)
        narrowed = {key: original[key] - parents[key] for key in plans if original[key] - parents[key]}
        if not narrowed:
            return
        after = ancestor_bits(parents, index)
        if after is None:
            return
        blamed: dict[MigrationKey, str] = {}
        for node in checked:
            node_plan = plans.get(node)
            if node_plan is not None and node_plan.keep_all is None:
                continue  # precise: its providers are its own edges
            lost = before[node] & ~after[node]
            if not lost:
                continue
            if node_plan is not None and node_plan.keep_all is not None:
                why = node_plan.keep_all[1]
            else:
                why = "its needs are not analysed (not among the selected apps)"
            found = False
            for key, gone in narrowed.items():
                if key != node and not before[node] >> index[key] & 1:
                    continue
                if any((before[g] | 1 << index[g]) & lost for g in gone):
                    blamed.setdefault(key, f"{node} follows it and needs everything it followed before: {why}")
                    found = True
            if not found:  # cannot happen: only narrowed edges take ancestors away
                for key in narrowed:
                    if before[node] >> index[key] & 1:
                        blamed.setdefault(key, f"{node} follows it and needs everything it followed before: {why}")
        if not blamed:
            return
        for key, why in blamed.items():
            plans[key].keep_all = ("descendant", why)


def _keeps_edges(key: MigrationKey, info: MigrationInfo, plan: _Plan) -> bool:
    """True when :func:`_candidate` would give ``key`` its graph edges less transitive same-app ones, no more.

    That holds when nothing is required of another app, no dependency resolves to another app's node (nothing
    to narrow), the plan keeps nothing wholesale, and no dependency is a ``__first__``/``__latest__`` marker
    (their resolution may differ from the graph's): every other dependency is the edge the graph already has,
    re-pointed to a used squash where the graph re-pointed it.
    """
    if plan.required or plan.keep_all is not None:
        return False
    app = key.app_label
    for dep, node in zip(info.dependencies, plan.resolved, strict=True):
        if dep.key.is_marker or (node is not None and node.app_label != app):
            return False
    return True


#: operations that delete, rename or change one of the migration's own models or fields (own removals)
_REMOVING = frozenset({"DeleteModel", "RenameModel", "RemoveField", "AlterField", "RenameField"})


class _Setup:
    """What every proposal of one project is computed from: chains, resolver, frontier, plans (memoised)."""

    def __init__(self, project: Project, graph: MigrationGraph, apps: Iterable[str] | None) -> None:
        self.project = project
        selected = set(apps) if apps is not None else set(project.project_apps)
        # Only the project's own apps: dependencies on contrib/third-party apps are kept as written
        # ("external"), whichever loader produced the project.
        own = {key: info for key, info in project.migrations.items() if project.in_project(key)}
        self.chains = chains = build_chains(graph, own)
        self.resolve = _Resolver(graph, chains)
        self.frontier = _Frontier(graph, chains)
        self.scope = sorted(
            node
            for node, kind in graph.kinds.items()
            if kind == NodeKind.MIGRATION
            and node.app_label in selected
            and node in project.migrations
            and project.in_project(node)
        )
        self.referencing: dict[tuple[str, object], list[str]] = {}
        for app in sorted(chains):
            for event in chains[app].event_keys("refby", "frefby"):
                self.referencing.setdefault(event, []).append(app)
        self._plans: dict[MigrationKey, _Plan] = {}
        self.swapped: dict[str, ModelRef] = {}
        for name, value in project.settings.items():
            label, dot, model = str(value).rpartition(".")
            if dot and label and model:
                self.swapped[name] = ModelRef(label, model.lower())
        #: (app, model) of every model another app references (by name or through ``to_field=``)
        self._referenced: set[tuple[str, str]] | None = None

    def resolved(self, key: MigrationKey) -> list[MigrationKey | None]:
        """What each dependency of ``key`` resolves to (its plan's ``resolved``)."""
        plan = self._plans.get(key)
        if plan is not None:
            return plan.resolved
        resolve = self.resolve
        return [resolve(dep.key, key) for dep in self.project.migrations[key].dependencies]

    def plan(self, key: MigrationKey, *, shortcut: bool = False) -> _Plan:
        """The plan of ``key``; with ``shortcut``, a migration that references no other app, has no opaque
        operation and removes nothing another app references gets an empty plan without reading its needs
        (its ``refs`` are then empty: only :func:`over_specified` uses it, where that is the same)."""
        found = self._plans.get(key)
        if found is None:
            if shortcut and self._independent(key):
                found = _Plan(key, References(key), self.resolved(key), {}, None, [], {})
            else:
                found = _plan(key, self.project, self.chains, self.resolve, self.frontier, self.referencing)
            found.swapped = self.swapped
            self._plans[key] = found
        return found

    def _independent(self, key: MigrationKey) -> bool:
        """True when :func:`_plan` would find nothing required and nothing to keep (checked conservatively)."""
        info = self.project.migrations[key]
        if info.unresolved:
            return False
        referenced = self._referenced
        if referenced is None:
            referenced = self._referenced = {(t.app_label, t.model) for _, t in self.referencing}  # type: ignore[attr-defined]
        app = key.app_label
        for op in info.operations:
            # RunPython: its code is read again (squashkit.deps.code); removals: other apps' opaque code
            if op.opaque or op.category == "python" or op.kind in _REMOVING:
                return False
            for ref in op.references:
                if ref.app_label != app:
                    return False
            for fref in op.field_references:
                if fref.app_label != app:
                    return False
            if op.kind in _REMOVING and ((app, op.model) in referenced or (app, op.old_name) in referenced):
                return False
        if any(op.kind == "AddField" for op in info.operations):  # a callable default of project code is opaque
            facts = migration_code(info).operations
            if facts is not None and any(f.opaque for f in facts):
                return False
        return True


def _real_parents(graph: MigrationGraph, node: MigrationKey) -> set[MigrationKey]:
    """Parents of ``node`` in the graph proposals are judged on.

    Edges declared by migrations a used squash replaces are left out: they vanish when the squash is
    finalized, so nothing may be judged "implied" through them.
    """
    nodes = graph.kinds
    found = set()
    for parent, data in graph.pred[node].items():
        declared = data.get("declared_by")
        if declared is None or declared in nodes:
            found.add(parent)
    return found


def _candidate(key: MigrationKey, info: MigrationInfo, plan: _Plan, chains: dict[str, AppChain]) -> dict:
    """The edges the rewired graph gives a planned migration, with why each is there."""
    mine: dict[MigrationKey, str] = {}
    implied_same = {} if info.unresolved else _same_app_implied(key, plan.resolved, chains)
    for dep, node in zip(info.dependencies, plan.resolved, strict=True):
        target = node if node is not None else dep.key
        if target.app_label == key.app_label:
            if (node is not None or not is_ignored_same_app(dep.key, key.app_label)) and target not in implied_same:
                mine[target] = "same-app"
        elif plan.keep_all is not None or node is None:
            mine[target] = "kept"
        elif _swappable_needed(dep, node, plan):
            mine[target] = "swappable"
    if plan.keep_all is None:
        for node in plan.required:
            mine.setdefault(node, "provider")
    return mine


@dataclass(frozen=True)
class OverSpecified:
    """One cross-app dependency :func:`propose` removes as over-specified (its ``remove`` change)."""

    migration: MigrationKey
    dependency: MigrationKey
    reason: str
    provider: MigrationKey | None = None
    via: MigrationKey | None = None


def over_specified(
    project: Project, *, apps: Iterable[str] | None = None, graph: MigrationGraph | None = None
) -> list[OverSpecified]:
    """The over-specified cross-app dependencies :func:`propose` would remove, without the proposals.

    Exactly the ``remove``/``over-specified`` changes of ``propose(project, apps=apps, graph=graph)``, in
    the same order (migration, then dependency order), with the same reasons, providers and ``via``
    (``tests/deps/test_over_specified.py`` compares both).  Cheaper: a migration that references no other
    app and removes nothing another app references is planned without reading its needs, no
    :class:`Proposal` or :class:`EdgeChange` is built, and only migrations with a resolved cross-app
    dependency are walked.
    """
    graph = graph if graph is not None else project.graph()
    if not graph.is_acyclic:
        return []
    setup = _Setup(project, graph, apps)
    plans = {key: setup.plan(key, shortcut=True) for key in setup.scope}
    _keep_ancestors(graph, project, setup, plans)
    rewired = _rewire(graph, project, setup.chains, plans, all_candidates=False)
    if rewired is None:  # as in propose
        return []
    candidate, implied_via = rewired
    found: list[OverSpecified] = []
    for key, plan in plans.items():
        if plan.keep_all is not None or not any(
            node is not None and node.app_label != key.app_label for node in plan.resolved
        ):
            continue  # kept as written, or no resolved cross-app dependency: nothing can be over-specified
        found.extend(_over_specified(key, project.migrations[key], plan, candidate[key], implied_via))
    return found


def _over_specified(
    key: MigrationKey,
    info: MigrationInfo,
    plan: _Plan,
    candidate: dict[MigrationKey, str],
    implied_via: Callable[[MigrationKey, MigrationKey], MigrationKey | None],
) -> list[OverSpecified]:
    """:func:`_proposal`'s walk over the dependencies of ``key``, keeping only the over-specified removals."""
    required = plan.required
    final: dict[MigrationKey, MigrationKey | None] = {}

    def implied(node: MigrationKey) -> MigrationKey | None:
        if node not in final:
            final[node] = implied_via(key, node) if candidate.get(node) != "swappable" else None
        return final[node]

    def present(node: MigrationKey) -> bool:
        return (
            any(
                n == node and dep.form is not DependencyForm.LATEST
                for dep, n in zip(info.dependencies, plan.resolved, strict=True)
            )
            and implied(node) is None
        )

    found: list[OverSpecified] = []
    placed: set[MigrationKey] = set()
    for dep, node in zip(info.dependencies, plan.resolved, strict=True):
        app = dep.key.app_label
        # Same-app dependencies (kept, or transitive) never resolve to another app's node.
        if app == key.app_label or node is None or node in placed:
            continue
        if _swappable_needed(dep, node, plan):
            placed.add(node)
            continue
        if node in required:
            if implied(node) is None:
                placed.add(node)
            continue
        providers = sorted(n for n in required if n.app_label == app)
        if not providers:
            found.append(OverSpecified(key, dep.key, f"nothing of {app!r} is referenced"))
            continue
        provider = providers[0]
        what = required[provider].what
        if provider in placed or present(provider):
            found.append(OverSpecified(key, dep.key, f"needs only {provider}, which {what}, already listed", provider))
        elif (via := implied(provider)) is not None:
            reason = f"needs only {provider}, which {what}, already implied through {via}"
            found.append(OverSpecified(key, dep.key, reason, provider, via))
        else:
            found.append(OverSpecified(key, dep.key, f"needs only {provider}, which {what}", provider))
            placed.add(provider)
    return found


def _swappable_needed(dep: Dependency, node: MigrationKey | None, plan: _Plan) -> bool:
    """A swappable dependency is the right form when the migration references the model the setting names
    (``plan.swapped``); one kept for another model of that app would be a dependency on its first migration."""
    if dep.form is not DependencyForm.SWAPPABLE or node is None or plan.keep_all is not None:
        return False
    swapped = plan.swapped.get(dep.setting or "")
    if swapped is None:  # the setting's value is unknown: any model of that app may be the swapped one
        return any(need.app_label == node.app_label for need in plan.refs.cross_app())
    return any(ModelRef(need.app_label, need.target.model) == swapped for need in plan.refs.cross_app())


def _proposal(
    key: MigrationKey,
    plan: _Plan,
    project: Project,
    chains: dict[str, AppChain],
    candidate: dict[MigrationKey, str],
    implied_via: Callable[[MigrationKey, MigrationKey], MigrationKey | None],
) -> Proposal:
    info = project.migrations[key]
    changes: list[EdgeChange] = []
    proposed: list[Dependency] = []
    required = plan.required
    # Providers that end up as edges (not implied by another path), in a stable order.
    final: dict[MigrationKey, MigrationKey | None] = {}
    for needed in sorted(required):
        via = implied_via(key, needed) if candidate.get(needed) != "swappable" else None
        final[needed] = via
    whys = plan.whys
    placed: set[MigrationKey] = set()
    present = {
        node
        for dep, node in zip(info.dependencies, plan.resolved, strict=True)
        if node in required and final[node] is None and dep.form is not DependencyForm.LATEST
    }
    implied_same = {} if info.unresolved else _same_app_implied(key, plan.resolved, chains)
    for dep, node in zip(info.dependencies, plan.resolved, strict=True):
        app = dep.key.app_label
        if node is not None and node in implied_same:
            via = implied_same[node]
            changes.append(
                EdgeChange(dep.key, "remove", "transitive", f"already implied through {via}", provider=node, via=via)
            )
            continue
        if app == key.app_label:
            changes.append(EdgeChange(dep.key, "keep", "same-app", "same-app predecessor"))
            proposed.append(dep)
            continue
        if plan.keep_all is not None:
            code, why = plan.keep_all
            changes.append(EdgeChange(dep.key, "keep", code, why))
            proposed.append(dep)
            continue
        if node is None:
            changes.append(EdgeChange(dep.key, "keep", "external", f"the migrations of {app!r} are not visible; kept"))
            proposed.append(dep)
            continue
        if node in placed:
            changes.append(EdgeChange(dep.key, "remove", "transitive", f"duplicate of another entry for {node}"))
            continue
        if _swappable_needed(dep, node, plan):
            swapped = plan.swapped.get(dep.setting or "")
            if swapped is not None:
                reason = (
                    f"swappable_dependency(settings.{dep.setting}) for {swapped.app_label}.{swapped.model}, "
                    "the model that setting names"
                )
            else:
                needs = sorted({str(n.target) for n in plan.refs.cross_app() if n.app_label == node.app_label})
                reason = f"swappable dependency for {', '.join(needs)} (the setting's value is not known)"
            changes.append(EdgeChange(dep.key, "keep", "swappable", reason, provider=node))
            proposed.append(dep)
            placed.add(node)
            continue
        if node in required:
            via = final[node]
            what = required[node].what
            if via is not None:
                changes.append(
                    EdgeChange(
                        dep.key,
                        "remove",
                        "transitive",
                        f"already implied through {via}",
                        provider=node,
                        via=via,
                    )
                )
                continue
            if dep.form is DependencyForm.LATEST:
                changes.append(
                    EdgeChange(
                        dep.key,
                        "remove",
                        "latest",
                        f"__latest__ follows {app}'s newest migration; pinned to {node}, which {what}",
                        provider=node,
                    )
                )
                changes.append(EdgeChange(node, "add", "provider", f"{what}; {whys[node]}", provider=node))
                proposed.append(Dependency.of(node.app_label, node.name))
                placed.add(node)
                continue
            changes.append(EdgeChange(dep.key, "keep", "needed", f"{what}; {whys[node]}", provider=node))
            proposed.append(dep)
            placed.add(node)
            continue
        # Over-specified: the target is not what is needed.
        providers = sorted(n for n in required if n.app_label == app)
        if not providers:
            changes.append(EdgeChange(dep.key, "remove", "over-specified", f"nothing of {app!r} is referenced"))
            continue
        for provider in providers:
            what = required[provider].what
            via = final[provider]
            if provider in placed or provider in present:
                changes.append(
                    EdgeChange(
                        dep.key,
                        "remove",
                        "over-specified",
                        f"needs only {provider}, which {what}, already listed",
                        provider=provider,
                    )
                )
            elif via is not None:
                changes.append(
                    EdgeChange(
                        dep.key,
                        "remove",
                        "over-specified",
                        f"needs only {provider}, which {what}, already implied through {via}",
                        provider=provider,
                        via=via,
                    )
                )
            else:
                changes.append(
                    EdgeChange(
                        dep.key, "remove", "over-specified", f"needs only {provider}, which {what}", provider=provider
                    )
                )
                changes.append(EdgeChange(provider, "add", "provider", f"{what}; {whys[provider]}", provider=provider))
                proposed.append(Dependency.of(provider.app_label, provider.name))
                placed.add(provider)
            break
        # Other providers of the same app (rare: unmerged branches) are added below.
    for node in sorted(required):
        if node in placed or final[node] is not None or plan.keep_all is not None:
            continue
        what = required[node].what
        changes.append(
            EdgeChange(
                node,
                "add",
                "provider",
                f"{what}; {whys[node]} (was only reached through other dependencies)",
                provider=node,
            )
        )
        proposed.append(Dependency.of(node.app_label, node.name))
        placed.add(node)
    return Proposal(
        migration=key,
        path=info.path,
        current=info.dependencies,
        proposed=tuple(proposed),
        changes=tuple(changes),
        notes=tuple(plan.notes),
    )
