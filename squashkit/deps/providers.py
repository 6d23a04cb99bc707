"""Which migration of an app provides each model and field state, following the app's own chain.

An :class:`AppChain` orders one app's migration nodes (same-app edges of the resolved graph, so a used squash
stands for the migrations it replaces) and records, per node, the *events* its operations cause:

* ``create``: a model starts to exist under a name (``CreateModel``; ``RenameModel`` to that name);
* ``delete``: a name stops existing (``DeleteModel``; ``RenameModel`` from that name);
* ``field``: a field gets its current definition under a name (``AddField``, ``AlterField``, ``RenameField``);
* ``touch``: anything that changes a model's state or data (every operation on it, RunPython reading it);
* ``opaque``: an operation whose effect cannot be seen (it may touch anything);
* ``refby``/``frefby``: an operation that creates, changes or removes a reference from this app to another
  app's model (or ``to_field`` field), including operations on models that once held such a reference, and
  a RunPython reading another app's model;
* ``pk``: a change of what relations to a model depend on besides its creation: its primary key (a field
  declared ``primary_key=True``, or the implicit ``id``, added, altered, removed or renamed), its table
  (``AlterModelTable``), its name (``RenameModel``).

:meth:`AppChain.latest` answers "which is the last migration at or before ``bound`` with this event", the
*provider* of a state: the earliest migration after which the state holds as it does at ``bound``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from squashkit.deps.references import operation_views
from squashkit.graph.graph import MigrationGraph, NodeKind
from squashkit.graph.helpers import app_order
from squashkit.graph.model import FieldRef, MigrationInfo, MigrationKey, ModelRef

__all__ = ["AppChain", "EventKind", "Provision", "build_chains"]

EventKind = Literal["create", "delete", "field", "touch", "opaque", "refby", "frefby", "pk"]


@dataclass(frozen=True)
class Provision:
    """The migration that provides a state, and what it does (``"creates crm.customer"``)."""

    migration: MigrationKey
    what: str


class AppChain:
    """One app's migrations in apply order, with the events of their operations."""

    def __init__(self, label: str, order: list[MigrationKey], parents: Mapping[MigrationKey, Iterable[MigrationKey]]):
        self.label = label
        self.nodes = order
        self.index = {node: i for i, node in enumerate(order)}
        #: bit i set when node i is an ancestor-or-self (through same-app edges)
        self.ancestry: list[int] = []
        for i, node in enumerate(order):
            bits = 1 << i
            for parent in parents.get(node, ()):
                j = self.index.get(parent)
                if j is not None:
                    bits |= self.ancestry[j]
            self.ancestry.append(bits)
        #: (kind, target) -> (node indices, what each does); a ``what`` is kept as ``(template, *args)`` and
        #: formatted only when a provision is returned (most recorded events are never asked for)
        self._events: dict[tuple[str, object], tuple[list[int], list[tuple]]] = {}
        #: model -> names its primary key has had (the implicit ``id`` included), filled while recording
        self.pk_fields: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def roots(self) -> list[MigrationKey]:
        """Django's ``root_nodes(app)``, sorted."""
        return sorted(n for i, n in enumerate(self.nodes) if self.ancestry[i] == 1 << i)

    @property
    def leaves(self) -> list[MigrationKey]:
        """Django's ``leaf_nodes(app)``, sorted."""
        covered = 0
        for i, bits in enumerate(self.ancestry):
            covered |= bits & ~(1 << i)
        return sorted(n for i, n in enumerate(self.nodes) if not covered >> i & 1)

    def is_ancestor(self, older: MigrationKey, newer: MigrationKey) -> bool:
        """True when ``older`` is ``newer`` or one of its same-app ancestors."""
        i, j = self.index.get(older), self.index.get(newer)
        return i is not None and j is not None and bool(self.ancestry[j] >> i & 1)

    def later(self, a: MigrationKey, b: MigrationKey) -> MigrationKey:
        """The later of two nodes (by apply order)."""
        return a if self.index[a] >= self.index[b] else b

    def maximal(self, nodes: Iterable[MigrationKey]) -> list[MigrationKey]:
        """Nodes that are not same-app ancestors of another of ``nodes``."""
        unique = sorted(set(nodes), key=self.index.__getitem__, reverse=True)
        kept: list[MigrationKey] = []
        for node in unique:
            if not any(self.is_ancestor(node, other) for other in kept):
                kept.append(node)
        return sorted(kept)

    def record(self, kind: EventKind, target: object, node: MigrationKey, template: str, *args: object) -> None:
        """Record an event of ``node``; what it does is ``template.format(*args)``."""
        found = self._events.get((kind, target))
        if found is None:
            found = self._events[(kind, target)] = ([], [])
        idxs, whats = found
        i = self.index[node]
        if idxs and idxs[-1] == i:
            return
        idxs.append(i)
        whats.append((template, *args))

    def has_events(self, kind: EventKind, target: object) -> bool:
        return (kind, target) in self._events

    def event_keys(self, *kinds: EventKind) -> list[tuple[str, object]]:
        """The ``(kind, target)`` pairs recorded for ``kinds``."""
        return [key for key in self._events if key[0] in kinds]

    def latest(self, kind: EventKind, target: object, bound: MigrationKey) -> Provision | None:
        """The last migration at or before ``bound`` (same-app ancestor-or-self) with this event."""
        found = self._events.get((kind, target))
        j = self.index.get(bound)
        if not found or j is None:
            return None
        idxs, whats = found
        ancestry = self.ancestry[j]
        pos = bisect_right(idxs, j) - 1
        while pos >= 0:
            i = idxs[pos]
            if ancestry >> i & 1:
                template, *args = whats[pos]
                return Provision(self.nodes[i], template.format(*args))
            pos -= 1
        return None

    def provide(self, kind: str, target: ModelRef | FieldRef, bound: MigrationKey) -> Provision | None:
        """The provider of a need (see :mod:`squashkit.deps.references`) as of ``bound``; None if unprovided."""
        model = target.model
        if kind == "exists":
            created = self.latest("create", model, bound)
            if created is None:
                return None
            deleted = self.latest("delete", model, bound)
            if deleted is not None and self.index[deleted.migration] > self.index[created.migration]:
                return None
            return created
        if kind == "field":
            assert isinstance(target, FieldRef)
            model_provider = self.provide("exists", ModelRef(target.app_label, model), bound)
            if model_provider is None:
                return None
            field = self.latest("field", (model, target.field), bound)
            if field is None or self.index[field.migration] < self.index[model_provider.migration]:
                return model_provider
            return field
        if kind == "state":
            found = [
                p
                for p in (
                    self.provide("exists", ModelRef(target.app_label, model), bound),
                    self.latest("touch", model, bound),
                    self.latest("opaque", None, bound),
                )
                if p is not None
            ]
            if not found:
                return None
            return max(found, key=lambda p: self.index[p.migration])
        raise ValueError(kind)


