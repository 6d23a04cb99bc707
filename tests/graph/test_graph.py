"""Queries over a resolved :class:`~squashkit.graph.graph.MigrationGraph` (edges parent -> child)."""

from __future__ import annotations

import networkx as nx
import pytest

from squashkit.graph.graph import RedundantEdge
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.graph.helpers import FIXTURES, key, keys, project

K = MigrationKey

#: a.0001 ---> a.0002 ---> a.0003
#:   |            \
#:   |             `-----> b.0001 ---> b.0002
#:   `-------------------------------^
DIAMOND = {
    "a.0001": [],
    "a.0002": ["a.0001"],
    "a.0003": ["a.0002"],
    "b.0001": ["a.0002"],
    "b.0002": ["b.0001", "a.0001"],
}


def test_root_and_leaf_nodes_are_judged_within_the_app():
    """b.0001 has a parent in app a but none in b: it is b's root."""
    graph = project(DIAMOND).graph()
    assert graph.root_nodes("a") == [key("a.0001")]
    assert graph.leaf_nodes("a") == [key("a.0003")]
    assert graph.root_nodes("b") == [key("b.0001")]
    assert graph.leaf_nodes("b") == [key("b.0002")]
    assert graph.root_nodes("zzz") == []


def test_len_contains_parents_children():
    graph = project({"a.0001": ["auth.0001_initial"], "a.0002": ["a.0001"]}).graph()
    assert len(graph) == 2  # the external auth node is not a migration of the project
    assert key("auth.0001_initial") in graph
    assert graph.parents(key("a.0001")) == [key("auth.0001_initial")]
    assert graph.children(key("a.0001")) == [key("a.0002")]
    assert graph.project_nodes() == [key("a.0001"), key("a.0002")]


def test_cross_app_edges():
    graph = project(DIAMOND).graph()
    assert [(str(p), str(c)) for p, c in graph.cross_app_edges()] == [
        ("a.0001", "b.0002"),
        ("a.0002", "b.0001"),
    ]


def test_redundant_edges():
    """a.0001 -> b.0002 is implied by a.0001 -> a.0002 -> b.0001 -> b.0002; ``via`` is the other parent."""
    graph = project(DIAMOND).graph()
    assert graph.redundant_edges() == [RedundantEdge(key("a.0001"), key("b.0002"), key("b.0001"))]


def test_redundant_edges_none_in_a_chain_or_a_fork():
    """
    a.0001 ---> a.0002         c.0001 depends on a.0002 and b.0001: neither implies the other.
    b.0001 ----------------> c.0001 <-- a.0002
    """
    graph = project({"a.0001": [], "a.0002": ["a.0001"], "b.0001": [], "c.0001": ["a.0002", "b.0001"]}).graph()
    assert graph.redundant_edges() == []


def test_redundant_edges_several_in_one_child():
    """
    a.0001 -> a.0002 -> a.0003, and b.0001 depends on all three: two of its three edges are redundant.
    """
    graph = project(
        {"a.0001": [], "a.0002": ["a.0001"], "a.0003": ["a.0002"], "b.0001": ["a.0001", "a.0002", "a.0003"]}
    ).graph()
    assert graph.redundant_edges() == [
        RedundantEdge(key("a.0001"), key("b.0001"), key("a.0002")),
        RedundantEdge(key("a.0002"), key("b.0001"), key("a.0003")),
    ]


def test_longest_path():
    """
    a.0001 -> a.0002 -> a.0003            longest: a.0001, a.0002, b.0001, b.0002 (4 steps)
                  `----> b.0001 -> b.0002
    """
    graph = project(DIAMOND).graph()
    assert keys(graph.longest_path()) == ["a.0001", "a.0002", "b.0001", "b.0002"]
    assert keys(graph.longest_path([key("a.0001"), key("a.0003")])) == ["a.0001"]


def test_longest_path_ignores_external_nodes():
    graph = project({"a.0001": ["auth.0001_initial"], "a.0002": ["a.0001"]}).graph()
    assert keys(graph.longest_path()) == ["a.0001", "a.0002"]


def test_conflicts():
    """
    blog.0001 ---> blog.0002_post_body
          `------> blog.0002_post_title
    """
    graph = load_static(FIXTURES / "conflicts").graph()
    assert graph.conflicts() == {"blog": [K("blog", "0002_post_body"), K("blog", "0002_post_title")]}
    assert graph.leaf_nodes("blog") == [K("blog", "0002_post_body"), K("blog", "0002_post_title")]


def test_no_conflicts_when_a_merge_migration_joins_the_leaves():
    graph = project({"a.0001": [], "a.0002_x": ["a.0001"], "a.0002_y": ["a.0001"], "a.0003": ["a.0002_x", "a.0002_y"]})
    assert graph.graph().conflicts() == {}


