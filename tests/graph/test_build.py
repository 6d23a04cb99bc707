"""Django's graph-building rules, as :func:`squashkit.graph.build.build_graph` applies them.

Graphs are drawn parent -> child (apply order, left to right).  Where Django can load the same project,
``django_agrees`` writes the files and the ``django_migrations`` rows and checks Django's ``MigrationLoader``
builds exactly the same nodes and edges.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import django
import pytest

from squashkit.graph.django_loader import django_graph
from squashkit.graph.graph import DanglingDependency, EdgeKind, NodeKind, ReplacementOutcome
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.graph.helpers import (
    FIXTURES,
    assert_same_graph,
    django_agrees,
    edges,
    key,
    make_app,
    materialize,
    nodes,
    project,
    random_project,
    record_applied,
    write_migration,
    write_settings,
)

K = MigrationKey


@pytest.mark.django
def test_internal_and_external_dependencies(tmp_path):
    """
    a.0001 ---> a.0002
        \\
         `----> b.0001
    """
    p = project({"a.0001": [], "a.0002": ["a.0001"], "b.0001": ["a.0001"]})
    graph = p.graph()
    assert edges(graph) == {("a.0001", "a.0002"), ("a.0001", "b.0001")}
    assert graph.dangling == ()
    assert graph.dg.edges[key("a.0001"), key("b.0001")] == {
        "kind": EdgeKind.DEPENDENCY,
        "declared_by": key("b.0001"),
        "line": 1,
        "via": None,
    }
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_same_app_first_is_ignored(tmp_path):
    """``("a", "__first__")`` inside app a adds no edge (#22325): a.0002 is a second root of a."""
    p = project({"a.0001": [], "a.0002": ["a.__first__"]})
    graph = p.graph()
    assert edges(graph) == set()
    assert graph.root_nodes("a") == [key("a.0001"), key("a.0002")]
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_first_is_the_first_root_and_latest_the_first_leaf(tmp_path):
    """
    a.0001 ---> a.0002_x          b.0001 depends on a.__first__  -> a.0001
          \\                       c.0001 depends on a.__latest__ -> a.0002_x (first of two leaves, sorted)
           `--> a.0002_y
    """
    p = project(
        {
            "a.0001": [],
            "a.0002_x": ["a.0001"],
            "a.0002_y": ["a.0001"],
            "b.0001": ["a.__first__"],
            "c.0001": ["a.__latest__"],
        }
    )
    graph = p.graph()
    assert edges(graph) == {
        ("a.0001", "a.0002_x"),
        ("a.0001", "a.0002_y"),
        ("a.0001", "b.0001"),
        ("a.0002_x", "c.0001"),
    }
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_run_before_adds_an_edge_from_the_declaring_migration(tmp_path):
    """
    b.0001 declares ``run_before = [("a", "0002")]``:

    a.0001 ---> a.0002
                  ^
    b.0001 -------'
    """
    p = project({"a.0001": [], "a.0002": ["a.0001"], "b.0001": []}, run_before={"b.0001": ["a.0002"]})
    graph = p.graph()
    assert edges(graph) == {("a.0001", "a.0002"), ("b.0001", "a.0002")}
    assert graph.dg.edges[key("b.0001"), key("a.0002")]["kind"] == EdgeKind.RUN_BEFORE
    assert graph.dg.edges[key("b.0001"), key("a.0002")]["declared_by"] == key("b.0001")
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_run_before_first_of_another_app(tmp_path):
    """``run_before = [("a", "__first__")]`` resolves to a's first root."""
    p = project({"a.0001": [], "b.0001": []}, run_before={"b.0001": ["a.__first__"]})
    graph = p.graph()
    assert edges(graph) == {("b.0001", "a.0001")}
    django_agrees(graph, materialize(tmp_path, p))


# -- replaces ---------------------------------------------------------------------------------------------

