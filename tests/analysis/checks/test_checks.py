"""Each registered check on a small project built to trigger it, with the exact message and location.

One test per check module of :mod:`squashkit.analysis.checks` (SK201, which needs dependency proposals, is
tested on sample_project in ``tests/cli/test_analyze.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from squashkit.analysis import Finding, analyze
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.projects import add_field, build, create, fk, migration


def findings(root: Path, code: str, **kwargs: object) -> list[Finding]:
    report = analyze(load_static(root), **kwargs)  # type: ignore[arg-type]
    return report.by_code(code)


def test_sk101_unreadable_file(tmp_path: Path) -> None:
    build(tmp_path, {"a": {"0001_initial": migration(ops=[create("Order")]), "0002_broken": "class Migration(:\n"}})
    (finding,) = findings(tmp_path, "SK101")
    assert finding.location(tmp_path) == "a/migrations/0002_broken.py:1"
    assert finding.message.startswith("syntax error: ")
    assert finding.message.endswith("(syntax)")
    # the rest of the app is still analysed
    assert analyze(load_static(tmp_path)).apps[0].migrations == 1


def test_sk102_computed_dependencies(tmp_path: Path) -> None:
    source = migration(ops=[create("Order")]).replace("dependencies = []", "dependencies = [(n, '0001') for n in X]")
    build(tmp_path, {"a": {"0001_initial": source}})
    (finding,) = findings(tmp_path, "SK102")
    assert finding.location(tmp_path) == "a/migrations/0001_initial.py:7"
    assert finding.message.endswith("(computed-dependencies)")
    assert str(finding.migration) == "a.0001_initial"


def test_sk103_dangling_dependency(tmp_path: Path) -> None:
    build(
        tmp_path, {"a": {"0001_initial": migration(ops=[create("Order")]), "0002_x": migration([("a", "0009_gone")])}}
    )
    (finding,) = findings(tmp_path, "SK103")
    assert finding.message.startswith("a.0002_x depends on a.0009_gone, which does not exist (")
    assert finding.location(tmp_path) == "a/migrations/0002_x.py:7"


def test_sk104_cycle(tmp_path: Path) -> None:
    build(
        tmp_path,
        {
            "a": {"0001_initial": migration([("b", "0001_initial")], [create("Order")])},
            "b": {"0001_initial": migration([("a", "0001_initial")], [create("Line")])},
        },
    )
    (finding,) = findings(tmp_path, "SK104")
    assert finding.message == "circular dependency: a.0001_initial -> b.0001_initial -> a.0001_initial"
    assert analyze(load_static(tmp_path)).totals.cycles == 1


def test_sk105_conflicting_leaves(tmp_path: Path) -> None:
    build(
        tmp_path,
        {
            "a": {
                "0001_initial": migration(ops=[create("Order")]),
                "0002_left": migration([("a", "0001_initial")], [add_field("Order", "x")]),
                "0002_right": migration([("a", "0001_initial")], [add_field("Order", "y")]),
            }
        },
    )
    (finding,) = findings(tmp_path, "SK105")
    assert finding.message == "conflicting migrations in a: 0002_left, 0002_right"
    assert finding.hint == "Run `manage.py makemigrations --merge a`, or rebase the newer branch's migration."


def test_sk106_squash_pressure(tmp_path: Path) -> None:
    chain = {"0001_initial": migration(ops=[create("Order")])}
    previous = "0001_initial"
    for i in range(2, 5):
        name = f"000{i}_f{i}"
        chain[name] = migration([("a", previous)], [add_field("Order", f"f{i}")])
        previous = name
    build(tmp_path, {"a": chain})
    assert findings(tmp_path, "SK106") == []  # 4 live + 3 foldable = 7 < 50
    (finding,) = findings(tmp_path, "SK106", thresholds={"pressure": 7})
    assert finding.message == (
        "a: squash pressure 7 (4 migrations since the last squash, 3 foldable operations, 0 RunPython/RunSQL barriers)"
    )
    assert finding.path == tmp_path / "a" / "migrations"  # was None: reported at "." in check's output


def test_sk202_redundant_dependency(tmp_path: Path) -> None:
    build(
        tmp_path,
        {
            "a": {
                "0001_initial": migration(ops=[create("Order")]),
                "0002_x": migration([("a", "0001_initial")], [add_field("Order", "x")]),
            },
            "b": {
                "0001_initial": migration(
                    [("a", "0002_x"), ("a", "0001_initial")], [create("Line", f"('order', {fk('a', 'Order')})")]
                )
            },
        },
    )
    (finding,) = findings(tmp_path, "SK202")
    assert finding.message == "b.0001_initial depends on a.0001_initial, already implied through a.0002_x"
    assert finding.location(tmp_path) == "b/migrations/0001_initial.py:7"


def test_sk203_latest_dependency(tmp_path: Path) -> None:
    build(
        tmp_path,
        {
            "a": {"0001_initial": migration(ops=[create("Order")])},
            "b": {"0001_initial": migration([("a", "__latest__")], [create("Line")])},
        },
    )
    (finding,) = findings(tmp_path, "SK203")
    assert finding.message == (
        "b.0001_initial depends on a.__latest__, which changes meaning with every new a migration"
    )


def test_sk301_irreversible_operation(tmp_path: Path) -> None:
    build(tmp_path, {"a": {"0001_initial": migration(ops=["migrations.RunSQL('SELECT 1')"])}})
    (finding,) = findings(tmp_path, "SK301")
    assert finding.message == "a.0001_initial: RunSQL has no reverse_sql"
    assert finding.location(tmp_path) == "a/migrations/0001_initial.py:10"


def test_sk302_custom_operation(tmp_path: Path) -> None:
    source = migration(ops=["CreateExtension('hstore')"]).replace(
        "from django.db import", "from myapp.ops import CreateExtension\nfrom django.db import"
    )
    build(tmp_path, {"a": {"0001_initial": source}})
    (finding,) = findings(tmp_path, "SK302")
    assert finding.message == "a.0001_initial: custom operation CreateExtension; its dependencies are kept as written"


# -- hostile inputs (issue #12) -----------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PYTHON = "{}.{}".format(*sys.version_info[:2])


def test_malformed_dependency_literals_are_sk101_errors_with_their_line() -> None:
    """A bare string, a 3-tuple, None and (1, 2): Django fails on each; not "computed" (SK102)."""
    root = FIXTURES / "bad_dependencies"
    report = analyze(load_static(root, cache=False))
    assert report.by_code("SK102") == []
    assert [(f.location(root), f.message) for f in report.by_code("SK101")] == [
        (
            "shop/migrations/0002_product_price.py:9",
            "dependencies entry 'shop' is not a dependency: a bare str, not an (app_label, migration_name) pair"
            " (bad-dependency)",
        ),
        (
            "shop/migrations/0002_product_price.py:10",
            "dependencies entry ('shop', '0001_initial', 'extra') is not a dependency: 3 items, not an "
            "(app_label, migration_name) pair (bad-dependency)",
        ),
        (
            "shop/migrations/0002_product_price.py:11",
            "dependencies entry None is not a dependency: None, not an (app_label, migration_name) pair"
            " (bad-dependency)",
        ),
        (
            "shop/migrations/0002_product_price.py:12",
            "dependencies entry (1, 2) is not a dependency: app label and migration name must be strings"
            " (bad-dependency)",
        ),
    ]
    # the well-formed entry is still read
    assert [str(k) for k in report.project.migrations[MigrationKey("shop", "0002_product_price")].dependency_keys] == [
        "shop.0001_initial"
    ]


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="Python 3.14 parses `except A, B:`")
def test_newer_syntax_names_the_interpreter_and_the_findings_it_causes() -> None:
    root = FIXTURES / "newer_syntax"
    report = analyze(load_static(root, cache=False))
    (sk101,) = report.by_code("SK101")
    assert sk101.message == (
        f"syntax error: multiple exception types must be parenthesized (parsed with Python {PYTHON}) (syntax)"
    )
    assert "run squashkit with that interpreter" in sk101.hint
    assert "Django cannot import this file either" not in sk101.hint
    (sk103,) = report.by_code("SK103")
    assert sk103.message == (
        "inventory.0003_item_sku depends on inventory.0002_fill_items, whose file squashkit could not read "
        "(syntax): this follows from the SK101 finding on that file"
    )
    (sk105,) = report.by_code("SK105")
    assert sk105.message == (
        "conflicting migrations in inventory: 0001_initial, 0003_item_sku; may follow from the file(s) squashkit "
        "could not read (0002_fill_items: see SK101), whose dependencies are missing from the graph"
    )


def test_sk107_app_that_exists_nowhere_is_reported_once_as_external() -> None:
    root = FIXTURES / "ghost_app"
    (finding,) = findings(root, "SK107")
    assert finding.severity.value == "info"
    assert finding.message == "external app 'ghost': not in the project; installed?"
    assert finding.location(root) == "shop/migrations/0002_product_price.py:7"


def test_sk107_ignores_contrib_apps(tmp_path: Path) -> None:
    build(tmp_path, {"a": {"0001_initial": migration([("auth", "__first__"), ("contenttypes", "0002_x")])}})
    assert findings(tmp_path, "SK107") == []
