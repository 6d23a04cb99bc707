"""DOT export: structure, determinism, styles, filters, and the exact text of its errors.

The project is :mod:`tests.export.shop` (drawn in its docstring), written into ``tmp_path``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit.errors import UsageError
from squashkit.export import (
    GraphvizNotFoundError,
    TooManyNodesError,
    declared_edges,
    format_for,
    render,
    resolve_since,
    select,
    to_dot,
)
from squashkit.graph.graph import MigrationGraph
from squashkit.graph.model import MigrationKey as K
from squashkit.graph.static import load_static
from tests.export.shop import make_shop
from tests.projects import build, migration

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_shop(tmp_path / "shop")


@pytest.fixture
def graph(shop: Path) -> MigrationGraph:
    return load_static(shop).graph()


def node_line(dot: str, key: str) -> str:
    [line] = [line.strip() for line in dot.splitlines() if line.strip().startswith(f'"{key}" [')]
    return line


def edge_line(dot: str, parent: str, child: str) -> str:
    [line] = [line.strip() for line in dot.splitlines() if line.strip().startswith(f'"{parent}" -> "{child}"')]
    return line


def clusters(dot: str) -> list[str]:
    return re.findall(r'subgraph "cluster_([^"]+)"', dot)


# -- whole output ---------------------------------------------------------------------------------------


def test_small_project_whole_text(tmp_path: Path) -> None:
    """The format itself, on the smallest interesting project: two apps, one cross-app edge."""
    root = build(
        tmp_path / "tiny",
        {"a": {"0001_initial": migration()}, "b": {"0001_initial": migration([("a", "0001_initial")])}},
    )
    dot = to_dot(load_static(root).graph())
    assert dot == (
        'digraph "migrations" {\n'
        '  graph [label="tiny: migration graph - 2 migrations in 2 apps", labelloc="t", fontname="Helvetica", '
        'fontsize="14", rankdir="TB", newrank="true", nodesep="0.25", ranksep="0.4"];\n'
        '  node [shape="box", style="filled", fillcolor="#ffffff", fontname="Helvetica", fontsize="10"];\n'
        '  edge [color="#333333", arrowsize="0.7", fontname="Helvetica"];\n'
        '  subgraph "cluster_a" {\n'
        '    graph [label="a", style="rounded", color="#999999", fontsize="12"];\n'
        '    "a.0001_initial" [label="0001_initial", style="filled"];\n'
        "  }\n"
        '  subgraph "cluster_b" {\n'
        '    graph [label="b", style="rounded", color="#999999", fontsize="12"];\n'
        '    "b.0001_initial" [label="0001_initial", style="filled"];\n'
        "  }\n"
        '  "a.0001_initial" -> "b.0001_initial" [color="#1f5fbf", penwidth="1.5"];\n'
        '  "legend" [shape="plaintext", style="solid", fontsize="9", label=<<TABLE BORDER="0" CELLBORDER="1" '
        'CELLSPACING="0" CELLPADDING="3"><TR><TD COLSPAN="2"><B>Legend</B></TD></TR><TR><TD><FONT '
        'COLOR="#1f5fbf">----&gt;</FONT></TD><TD ALIGN="LEFT">cross-app dependency</TD></TR></TABLE>>];\n'
        "}\n"
    )


def test_one_cluster_per_app_and_nodes_in_them(graph: MigrationGraph) -> None:
    dot = to_dot(graph)
    assert clusters(dot) == ["billing", "customers", "shop"]
    # The app outside the project is drawn outside every cluster, with its full key.
    outside = dot.split('subgraph "cluster_shop"')[1].split("\n  }\n", 1)[1]
    assert '"auth.__first__" [label="auth.__first__", style="dashed"' in outside


# -- determinism ----------------------------------------------------------------------------------------


def test_two_runs_are_byte_identical(shop: Path) -> None:
    first = to_dot(load_static(shop).graph(), removable=[(K("shop", "0002_order_total"), K("billing", "0001_initial"))])
    second = to_dot(
        load_static(shop).graph(), removable=[(K("shop", "0002_order_total"), K("billing", "0001_initial"))]
    )
    assert first == second


@pytest.mark.django
def test_same_output_whatever_the_hash_seed_and_file_order(tmp_path: Path) -> None:
    """Fresh processes with different hash seeds; the second copy's files are written in reverse order."""
    make_shop(tmp_path / "one" / "shop")
    second = make_shop(tmp_path / "two" / "shop")
    for path in sorted(second.rglob("*.py"), reverse=True):  # new inodes, reverse creation order
        text = path.read_text()
        path.unlink()
        path.write_text(text)
    code = "import sys; from squashkit.graph.static import load_static; from squashkit.export import to_dot; "
    code += "sys.stdout.write(to_dot(load_static(sys.argv[1]).graph(), level=sys.argv[2]))"
    outputs = set()
    for seed, where in (("1", "one"), ("2", "two"), ("3", "one")):
        for level in ("migration", "app"):
            env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
            proc = subprocess.run(
                [sys.executable, "-c", code, str(tmp_path / where / "shop"), level],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            outputs.add((level, proc.stdout))
    assert len(outputs) == 2


# -- styles ---------------------------------------------------------------------------------------------


def test_cross_app_redundant_and_removable_edges(graph: MigrationGraph) -> None:
    removable = declared_edges(graph, [(K("shop", "0002_order_total"), K("billing", "0001_initial"))])
    dot = to_dot(graph, removable=removable)
    assert edge_line(dot, "shop.0001_initial", "shop.0002_order_total") == (
        '"shop.0001_initial" -> "shop.0002_order_total";'
    )
    assert edge_line(dot, "customers.0001_squashed_0002", "billing.0001_initial").endswith(
        '[color="#1f5fbf", penwidth="1.5"];'
    )
    assert edge_line(dot, "shop.0001_initial", "billing.0001_initial") == (
        '"shop.0001_initial" -> "billing.0001_initial" [color="#8c8c8c", style="dashed", '
        'tooltip="shop.0001_initial -> billing.0001_initial: implied through shop.0002_order_total"];'
    )
    assert edge_line(dot, "shop.0002_order_total", "billing.0001_initial") == (
        '"shop.0002_order_total" -> "billing.0001_initial" [color="#e6550d", style="dashed", penwidth="2"];'
    )
    for words in ("cross-app dependency", "transitively redundant", "proposed for removal"):
        assert words in dot


def test_squash_and_what_it_replaces(graph: MigrationGraph) -> None:
    dot = to_dot(graph)
    assert node_line(dot, "customers.0001_squashed_0002") == (
        '"customers.0001_squashed_0002" [label="0001_squashed_0002\\nsquash: replaces 2", style="filled", '
        'peripheries="2"];'
    )
    assert node_line(dot, "customers.0001_initial") == (
        '"customers.0001_initial" [label="0001_initial\\n(replaced)", style="filled,dashed", '
        'tooltip="customers.0001_initial: replaced by customers.0001_squashed_0002", color="#7f7f7f", '
        'fontcolor="#7f7f7f", fillcolor="#f0f0f0"];'
    )
    assert (
        '    {rank="same"; "customers.0001_squashed_0002"; "customers.0001_initial"; "customers.0002_customer_name";}'
        in dot.splitlines()
    )
    assert edge_line(dot, "customers.0002_customer_name", "customers.0001_squashed_0002") == (
        '"customers.0002_customer_name" -> "customers.0001_squashed_0002" [style="dotted", color="#7f7f7f", '
        'arrowhead="empty", constraint="false"];'
    )


def test_squash_not_used_when_partly_applied(shop: Path) -> None:
    graph = load_static(shop).graph([K("customers", "0001_initial")])
    dot = to_dot(graph)
    assert node_line(dot, "customers.0001_squashed_0002") == (
        '"customers.0001_squashed_0002" [label="0001_squashed_0002\\n(squash not used: partly applied)\\n'
        'squash: replaces 2", style="filled,dashed", color="#7f7f7f", fontcolor="#7f7f7f", fillcolor="#f0f0f0", '
        'peripheries="2"];'
    )
    assert '"customers.0001_initial" -> "customers.0001_squashed_0002" [style="dotted"' in dot
    assert (
        node_line(dot, "customers.0001_initial") == '"customers.0001_initial" [label="0001_initial", style="filled"];'
    )


def test_run_python_and_run_sql_are_marked(graph: MigrationGraph) -> None:
    dot = to_dot(graph)
    assert node_line(dot, "shop.0003_backfill") == (
        '"shop.0003_backfill" [label="0003_backfill\\nRunPython", style="filled", shape="note"];'
    )
    assert node_line(dot, "billing.0002_invoice_sql") == (
        '"billing.0002_invoice_sql" [label="0002_invoice_sql\\nRunSQL", style="filled", shape="note"];'
    )


def test_leaf_conflict_is_highlighted(shop: Path) -> None:
    (shop / "shop" / "migrations" / "0003_other.py").write_text(migration([("shop", "0002_order_total")]))
    dot = to_dot(load_static(shop).graph())
    assert 'graph [label="shop (conflict: 2 leaves)", style="rounded", color="#d62728"' in dot
    assert node_line(dot, "shop.0003_other") == (
        '"shop.0003_other" [label="0003_other", style="filled", color="#d62728", penwidth="2"];'
    )
    assert node_line(dot, "shop.0003_backfill").endswith('shape="note", color="#d62728", penwidth="2"];')
    app_dot = to_dot(load_static(shop).graph(), level="app")
    assert node_line(app_dot, "shop") == (
        '"shop" [label="shop\\n4 migrations\\n1 with RunPython/RunSQL\\nconflict: 2 leaves", color="#d62728", '
        'fontcolor="#d62728", penwidth="2"];'
    )


def test_cycle_is_highlighted(tmp_path: Path) -> None:
    root = build(
        tmp_path / "loop",
        {
            "a": {"0001_initial": migration([("b", "0001_initial")])},
            "b": {"0001_initial": migration([("a", "0001_initial")])},
        },
    )
    dot = to_dot(load_static(root).graph())
    assert edge_line(dot, "a.0001_initial", "b.0001_initial") == (
        '"a.0001_initial" -> "b.0001_initial" [color="#d62728", penwidth="2.5"];'
    )
    assert edge_line(dot, "b.0001_initial", "a.0001_initial").endswith('[color="#d62728", penwidth="2.5"];')
    assert node_line(dot, "a.0001_initial").endswith('color="#d62728", penwidth="2"];')
    assert "edge of a dependency cycle" in dot


def test_missing_migration_and_run_before(tmp_path: Path) -> None:
    root = build(
        tmp_path / "odd",
        {
            "a": {"0001_initial": migration([("a", "0000_gone")], extra="    run_before = [('b', '0001_initial')]")},
            "b": {"0001_initial": migration()},
        },
    )
    dot = to_dot(load_static(root).graph())
    assert node_line(dot, "a.0000_gone") == (
        '"a.0000_gone" [label="0000_gone\\n(missing)", style="filled,dashed", color="#d62728", fontcolor="#d62728"];'
    )
    assert edge_line(dot, "a.0001_initial", "b.0001_initial") == (
        '"a.0001_initial" -> "b.0001_initial" [color="#1f5fbf", penwidth="1.5", arrowhead="odot"];'
    )


def test_applied_state_colours(graph: MigrationGraph) -> None:
    applied = {
        "prod": frozenset({K("shop", "0001_initial"), K("shop", "0002_order_total")}),
        "staging": frozenset(
            {K("shop", "0001_initial"), K("customers", "0001_initial"), K("customers", "0002_customer_name")}
        ),
    }
    dot = to_dot(graph, applied=applied)
    assert node_line(dot, "shop.0001_initial") == (
        '"shop.0001_initial" [label="0001_initial", style="filled", fillcolor="#a1d99b", '
        'tooltip="shop.0001_initial: applied in prod, staging"];'
    )
    assert node_line(dot, "shop.0002_order_total").endswith(
        'fillcolor="#fdd49e", tooltip="shop.0002_order_total: applied in prod"];'
    )
    # A squash counts as applied where everything it replaces is.
    assert node_line(dot, "customers.0001_squashed_0002").endswith(
        'fillcolor="#fdd49e", tooltip="customers.0001_squashed_0002: applied in staging"];'
    )
    assert node_line(dot, "billing.0001_initial").endswith(
        'fillcolor="#ffffff", tooltip="billing.0001_initial: pending"];'
    )
    assert "applied state: prod, staging" in dot
    for words in ("applied in every environment (prod, staging)", "applied in some", "pending in every"):
        assert words in dot
    app_dot = to_dot(graph, applied=applied, level="app")
    assert 'fillcolor="#fdd49e"' in node_line(app_dot, "shop")
    assert 'fillcolor="#ffffff"' in node_line(app_dot, "billing")


# -- filters --------------------------------------------------------------------------------------------


def test_app_filter_draws_outside_parents(graph: MigrationGraph) -> None:
    dot = to_dot(graph, apps=["billing"])
    assert clusters(dot) == ["billing"]
    assert node_line(dot, "shop.0002_order_total") == (
        '"shop.0002_order_total" [label="shop.0002_order_total", style="dashed", color="#7f7f7f", fontcolor="#7f7f7f"];'
    )
    assert '"shop.0001_initial" -> "shop.0002_order_total"' not in dot  # outside <-> outside: not drawn
    assert "app billing" in dot


def test_with_deps_adds_what_the_apps_need(graph: MigrationGraph) -> None:
    selection = select(graph, apps=["billing"], with_deps=True)
    assert sorted(selection.nodes) == [
        K("billing", "0001_initial"),
        K("billing", "0002_invoice_sql"),
        K("customers", "0001_squashed_0002"),
        K("shop", "0001_initial"),
        K("shop", "0002_order_total"),
    ]
    assert selection.outside == {K("auth", "__first__")}
    assert set(selection.inactive) == {K("customers", "0001_initial"), K("customers", "0002_customer_name")}
    assert clusters(to_dot(graph, apps=["billing"], with_deps=True)) == ["billing", "customers", "shop"]


def test_since(graph: MigrationGraph) -> None:
    since = resolve_since(graph, "0002", ["shop"])
    assert since == K("shop", "0002_order_total")
    selection = select(graph, apps=["shop"], since=since)
    assert sorted(selection.nodes) == [K("shop", "0002_order_total"), K("shop", "0003_backfill")]
    assert selection.outside == {K("shop", "0001_initial")}
    everything_after = select(graph, since=since)
    assert K("billing", "0002_invoice_sql") in everything_after.nodes
    assert K("customers", "0001_squashed_0002") not in everything_after.nodes


@pytest.mark.parametrize(
    ("text", "apps", "message"),
    [
        ("0002", None, "--since 0002: give APP.NAME, or NAME together with exactly one --app"),
        ("nope.0001", None, "--since nope.0001: no app with label 'nope' (known apps: billing, customers, shop)"),
        ("shop.0009", None, "--since shop.0009: app 'shop' has no migration named '0009' in the graph"),
        (
            "customers.0002_customer_name",
            None,
            "--since customers.0002_customer_name: customers.0002_customer_name is replaced by "
            "customers.0001_squashed_0002; name the squash",
        ),
        (
            "000",
            ["shop"],
            "--since 000: '000' matches several migrations of 'shop': 0001_initial, 0002_order_total, 0003_backfill",
        ),
    ],
)
def test_since_errors(graph: MigrationGraph, text: str, apps: list[str] | None, message: str) -> None:
    with pytest.raises(UsageError) as info:
        resolve_since(graph, text, apps)
    assert str(info.value) == message


def test_app_level_counts_migration_edges(graph: MigrationGraph) -> None:
    removable = declared_edges(graph, [(K("shop", "0002_order_total"), K("billing", "0001_initial"))])
    dot = to_dot(graph, level="app", removable=removable, legend=False)
    assert edge_line(dot, "shop", "billing") == (
        '"shop" -> "billing" [label="2 (1 redundant, 1 removable)", fontsize="9"];'
    )
    assert edge_line(dot, "customers", "billing") == '"customers" -> "billing" [label="1", fontsize="9"];'
    assert node_line(dot, "customers") == '"customers" [label="customers\\n1 migration\\n1 squashed (2 replaced)"];'
    assert node_line(dot, "auth") == '"auth" [label="auth", style="dashed", color="#7f7f7f", fontcolor="#7f7f7f"];'
    assert "subgraph" not in dot


def test_app_level_counts_as_tooltips_without_edge_labels(graph: MigrationGraph) -> None:
    removable = declared_edges(graph, [(K("shop", "0002_order_total"), K("billing", "0001_initial"))])
    dot = to_dot(graph, level="app", removable=removable, legend=False, edge_labels=False)
    assert edge_line(dot, "shop", "billing") == (
        '"shop" -> "billing" [tooltip="shop -> billing: 2 (1 redundant, 1 removable)"];'
    )
    assert edge_line(dot, "customers", "billing") == '"customers" -> "billing" [tooltip="customers -> billing: 1"];'


def test_max_nodes_message(graph: MigrationGraph) -> None:
    with pytest.raises(TooManyNodesError) as info:
        to_dot(graph, max_nodes=5)
    assert str(info.value) == "the migration-level graph has 9 nodes, more than the limit of 5"
    assert (info.value.count, info.value.limit, info.value.exit_code) == (9, 5, 2)
    with pytest.raises(TooManyNodesError) as info:
        to_dot(graph, level="app", max_nodes=3)
    assert str(info.value) == "the app-level graph has 4 nodes, more than the limit of 3"
    assert to_dot(graph, max_nodes=9)


# -- declared edges ---------------------------------------------------------------------------------------


def test_declared_edges_resolve_markers_and_squashes(graph: MigrationGraph) -> None:
    pairs = [
        (K("customers", "__first__"), K("billing", "0001_initial")),  # marker -> the squash (the app's root)
        (K("customers", "0001_initial"), K("customers", "0002_customer_name")),  # both replaced: no edge
        (K("auth", "__first__"), K("billing", "0001_initial")),  # external marker node
        (K("shop", "0003_backfill"), K("billing", "0001_initial")),  # not an edge at all
    ]
    assert declared_edges(graph, pairs) == {
        (K("customers", "0001_squashed_0002"), K("billing", "0001_initial")),
        (K("auth", "__first__"), K("billing", "0001_initial")),
    }


# -- rendering ------------------------------------------------------------------------------------------


def test_format_for() -> None:
    found = [format_for(p) for p in ("g.dot", "g.gv", "g.SVG", "g.png", "g.pdf", None, "-")]
    assert " ".join(found) == "dot dot svg png pdf dot dot"
    assert format_for("g.txt", "svg") == "svg"
    with pytest.raises(UsageError) as info:
        format_for("out/g.txt")
    assert str(info.value) == (
        "cannot tell the output format of 'g.txt' from its suffix; use one of .dot, .gv, .pdf, .png, .svg "
        "or give --format-out"
    )


def test_missing_dot_binary_message(graph: MigrationGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    dot = to_dot(graph)
    assert render(dot, "dot") == dot.encode()  # DOT needs no binary
    with pytest.raises(GraphvizNotFoundError) as info:
        render(dot, "svg")
    assert str(info.value) == (
        "rendering SVG needs the graphviz 'dot' binary, which is not on PATH; install graphviz "
        "(e.g. apt-get install graphviz, brew install graphviz) or write DOT instead (-o FILE.dot)"
    )
    assert info.value.data == {"format": "svg", "binary": "dot"}
    assert info.value.exit_code == 2
