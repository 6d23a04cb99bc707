"""Per-app metrics and totals on small hand-built graphs.

The main project used below::

    a.0001 (CreateModel Order) -> a.0002 (AddField) -> a.0003 (AlterField) -> a.0004 (RunPython)
       \\                                   |
        `------------------------------> b.0001 (CreateModel Line, FK a.Order)

``b.0001`` depends on ``a.0003`` (over-specified: it only needs ``a.0001``) and on ``a.0001`` (implied).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from squashkit.analysis import analyze
from squashkit.analysis.metrics import pressure_level
from squashkit.graph.model import AppInfo, MigrationKey
from squashkit.graph.static import load_static
from tests.graph.helpers import project as graph_project
from tests.projects import add_field, alter_field, build, create, fk, migration

RUN_PYTHON = "migrations.RunPython(forwards)"
FORWARDS = "\n\ndef forwards(apps, schema_editor):\n    apps.get_model('a', 'Order').objects.all()\n"


@pytest.fixture
def project(tmp_path: Path):
    build(
        tmp_path,
        {
            "a": {
                "0001_initial": migration(ops=[create("Order", "('qty', models.IntegerField())")], initial=True),
                "0002_order_note": migration([("a", "0001_initial")], [add_field("Order", "note")]),
                "0003_alter_order_note": migration([("a", "0002_order_note")], [alter_field("Order", "note")]),
                "0004_data": migration([("a", "0003_alter_order_note")], [RUN_PYTHON]).replace(
                    "\n\nclass Migration", FORWARDS + "\n\nclass Migration"
                ),
            },
            "b": {
                "0001_initial": migration(
                    [("a", "0003_alter_order_note"), ("a", "0001_initial")],
                    [create("Line", f"('order', {fk('a', 'Order')})")],
                    initial=True,
                ),
            },
        },
    )
    return load_static(tmp_path)


def test_app_rows(project) -> None:
    report = analyze(project)
    a, b = report.apps
    assert (a.app, a.migrations, a.squashed, a.deps_in, a.deps_out, a.longest_chain) == ("a", 4, 0, 2, 0, 4)
    assert (a.run_python, a.run_sql, a.irreversible, a.leaves) == (1, 0, 1, 1)
    # AddField and AlterField act on a model created in the window; the RunPython is an optimizer barrier.
    assert (a.live, a.foldable, a.barriers, a.pressure, a.pressure_level) == (4, 2, 1, 6, "low")
    assert (b.deps_in, b.deps_out, b.redundant, b.longest_chain) == (0, 2, 1, 1)


def test_totals(project) -> None:
    totals = analyze(project).totals
    assert (totals.apps, totals.nodes, totals.edges, totals.cross_app_edges) == (2, 5, 5, 2)
    assert totals.longest_path == tuple(
        MigrationKey("a", n) for n in ("0001_initial", "0002_order_note", "0003_alter_order_note", "0004_data")
    )
    assert (totals.cycles, totals.conflicts, totals.dangling, totals.redundant, totals.file_problems) == (0, 0, 0, 1, 0)
    data = totals.to_dict()
    assert data["longest_path_length"] == 4
    assert data["longest_path"][0] == "a.0001_initial"


def test_app_filter(project) -> None:
    report = analyze(project, apps=["b"])
    assert [row.app for row in report.apps] == ["b"]
    assert report.totals.nodes == 1
    assert {f.migration.app_label for f in report.findings if f.migration} <= {"b"}


def test_squashed_migration_starts_the_window(tmp_path: Path) -> None:
    """Only migrations after the latest squash count as live."""
    build(
        tmp_path,
        {
            "a": {
                "0001_initial": migration(ops=[create("Order")]),
                "0002_order_qty": migration([("a", "0001_initial")], [add_field("Order", "qty")]),
                "0001_squashed_0002_order_qty": migration(
                    replaces=[("a", "0001_initial"), ("a", "0002_order_qty")],
                    ops=[create("Order", "('qty', models.IntegerField(default=0))")],
                ),
                "0003_order_note": migration([("a", "0002_order_qty")], [add_field("Order", "note")]),
            }
        },
    )
    (row,) = analyze(load_static(tmp_path)).apps
    assert (row.migrations, row.squashed, row.live, row.longest_chain) == (4, 1, 1, 2)


@pytest.mark.parametrize(("score", "level"), [(0, "low"), (19, "low"), (20, "medium"), (49, "medium"), (50, "high")])
def test_pressure_levels(score: int, level: str) -> None:
    assert pressure_level(score) == level


def test_dependencies_declared_by_third_party_migrations_are_not_counted() -> None:
    """A Django load imports third-party apps (pretix: django-otp depends on pretixbase through the swappable
    user model); the static load cannot read them.  Both count what the analysed apps declare: shop's own
    run_before into otp counts, otp's dependency on shop does not."""
    static = graph_project({"shop.0001": [], "shop.0002": ["shop.0001"]}, run_before={"shop.0002": ["otp.0002"]})
    static = replace(static, apps={**static.apps, "otp": AppInfo("otp", Path("otp"), Path("otp/m"), True)})
    django = graph_project(
        {"shop.0001": [], "shop.0002": ["shop.0001"], "otp.0001": ["shop.0001"], "otp.0002": ["otp.0001"]},
        run_before={"shop.0002": ["otp.0002"]},
        external=["otp"],
    )
    rows = [analyze(p).apps[0] for p in (static, django)]
    assert [(r.app, r.deps_in, r.deps_out) for r in rows] == [("shop", 1, 0), ("shop", 1, 0)]
    assert analyze(static).totals == analyze(django).totals


def test_squash_pressure_is_capped_at_100(tmp_path: Path) -> None:
    """60 live migrations and 59 foldable AddField-after-CreateModel: live + foldable is 119, pressure 100."""
    migrations = {"0001_initial": migration(ops=[create("Order")])}
    previous = "0001_initial"
    for i in range(2, 61):
        name = f"{i:04d}_order_f{i}"
        migrations[name] = migration([("a", previous)], [add_field("Order", f"f{i}")])
        previous = name
    build(tmp_path, {"a": migrations})
    (row,) = analyze(load_static(tmp_path, cache=False)).apps
    assert (row.live, row.foldable) == (60, 59)
    assert row.pressure == 100
    assert row.pressure_level == "high"