#: a.0001 ---> a.0002 ---> a.0003        a.0001_squashed_0002 replaces a.0001 and a.0002
#:               \
#:                `------> b.0001
SQUASH = {
    "a.0001": [],
    "a.0002": ["a.0001"],
    "a.0001_squashed_0002": [],
    "a.0003": ["a.0002"],
    "b.0001": ["a.0002"],
}
REPLACES = {"a.0001_squashed_0002": ["a.0001", "a.0002"]}


@pytest.mark.django
@pytest.mark.parametrize("applied", [(), ("a.0001", "a.0002")], ids=["none-applied", "all-applied"])
def test_replacement_is_used_when_none_or_all_replaced_are_applied(tmp_path, applied):
    """
    a.0001_squashed_0002 ---> a.0003
                  \\
                   `-------> b.0001
    """
    p = project(SQUASH, replaces=REPLACES)
    graph = p.graph({key(a) for a in applied})
    assert nodes(graph) == {"a.0001_squashed_0002", "a.0003", "b.0001"}
    assert edges(graph) == {("a.0001_squashed_0002", "a.0003"), ("a.0001_squashed_0002", "b.0001")}
    assert graph.dg.edges[key("a.0001_squashed_0002"), key("b.0001")]["via"] == key("a.0002")
    assert graph.replacements == (
        ReplacementOutcome(key("a.0001_squashed_0002"), (key("a.0001"), key("a.0002")), True, len(applied)),
    )
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_partially_applied_replacement_is_dropped(tmp_path):
    """
    Only a.0001 applied: the squash cannot be used, c.0001 (which names the squash) is re-pointed to the latest
    replaced node (#25945):

    a.0001 ---> a.0002 ---> a.0003
                  |\\
                  | `----> b.0001
                  `------> c.0001
    """
    p = project({**SQUASH, "c.0001": ["a.0001_squashed_0002"]}, replaces=REPLACES)
    graph = p.graph({key("a.0001")})
    assert nodes(graph) == {"a.0001", "a.0002", "a.0003", "b.0001", "c.0001"}
    assert edges(graph) == {
        ("a.0001", "a.0002"),
        ("a.0002", "a.0003"),
        ("a.0002", "b.0001"),
        ("a.0002", "c.0001"),
    }
    assert graph.dg.edges[key("a.0002"), key("c.0001")]["via"] == key("a.0001_squashed_0002")
    assert graph.replacements == (
        ReplacementOutcome(key("a.0001_squashed_0002"), (key("a.0001"), key("a.0002")), False, 1),
    )
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_replaced_files_deleted_are_healed_by_the_replacement(tmp_path):
    """a.0001/a.0002 deleted after squashing: dependencies naming them move to the squash, nothing dangles."""
    p = project({"a.0001_squashed_0002": [], "a.0003": ["a.0002"], "b.0001": ["a.0001"]}, replaces=REPLACES)
    graph = p.graph()
    assert graph.dangling == ()
    assert edges(graph) == {("a.0001_squashed_0002", "a.0003"), ("a.0001_squashed_0002", "b.0001")}
    django_agrees(graph, materialize(tmp_path, p))


def test_replaced_files_deleted_while_partially_applied_dangle():
    """Django raises NodeNotFoundError here, with the #23556 explanation: the squash is dropped (a.0001 is
    applied) and a.0002 is gone."""
    p = project({"a.0001_squashed_0002": [], "a.0003": ["a.0002"]}, replaces=REPLACES)
    graph = p.graph({key("a.0001")})
    assert graph.dangling == (
        DanglingDependency(
            child=key("a.0003"),
            missing=key("a.0002"),
            line=1,
            reason="dependency on a migration that does not exist; a.0001_squashed_0002 replaces it but cannot be"
            " used because some of the migrations it replaces are applied",
            declared_by=key("a.0003"),
        ),
    )
    assert graph.kind(key("a.0002")) is NodeKind.MISSING


def test_replace_migrations_false_keeps_every_node():
    graph = project(SQUASH, replaces=REPLACES).graph(replace_migrations=False)
    assert nodes(graph) == {"a.0001", "a.0002", "a.0001_squashed_0002", "a.0003", "b.0001"}
    assert graph.replacements == ()


