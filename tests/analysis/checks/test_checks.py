"""Each registered check on a small project built to trigger it, with the exact message and location.

One test per check module of :mod:`squashkit.analysis.checks` (SK201, which needs dependency proposals, is
tested on sample_project in ``tests/cli/test_analyze.py``).
"""

from __future__ import annotations

from pathlib import Path

from squashkit.analysis import Finding, analyze
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
