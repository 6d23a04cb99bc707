"""squashkit.squash.plan: ranges safe together and maximal (hypothesis, brute force on small graphs), bounds,
thresholds, nested squashes, estimates.  Pure: no Django."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squashkit.graph.graph import MigrationGraph
from squashkit.graph.helpers import chain
from squashkit.graph.model import MigrationKey, ModelRef, OperationSummary
from squashkit.history.model import AppliedRow, AppliedSet, AppliedState, SourceFailure
from squashkit.squash.plan import (
    PlannedRange,
    Segment,
    _cycle,
    _estimate,
    contract,
    plan_ranges,
    plan_squashes,
)
from tests.graph.helpers import key, project

# -- generated DAGs ------------------------------------------------------------------------------------------


@st.composite
def dags(draw: st.DrawFn) -> dict[str, list[str]]:
    """Several apps, each a chain, with cross-app dependencies on migrations earlier in one global order."""
    apps = draw(st.integers(min_value=2, max_value=4))
    lengths = [draw(st.integers(min_value=2, max_value=7)) for _ in range(apps)]
    pending = [f"a{i}.{n:04d}" for i, length in enumerate(lengths) for n in range(1, length + 1)]
    # a global order: a random interleaving that keeps each app's own order
    order: list[str] = []
    heads = [0] * apps
    while len(order) < len(pending):
        choices = [i for i in range(apps) if heads[i] < lengths[i]]
        i = draw(st.sampled_from(choices))
        heads[i] += 1
        order.append(f"a{i}.{heads[i]:04d}")
    graph: dict[str, list[str]] = {}
    for pos, name in enumerate(order):
        app, number = name.split(".")
        deps = [f"{app}.{int(number) - 1:04d}"] if int(number) > 1 else []
        earlier = [o for o in order[:pos] if not o.startswith(app + ".")]
        if earlier:
            deps += draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))
        graph[name] = deps
    return graph


def cross_app(graph: MigrationGraph) -> dict[MigrationKey, list[MigrationKey]]:
    return {n: sorted(p for p in graph.pred[n] if p.app_label != n.app_label) for n in graph.migration_nodes()}


def segments_of(graph: MigrationGraph, bounds: dict[str, int]) -> list[Segment]:
    found = []
    for app in sorted({n.app_label for n in graph.migration_nodes()}):
        nodes = tuple(chain(graph, app))
        cut = bounds.get(app, len(nodes))
        if cut < len(nodes):
            found.append(Segment(app, nodes[:cut], "source", ("env",)))
        else:
            found.append(Segment(app, nodes))
    return found


def is_acyclic(graph: MigrationGraph, ranges: list[tuple[MigrationKey, ...]], deps: dict) -> bool:
    parents, _ = contract(graph, ranges, lambda m: deps[m])
    return not _cycle(parents)


def check_plan(graph: MigrationGraph, segments: list[Segment], deps: dict, planned: list[PlannedRange]) -> None:
    members = [r.members for r in planned]
    # Safe together: contracting every range at once leaves the graph acyclic.
    assert is_acyclic(graph, members, deps)
    for segment in segments:
        mine = [r for r in planned if r.app == segment.app]
        # The ranges cover the segment, in order.
        assert [m for r in mine for m in r.members] == list(segment.nodes)
        for r in mine:
            end = segment.nodes.index(r.members[-1])
            if end == len(segment.nodes) - 1:
                assert r.bound == segment.bound
                continue
            # Maximal (brute force): taking the next migration into the range closes a cycle.
            assert r.bound == "cycle"
            nxt = segment.nodes[end + 1]
            extended = []
            for other in members:
                if other == r.members:
                    extended.append((*other, nxt))
                elif nxt in other:
                    rest = tuple(m for m in other if m != nxt)
                    if rest:
                        extended.append(rest)
                else:
                    extended.append(other)
            assert not is_acyclic(graph, extended, deps), (r, nxt)
            assert r.split_path, r
            assert r.split_path[-1].app_label == r.app


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(), st.data())
def test_ranges_are_safe_together_and_maximal(spec: dict[str, list[str]], data: st.DataObject) -> None:
    graph = project(spec).graph()
    deps = cross_app(graph)
    apps = sorted({n.app_label for n in graph.migration_nodes()})
    bounds = {app: data.draw(st.integers(min_value=1, max_value=8)) for app in apps}
    segments = segments_of(graph, bounds)
    planned = plan_ranges(graph, segments, lambda m: deps[m], min_size=1)
    check_plan(graph, segments, deps, planned)


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_fewer_dependencies_than_declared_also_safe_and_maximal(
    spec: dict[str, list[str]], data: st.DataObject
) -> None:
    """The squashed node keeps a subset of its members' dependencies (the minimal ones, in the plan)."""
    graph = project(spec).graph()
    declared = cross_app(graph)
    deps = {m: [d for d in ds if data.draw(st.booleans())] for m, ds in declared.items()}
    segments = segments_of(graph, {})
    planned = plan_ranges(graph, segments, lambda m: deps[m], min_size=1)
    check_plan(graph, segments, deps, planned)