def test_odd_files_squash_partially_applied_keeps_first_and_run_before_on_replaced_nodes():
    """
    shop.0001 and shop.0002 applied (migrated before the squash existed):

    people.0001 -> shop.0001 -> shop.0002 -> shop.0003 -> shop.0004 -> shop.0005
                      \\                                     ^            ^
                       `--> catalog.0001 --(run_before)----'            |
                                 `--> catalog.0002 --(__latest__)-------'
    """
    project_ = load_static(FIXTURES / "odd_files")
    graph = project_.graph({K("shop", "0001_initial"), K("shop", "0002_order_note")})
    assert [str(n) for n in graph.migration_nodes("shop")] == [
        "shop.0001_initial",
        "shop.0002_order_note",
        "shop.0003_order_total",
        "shop.0004_order_reference",
        "shop.0005_log_totals",
    ]
    assert graph.parents(K("catalog", "0001_initial")) == [K("shop", "0001_initial")]
    assert graph.parents(K("shop", "0004_order_reference")) == [
        K("catalog", "0001_initial"),
        K("shop", "0003_order_total"),
    ]
    assert graph.parents(K("shop", "0001_initial")) == [K("people", "0001_initial")]


def test_odd_files_squash_used_when_nothing_applied():
    graph = load_static(FIXTURES / "odd_files").graph()
    assert [str(n) for n in graph.migration_nodes("shop")] == [
        "shop.0001_squashed_0003_order_total",
        "shop.0004_order_reference",
        "shop.0005_log_totals",
    ]
    # catalog depends on shop.__first__, which was shop.0001_initial before the replacement.
    assert graph.parents(K("catalog", "0001_initial")) == [K("shop", "0001_squashed_0003_order_total")]
    assert graph.dg.edges[K("shop", "0001_squashed_0003_order_total"), K("catalog", "0001_initial")]["via"] == K(
        "shop", "0001_initial"
    )


# -- unknown, external and missing ------------------------------------------------------------------------


def test_static_load_keeps_apps_it_cannot_see_as_external_roots():
    """``auth`` is not in the analysed tree: its nodes are roots of the project, neither dangling nor analysed."""
    graph = project({"a.0001": ["auth.0012_alter_user", "contenttypes.__first__"]}).graph()
    assert graph.dangling == ()
    assert graph.kind(key("auth.0012_alter_user")) is NodeKind.EXTERNAL
    assert graph.kind(key("contenttypes.__first__")) is NodeKind.EXTERNAL
    assert nodes(graph) == {"a.0001"}


def test_dangling_dependency_and_run_before():
    p = project({"a.0001": [], "a.0002": ["a.0001", "b.0009_gone"], "b.0001": []}, run_before={"b.0001": ["a.0007"]})
    graph = p.graph()
    assert graph.dangling == (
        DanglingDependency(
            child=key("a.0007"),
            missing=key("a.0007"),
            line=0,
            reason="run_before names a migration that does not exist",
            declared_by=key("b.0001"),
        ),
        DanglingDependency(
            child=key("a.0002"),
            missing=key("b.0009_gone"),
            line=2,
            reason="dependency on a migration that does not exist",
            declared_by=key("a.0002"),
        ),
    )


def test_dangling_fixture_reports_file_line():
    graph = load_static(FIXTURES / "dangling").graph()
    assert graph.dangling == (
        DanglingDependency(
            child=K("orders", "0002_order_invoice"),
            missing=K("billing", "0002_invoice_total"),
            line=11,
            reason="dependency on a migration that does not exist",
            declared_by=K("orders", "0002_order_invoice"),
        ),
    )
    assert graph.kind(K("billing", "0002_invoice_total")) is NodeKind.MISSING


def test_dependency_on_an_unparseable_file_says_so():
    graph = load_static(FIXTURES / "syntax_error").graph()
    assert graph.dangling == (
        DanglingDependency(
            child=K("inventory", "0003_item_sku_index"),
            missing=K("inventory", "0002_item_quantity"),
            line=7,
            reason="dependency on a migration squashkit could not read (syntax)",
            declared_by=K("inventory", "0003_item_sku_index"),
        ),
    )