def _record_migration(chain: AppChain, node: MigrationKey, info: MigrationInfo, held: dict[str, set]) -> None:
    """Record the events of one migration; ``held`` maps a model to the foreign refs it ever held.

    (:meth:`AppChain.record`, inlined: this runs for every operation of every migration.)
    """
    app = chain.label
    events = chain._events
    i = chain.index[node]
    pks = chain.pk_fields

    def record(kind: EventKind, target: object, *what: object) -> None:
        found = events.get((kind, target))
        if found is None:
            events[(kind, target)] = ([i], [what])
        elif found[0][-1] != i:
            found[0].append(i)
            found[1].append(what)

    for view in operation_views(info):
        op = view.op
        kind = op.kind
        if op.category == "python":
            if view.opaque:
                record("opaque", None, "runs {} (opaque)", kind)
            for ref in view.reads:
                if ref.app_label == app:
                    record("touch", ref.model, "reads {} in RunPython", ref)
                else:
                    record("refby", ref, "reads {} in RunPython ({})", ref, kind)
            continue
        if view.opaque:
            record("opaque", None, "runs {} (opaque)", kind)
        model = op.model
        foreign = [r for r in op.references if r.app_label != app]
        foreign_fields = [f for f in op.field_references if f.app_label != app]
        if model is not None:
            model_held = held.get(model)
            if model_held is None:
                model_held = held[model] = set()
            model_held.update(foreign)
            model_held.update(foreign_fields)
            for ref in model_held:
                ref_kind: EventKind = "frefby" if isinstance(ref, FieldRef) else "refby"
                record(ref_kind, ref, "changes {}.{}, which references {} ({})", app, model, ref, kind)
        for ref in foreign:
            record("refby", ref, "references {} ({})", ref, kind)
        for fref in foreign_fields:
            record("frefby", fref, "references {} ({})", fref, kind)
        if model is None:
            continue
        if kind == "CreateModel":
            record("create", model, "creates {}.{}", app, model)
            pks[model] = set(view.pk_names) | {"id"}
        elif kind == "RenameModel" and op.old_name:
            old = op.old_name
            record("delete", old, "renames {}.{} to {}.{}", app, old, app, model)
            record("create", model, "renames {}.{} to {}.{}", app, old, app, model)
            record("touch", old, "renames {}.{}", app, old)
            record("pk", model, "renames {}.{} to {}.{}", app, old, app, model)
            held[model] = held.get(model, set()) | held.get(old, set())
            pks[model] = pks.get(model, {"id"}) | pks.get(old, set())
        elif kind == "DeleteModel":
            record("delete", model, "deletes {}.{}", app, model)
        elif kind == "AlterModelTable":
            record("pk", model, "renames the table of {}.{} (AlterModelTable)", app, model)
        field = op.field
        if field:
            model_pks = pks.setdefault(model, {"id"})
            if view.primary_key:
                model_pks.add(field)
            if field in model_pks or (op.old_name and op.old_name in model_pks):
                record("pk", model, "changes the primary key of {}.{} ({} {})", app, model, kind, field)
            if kind == "AddField":
                record("field", (model, field), "adds {}.{}.{}", app, model, field)
            elif kind == "AlterField":
                record("field", (model, field), "alters {}.{}.{}", app, model, field)
            elif kind == "RenameField":
                record("field", (model, field), "renames {}.{}.{} to {}", app, model, op.old_name, field)
                if op.old_name in model_pks:
                    model_pks.add(field)
        record("touch", model, "changes {}.{} ({})", app, model, kind)


def build_chains(graph: MigrationGraph, migrations: Mapping[MigrationKey, MigrationInfo]) -> dict[str, AppChain]:
    """One :class:`AppChain` per app with migration nodes in ``graph``."""
    pred = graph.pred
    by_app: dict[str, list[MigrationKey]] = {}
    parents: dict[MigrationKey, list[MigrationKey]] = {}
    for node, kind in graph.kinds.items():
        if kind != NodeKind.MIGRATION or node not in migrations:
            continue
        by_app.setdefault(node.app_label, []).append(node)
        parents[node] = [p for p in pred[node] if p.app_label == node.app_label]
    chains: dict[str, AppChain] = {}
    for label, nodes in by_app.items():
        chain = AppChain(label, app_order(nodes, parents), parents)
        held: dict[str, set] = {}
        for node in chain.nodes:
            _record_migration(chain, node, migrations[node], held)
        chains[label] = chain
    return chains
