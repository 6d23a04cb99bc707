"""Graph helpers: markers, squashes, squash names and the same-app order (squashkit.graph.helpers)."""

from __future__ import annotations

import pytest

from squashkit.graph.helpers import (
    UnfeasibleOrder,
    app_order,
    chain,
    is_ignored_same_app,
    number_of,
    replaced_by,
    replacement_of,
    resolve,
    squash_range,
    squashed_name,
    squashes,
)
from squashkit.graph.model import Dependency, DependencyForm, MigrationKey

from .helpers import key, keys, project

#   crm.0001 --> crm.0002a --> crm.0003
#        \-----> crm.0002b ----/          sales.0001 depends on crm.__first__, crm.__latest__
SHOP = {
    "crm.0001": [],
    "crm.0002b": ["crm.0001"],
    "crm.0002a": ["crm.0001"],
    "crm.0003": ["crm.0002a", "crm.0002b"],
    "sales.0001": ["crm.__first__", "crm.__latest__"],
}


def test_first_and_latest_resolve_as_django_does() -> None:
    graph = project(SHOP).graph()
    assert resolve(Dependency.of("crm", "__first__"), graph) == key("crm.0001")
    assert resolve(Dependency.of("crm", "__latest__"), graph) == key("crm.0003")
    assert resolve(key("crm.__latest__"), graph, current_app="sales") == key("crm.0003")
    assert resolve(key("crm.0002a"), graph) == key("crm.0002a")
    assert resolve(key("nowhere.0001"), graph) == key("nowhere.0001")  # explicit keys are kept as written
    assert resolve(key("nowhere.__first__"), graph) is None  # an app with no migrations


def test_latest_is_the_first_leaf_by_name() -> None:
    graph = project({"crm.0001": [], "crm.0002b": ["crm.0001"], "crm.0002a": ["crm.0001"]}).graph()
    assert resolve(key("crm.__latest__"), graph) == key("crm.0002a")


def test_same_app_first_and_swappable_are_ignored() -> None:
    """Django ignores a same-app ``__first__`` (#22325), also the one ``swappable_dependency`` gives."""
    graph = project(SHOP).graph()
    swappable = Dependency(MigrationKey("crm", "__first__"), DependencyForm.SWAPPABLE, "AUTH_USER_MODEL", 3)
    assert resolve(swappable, graph, current_app="crm") is None
    assert resolve(swappable, graph, current_app="sales") == key("crm.0001")
    assert is_ignored_same_app(key("crm.__first__"), "crm")
    assert not is_ignored_same_app(key("crm.__latest__"), "crm")
    assert not is_ignored_same_app(key("crm.__first__"), "sales")


def test_same_app_swappable_adds_no_edge() -> None:
    graph = project({"crm.0001": [], "crm.0002": ["crm.0001", "crm.__first__"]}).graph()
    assert sorted(graph.pred[key("crm.0002")]) == [key("crm.0001")]
    assert not graph.dangling


def test_external_marker_of_a_static_load_is_kept() -> None:
    graph = project({"crm.0001": ["auth.__first__"]}).graph()
    assert resolve(key("auth.__first__"), graph) == key("auth.__first__")


SQUASHED = {
    "crm.0001": [],
    "crm.0002": ["crm.0001"],
    "crm.0003": ["crm.0002"],
    "crm.0001_squashed_0002": [],
    "sales.0001": ["crm.0002"],
}


def test_squashes_and_replacements() -> None:
    p = project(SQUASHED, replaces={"crm.0001_squashed_0002": ["crm.0001", "crm.0002"]})
    assert squashes(p) == {key("crm.0001_squashed_0002"): (key("crm.0001"), key("crm.0002"))}
    graph = p.graph()
    assert replaced_by(graph) == {
        key("crm.0001"): key("crm.0001_squashed_0002"),
        key("crm.0002"): key("crm.0001_squashed_0002"),
    }
    assert replacement_of(key("crm.0002"), graph) == key("crm.0001_squashed_0002")
    assert replacement_of(key("crm.0003"), graph) is None
    # Partly applied: Django does not use the squash.
    partial = p.graph(applied=[key("crm.0001")])
    assert replacement_of(key("crm.0002"), partial) is None


def test_replacement_of_a_squash_of_a_squash_is_the_outer_one() -> None:
    p = project(
        {**SQUASHED, "crm.0001_squashed_0003": []},
        replaces={
            "crm.0001_squashed_0002": ["crm.0001", "crm.0002"],
            "crm.0001_squashed_0003": ["crm.0001_squashed_0002", "crm.0003"],
        },
    )
    assert replacement_of(key("crm.0001"), p.graph()) == key("crm.0001_squashed_0003")


def test_number_of_and_squash_range() -> None:
    assert number_of("0032_vat") == 32
    assert number_of("0001_squashed_0004_x") == 1
    assert number_of("initial") is None
    assert squash_range("0001_squashed_0004_x") == (1, 4)
    assert squash_range("0004_x") is None


def test_squashed_name_is_djangos() -> None:
    assert squashed_name("crm", "0001_initial", "0032_vat", from_first=True) == "0001_squashed_0032_vat"
    assert squashed_name("crm", "0005_tax", "0032_vat", from_first=False) == "0005_tax_squashed_0032_vat"
    # tests/squash/test_plan_sample_project.py checks both forms against the files squashmigrations writes.


def test_chain_is_the_apply_order() -> None:
    graph = project(SHOP).graph()
    assert keys(chain(graph, "crm")) == ["crm.0001", "crm.0002a", "crm.0002b", "crm.0003"]
    assert chain(graph, "nowhere") == []


def test_app_order_reports_a_cycle() -> None:
    a, b = key("crm.0001"), key("crm.0002")
    with pytest.raises(UnfeasibleOrder) as caught:
        app_order([a, b], {a: [b], b: [a]})
    assert str(caught.value) == "no apply order: a cycle through crm.0001, crm.0002"