def test_first_on_a_known_app_without_migrations():
    p = project({"a.0001": ["b.__first__"]}, external=["b"])
    assert p.graph().dangling == (
        DanglingDependency(
            child=key("a.0001"),
            missing=key("b.__first__"),
            line=1,
            reason="dependency on app with no migrations: b",
        ),
    )


def test_complete_project_unknown_and_unmigrated_apps():
    """With Django's full app list: unmigrated apps are dropped, unknown apps are errors (Django's ValueError)."""
    from dataclasses import replace

    p = replace(
        project({"a.0001": ["sessions.__first__", "nope.__latest__"]}),
        complete=True,
        unmigrated_apps=frozenset({"sessions"}),
    )
    graph = p.graph()
    assert edges(graph) == set()
    assert graph.dangling == (
        DanglingDependency(
            child=key("a.0001"),
            missing=key("nope.__latest__"),
            line=2,
            reason="dependency on unknown app: nope",
        ),
    )


@pytest.mark.django
def test_latest_of_an_app_with_a_squash_is_the_squash(tmp_path):
    """
    Django's rule picks the *first sorted* leaf, judged before replacements.  While the replaced files are
    still on disk, the squash is a leaf of its own (a.0003 depends on a.0002, not on the squash), so
    ``("a", "__latest__")`` means the squash, not a.0003:

    a.0001_squashed_0002 ---> a.0003
              \\
               `-----------> b.0001      (b.0001 depends on a.__latest__)
    """
    p = project({**SQUASH, "b.0001": ["a.__latest__"]}, replaces=REPLACES)
    graph = p.graph()
    assert graph.parents(key("b.0001")) == [key("a.0001_squashed_0002")]
    django_agrees(graph, materialize(tmp_path, p))


@pytest.mark.django
def test_django_gives_the_same_explanation(tmp_path):
    root = materialize(tmp_path, project({"a.0001_squashed_0002": [], "a.0003": ["a.0002"]}, replaces=REPLACES))
    record_applied(root, [key("a.0001")])
    assert django_graph(root, "settings", "default", isolate=True).error == (
        "NodeNotFoundError: Migration a.0003 depends on nonexistent node ('a', '0002'). Django tried to replace"
        " migration a.0002 with any of [a.0001_squashed_0002] but wasn't able to because some of the replaced"
        " migrations are already applied."
    )


@pytest.mark.django
@pytest.mark.parametrize("seed", range(16))
def test_random_projects_build_djangos_graph(tmp_path, seed):
    """Random projects (see ``random_project``): same nodes and edges as Django, or an error in both."""
    proj, applied = random_project(seed)
    graph = proj.graph(applied)
    root = materialize(tmp_path, proj)
    record_applied(root, applied)
    theirs = django_graph(root, "settings", "default", isolate=True)
    if graph.cycles() or graph.dangling:
        assert theirs.error is not None
        # Django checks for missing nodes before it looks for cycles.
        assert theirs.error.startswith("NodeNotFoundError" if graph.dangling else "CircularDependencyError")
    else:
        assert_same_graph(graph, theirs)


# -- a squash of a squash (Django 6.0+) ---------------------------------------------------------------------

NESTED = ["0001_initial", "0002_b", "0003_c", "0001_squashed_0002_b", "0001_squashed_0003_c"]


def _nested_project(root: Path) -> Path:
    """shop: 0001 -> 0002 -> 0003 -> 0004; 0001_squashed_0002_b replaces 0001-0002 and 0001_squashed_0003_c
    replaces that squash and 0003 (``squashmigrations`` of a squash, supported since Django 6.0)."""
    app = make_app(root, "shop")
    write_migration(app, "0001_initial")
    write_migration(app, "0002_b", dependencies=[("shop", "0001_initial")])
    write_migration(app, "0003_c", dependencies=[("shop", "0002_b")])
    write_migration(app, "0004_d", dependencies=[("shop", "0003_c")])
    write_migration(app, "0001_squashed_0002_b", replaces=[("shop", "0001_initial"), ("shop", "0002_b")])
    write_migration(app, "0001_squashed_0003_c", replaces=[("shop", "0001_squashed_0002_b"), ("shop", "0003_c")])
    write_settings(root, ["shop"])
    return root