def test_conflicts_only_for_project_apps():
    p = project({"a.0001": [], "b.0001": [], "b.0002": []}, external=[])
    assert p.graph().conflicts() == {"b": [key("b.0001"), key("b.0002")]}


def test_cross_app_cycle_fixture():
    """
    alpha.0001 ---> alpha.0002 <---.
                        |           |
                        `--> beta.0001
    """
    graph = load_static(FIXTURES / "cycle").graph()
    assert graph.cycles() == [
        [K("alpha", "0002_author_favourite"), K("beta", "0001_initial"), K("alpha", "0002_author_favourite")]
    ]
    assert graph.is_acyclic is False
    assert graph.longest_path() == []
    assert graph.redundant_edges() == []
    with pytest.raises(nx.NetworkXUnfeasible):
        graph.topological_order()


def test_one_cycle_per_component_and_self_loops():
    p = project({"a.0001": ["a.0001"], "b.0001": ["c.0001"], "c.0001": ["b.0001"], "d.0001": []})
    assert p.graph().cycles() == [
        [key("a.0001"), key("a.0001")],
        [key("b.0001"), key("c.0001"), key("b.0001")],
    ]


def test_topological_order_is_lexicographic_among_ready_nodes():
    graph = project(DIAMOND).graph()
    assert keys(graph.topological_order()) == ["a.0001", "a.0002", "a.0003", "b.0001", "b.0002"]


def test_forwards_plan_ancestors_descendants():
    graph = project(DIAMOND).graph()
    assert keys(graph.forwards_plan(key("b.0001"))) == ["a.0001", "a.0002", "b.0001"]
    assert graph.ancestors(key("b.0002")) == {key("a.0001"), key("a.0002"), key("b.0001")}
    assert graph.descendants(key("a.0002")) == {key("a.0003"), key("b.0001"), key("b.0002")}


def test_signature_holds_app_nodes_and_edges_touching_them():
    graph = project({**DIAMOND, "c.0001": ["b.0002"]}).graph()
    nodes, edges = graph.signature(["b"])
    assert nodes == {key("b.0001"), key("b.0002")}
    assert edges == {
        (key("a.0002"), key("b.0001")),
        (key("b.0001"), key("b.0002")),
        (key("a.0001"), key("b.0002")),
        (key("b.0002"), key("c.0001")),
    }


def test_maps_and_networkx_view_hold_the_same_graph():
    """``kinds``/``succ``/``pred`` are the graph; ``dg`` is made from them with the same nodes, kinds, edge
    attributes and adjacency order (a squash re-points edges, so insertion order is not sorted order)."""
    graph = load_static(FIXTURES / "odd_files").graph()
    dg = graph.dg
    assert dg is graph.dg  # made once
    assert list(dg.nodes(data="kind")) == list(graph.kinds.items())
    assert list(dg.edges) == list(graph.iter_edges())
    for node in graph.kinds:
        assert list(dg.succ[node].items()) == list(graph.succ[node].items())
        assert list(dg.pred[node].items()) == list(graph.pred[node].items())
    for parent, child in graph.iter_edges():
        assert graph.pred[child][parent] is graph.succ[parent][child]
        assert graph.edge_data(parent, child) == dg.edges[parent, child]
        assert graph.has_edge(parent, child)
    assert graph.edge_data(K("nope", "0001"), K("nope", "0002")) is None
    assert not graph.has_edge(K("nope", "0001"), K("nope", "0002"))


def test_ancestors_of_an_unknown_node_raise():
    graph = project(DIAMOND).graph()
    with pytest.raises(KeyError, match=r"c\.0001 is not in the graph"):
        graph.ancestors(key("c.0001"))


def test_ancestors_on_a_cycle_leave_the_start_out_like_networkx():
    graph = load_static(FIXTURES / "cycle").graph()
    start = K("beta", "0001_initial")
    assert graph.ancestors(start) == nx.ancestors(graph.dg, start)
    assert graph.descendants(start) == nx.descendants(graph.dg, start)
    assert start not in graph.ancestors(start)


def test_shared_ancestor_bits_match_networkx_and_are_none_on_a_cycle():
    graph = load_static(FIXTURES / "odd_files").graph()
    index, bits = graph.node_index(), graph.ancestor_bits()
    assert bits is not None and graph.ancestor_bits() is bits  # computed once
    assert list(index) == list(graph.kinds)
    for node in graph.kinds:
        assert {other for other, i in index.items() if bits[node] >> i & 1} == nx.ancestors(graph.dg, node)
    assert load_static(FIXTURES / "cycle").graph().ancestor_bits() is None