def test_short_ranges_are_dropped_and_the_rest_stay_safe() -> None:
    #  a.0001 -> b.0001 -> a.0002 (a.0002 depends on b.0001, which depends on a.0001)
    graph = project({"a.0001": [], "a.0002": ["a.0001", "b.0001"], "b.0001": ["a.0001"], "b.0002": ["b.0001"]}).graph()
    deps = cross_app(graph)
    planned = plan_ranges(graph, segments_of(graph, {}), lambda m: deps[m], min_size=1)
    assert [(r.app, [m.name for m in r.members], r.bound) for r in planned] == [
        ("a", ["0001"], "cycle"),
        ("a", ["0002"], "latest"),
        ("b", ["0001", "0002"], "latest"),
    ]
    assert [str(k) for k in planned[0].split_path] == ["a.0001", "b.0001..0002", "a.0002"]
    assert [r.app for r in plan_ranges(graph, segments_of(graph, {}), lambda m: deps[m])] == ["b"]


# -- the plan ------------------------------------------------------------------------------------------------


def chain_project(app: str, count: int, **extra: list[str]) -> dict[str, list[str]]:
    spec: dict[str, list[str]] = {
        f"{app}.{n:04d}_m": [f"{app}.{n - 1:04d}_m"] if n > 1 else [] for n in range(1, count + 1)
    }
    spec.update(extra)
    return spec


def applied(label: str, keys: list[MigrationKey]) -> AppliedSet:
    return AppliedSet(label, None, label, tuple(AppliedRow(k.app_label, k.name) for k in keys))


def test_nothing_bounds_a_plan_without_sources() -> None:
    plan = plan_squashes(project(chain_project("shop", 12)), django_version="5.2")
    (r,) = plan.ranges
    assert (r.first.name, r.last.name, r.name) == ("0001_m", "0012_m", "0001_squashed_0012_m")
    assert r.bound == "latest"
    assert r.bound_by == "the app's latest migration; nothing bounds it (no environment, schema or snapshot known)"
    assert plan.sources == ()
    assert plan.to_dict()["schema_version"] == 1


def test_the_source_that_applied_least_bounds_the_range() -> None:
    p = project(chain_project("shop", 12))
    nodes = sorted(p.migrations)
    state = AppliedState.of([applied("staging", nodes[:8]), applied("production", nodes[:10])])
    plan = plan_squashes(p, state, django_version="5.2")
    (r,) = plan.ranges
    assert (r.last.name, r.bound, r.bound_sources) == ("0008_m", "source", ("staging",))
    assert r.bound_by == "not applied in staging beyond shop.0008_m"
    assert plan.sources == ("staging", "production")