@pytest.mark.parametrize(
    ("applied", "nodes"),
    [
        ([], ["0001_squashed_0003_c", "0004_d"]),
        (["0001_initial", "0002_b", "0003_c"], ["0001_squashed_0003_c", "0004_d"]),
        # the inner squash is complete (so applied), the outer is not: the outer is dropped
        (["0001_initial", "0002_b"], ["0001_squashed_0002_b", "0003_c", "0004_d"]),
        # both partial: the plain migrations stay
        (["0001_initial"], ["0001_initial", "0002_b", "0003_c", "0004_d"]),
        # a recorded squash row does not count for the outer squash: its replaced migrations do
        (["0001_squashed_0002_b", "0003_c"], ["0001_squashed_0002_b", "0003_c", "0004_d"]),
    ],
)
def test_a_squash_of_a_squash_follows_djangos_replace_migration(tmp_path, applied, nodes):
    graph = load_static(_nested_project(tmp_path)).graph([K("shop", n) for n in applied])
    assert [k.name for k in graph.migration_nodes("shop")] == nodes
    assert graph.dangling == () and graph.is_acyclic


@pytest.mark.skipif(django.VERSION < (6, 0), reason="Django supports squashing squashes from 6.0 on")
def test_a_squash_of_a_squash_equals_djangos_graph_under_every_applied_state(tmp_path):
    """All 32 applied subsets of the five migrations involved, against one Django process that builds
    ``MigrationLoader(connection).graph`` for each."""
    root = _nested_project(tmp_path)
    subsets = [list(c) for r in range(len(NESTED) + 1) for c in itertools.combinations(NESTED, r)]
    script = (
        "import json, sys, django\n"
        "django.setup()\n"
        "from django.db import connection\n"
        "from django.db.migrations.loader import MigrationLoader\n"
        "from django.db.migrations.recorder import MigrationRecorder\n"
        "recorder = MigrationRecorder(connection)\n"
        "recorder.ensure_schema()\n"
        "out = []\n"
        "for subset in json.loads(sys.argv[1]):\n"
        "    recorder.migration_qs.all().delete()\n"
        "    for name in subset:\n"
        "        recorder.record_applied('shop', name)\n"
        "    graph = MigrationLoader(connection).graph\n"
        "    out.append([sorted(n for a, n in graph.nodes if a == 'shop'),"
        " sorted([p[1], c[1]] for c in graph.nodes for p in graph.node_map[c].parents)])\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONDONTWRITEBYTECODE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(root), env.get("PYTHONPATH", "")] if p)
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(subsets)], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    project = load_static(root)
    for subset, (their_nodes, their_edges) in zip(subsets, json.loads(done.stdout), strict=True):
        graph = project.graph([K("shop", n) for n in subset])
        ours = sorted([p.name, c.name] for p, c in graph.iter_edges())
        assert ([k.name for k in graph.migration_nodes("shop")], ours) == (their_nodes, their_edges), subset


def test_squashes_replacing_each_other_do_not_recurse_forever():
    """Django stops with "Cyclical squash replacement found"; squashkit builds a graph and goes on."""
    p = project(
        {"shop.0001": [], "shop.0002_a": ["shop.0001"], "shop.0002_b": ["shop.0001"]},
        replaces={"shop.0002_a": ["shop.0002_b"], "shop.0002_b": ["shop.0002_a"]},
    )
    graph = p.graph()
    assert [o.replacement for o in graph.replacements] == [K("shop", "0002_b"), K("shop", "0002_a")]
    assert K("shop", "0001") in graph.kinds