def test_an_unreadable_source_is_named() -> None:
    p = project(chain_project("shop", 12))
    state = AppliedState.of([applied("staging", sorted(p.migrations))], [SourceFailure("prod", "dsn", "refused")])
    plan = plan_squashes(p, state, django_version="5.2")
    assert plan.unreadable == ("prod",)
    assert plan.notes == ("could not read prod: the ranges are not bounded by what they have applied",)


def test_apps_below_the_threshold_are_not_proposed() -> None:
    plan = plan_squashes(project(chain_project("shop", 9)), django_version="5.2")
    assert plan.ranges == ()
    assert plan.apps[0].notes == ("9 migrations to squash, below squash_min_migrations (10)",)
    assert len(plan_squashes(project(chain_project("shop", 9)), django_version="5.2", min_migrations=5).ranges) == 1


def test_an_unfinalized_squash_is_a_start_before_django_6_and_a_member_from_6() -> None:
    spec = chain_project("shop", 14)
    spec["shop.0001_squashed_0003_m"] = []
    spec["shop.0004_m"] = ["shop.0003_m"]
    replaces = {"shop.0001_squashed_0003_m": ["shop.0001_m", "shop.0002_m", "shop.0003_m"]}
    p = project(spec, replaces=replaces)
    old = plan_squashes(p, django_version="5.2")
    (r,) = old.ranges
    assert (r.first.name, r.last.name) == ("0004_m", "0014_m")
    assert r.name == "0004_m_squashed_0014_m"
    assert old.apps[0].start_after == key("shop.0001_squashed_0003_m")
    assert "finalize it first" in old.apps[0].notes[0]
    new = plan_squashes(p, django_version="6.0")
    (r,) = new.ranges
    assert (r.first.name, r.last.name) == ("0001_squashed_0003_m", "0014_m")
    assert r.nested_squashes == (key("shop.0001_squashed_0003_m"),)
    assert "Django 6.0 squashes squashes" in new.apps[0].notes[0]


def test_max_ranges_keeps_the_biggest_savings() -> None:
    spec = {**chain_project("big", 20), **chain_project("small", 11)}
    plan = plan_squashes(project(spec), django_version="5.2", max_ranges=1)
    assert [r.app for r in plan.ranges] == ["big"]
    assert plan.notes[0] == "--max-ranges 1: kept the 1 ranges that save the most operations"


def op(kind: str, category: str = "schema", model: str | None = "item", field: str | None = None, **kw: object):
    return OperationSummary(kind, category, model, field, **kw)  # type: ignore[arg-type]


def test_estimate_folds_between_barriers_and_drops_elidable_code() -> None:
    from dataclasses import replace

    p = project({"a.0001": [], "a.0002": ["a.0001"], "a.0003": ["a.0002"]})
    m1, m2, m3 = (p.migrations[key(k)] for k in ("a.0001", "a.0002", "a.0003"))
    m1 = replace(m1, operations=(op("CreateModel"), op("AddField", field="sku")))  # folded into CreateModel
    m2 = replace(
        m2,
        operations=(
            op("RunPython", "python", None, elidable=True),  # dropped by squashmigrations
            op("RunPython", "python", None, line=12),  # a barrier
            op("AlterField", field="sku"),  # after the barrier: not folded
        ),
    )
    m3 = replace(m3, operations=(op("AlterField", field="sku", references=(ModelRef("a", "x"),)),))  # folded
    before, after, barriers = _estimate([m1, m2, m3])
    assert (before, after) == (6, 3)
    assert [(str(b.migration), b.line, b.kind) for b in barriers] == [("a.0002", 12, "RunPython")]


def test_library_entry_point() -> None:
    import squashkit

    plan = squashkit.plan_squashes(project(chain_project("shop", 10)), django_version="5.2")
    assert len(plan.ranges) == 1
    assert Path  # the module's imports stay used
