"""Every rule has a test that triggers it with the exact message, and a project that triggers none of them."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path

from squashkit.check import CheckConfig, run_check
from squashkit.graph.static import load_static
from squashkit.history import collect_applied
from squashkit.rules import all_rules
from tests.projects import add_field, build, create, fk, migration

#: rule -> the test that builds a project triggering it and asserts its message exactly
TRIGGERED_BY = {
    "SK101": "tests.analysis.checks.test_checks:test_sk101_unreadable_file",
    "SK102": "tests.analysis.checks.test_checks:test_sk102_computed_dependencies",
    "SK103": "tests.analysis.checks.test_checks:test_sk103_dangling_dependency",
    "SK104": "tests.analysis.checks.test_checks:test_sk104_cycle",
    "SK105": "tests.analysis.checks.test_checks:test_sk105_conflicting_leaves",
    "SK106": "tests.analysis.checks.test_checks:test_sk106_squash_pressure",
    "SK107": "tests.analysis.checks.test_checks:test_sk107_app_that_exists_nowhere_is_reported_once_as_external",
    "SK108": "tests.check.test_checks:test_sk108_too_many_migrations",
    "SK201": "tests.cli.test_check:test_baseline_then_a_new_over_specified_migration",
    "SK202": "tests.analysis.checks.test_checks:test_sk202_redundant_dependency",
    "SK203": "tests.analysis.checks.test_checks:test_sk203_latest_dependency",
    "SK204": "tests.check.test_checks:test_sk204_dependency_generated_later",
    "SK301": "tests.analysis.checks.test_checks:test_sk301_irreversible_operation",
    "SK302": "tests.analysis.checks.test_checks:test_sk302_custom_operation",
    "SK303": "tests.check.test_checks:test_sk303_not_null_without_default",
    "SK401": "tests.history.test_diagnose:test_applied_before_dependency",
    "SK402": "tests.history.test_diagnose:test_partial_squash_with_replaced_files",
    "SK403": "tests.history.test_diagnose:test_stale_rows_renamed_deleted_and_replaced",
    "SK404": "tests.history.test_diagnose:test_edited_after_apply",
    "SK405": "tests.history.test_diagnose:test_squash_not_recorded_while_replaces_is_kept",
    "SK501": "tests.cli.test_check:test_squash_ready_with_an_environment",
    "SK502": "tests.check.test_checks:test_sk502_unported_reference",
    "SK503": "tests.check.test_checks:test_sk503_depends_on_replaced",
    "SK504": "tests.cli.test_check:test_replaced_files_deleted_while_needed",
    "SK601": "tests.verify.test_verify:test_a_model_change_without_a_migration_fails",
    "SK602": "tests.verify.test_verify:test_a_conflict_fails_the_graph_step",
    "SK603": "tests.verify.test_verify:test_a_migration_that_fails_on_a_fresh_database",
    "SK604": "tests.verify.test_verify:test_a_reverse_sql_that_loses_a_column_fails_the_rollback_with_the_difference",
    "SK605": "tests.verify.test_verify:test_an_irreversible_run_python_is_reported_with_its_line",
    "SK606": "tests.verify.test_verify:test_a_rollback_that_raises",
    "SK607": "tests.verify.test_verify:test_a_migration_naming_the_public_schema_fails_in_throwaway_schemas",
}


def test_every_rule_has_a_triggering_test() -> None:
    """A rule registered later (squash plan/run, verify) adds its line here."""
    missing = [r.code for r in all_rules() if r.code not in TRIGGERED_BY]
    assert missing == []
    for code, target in TRIGGERED_BY.items():
        module, name = target.split(":")
        assert callable(getattr(importlib.import_module(module), name)), code


def test_a_clean_project_triggers_no_rule(tmp_path: Path) -> None:
    """Two apps, a squash whose replaced files are kept and nothing depending on them, reversible data
    migration, minimal dependencies, dated headers in order; with an environment that recorded nothing."""
    root = build(
        tmp_path / "clean",
        {
            "shop": {
                "0001_initial": migration(ops=[create("Order")]),
                "0002_order_total": migration([("shop", "0001_initial")], [add_field("Order", "total")]),
                "0001_squashed_0002_order_total": migration(
                    ops=[create("Order", "('total', models.IntegerField(default=0))")],
                    replaces=[("shop", "0001_initial"), ("shop", "0002_order_total")],
                ),
            },
            "billing": {
                "0001_initial": migration(
                    [("shop", "0001_squashed_0002_order_total")],
                    [create("Invoice", f"('order', {fk('shop', 'Order')})")],
                ),
                "0002_fill": migration(
                    [("billing", "0001_initial")],
                    ["migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)"],
                ),
            },
        },
    )
    db = tmp_path / "empty.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE django_migrations (id integer primary key, app varchar, name varchar, applied datetime)"
        )
    conn.close()
    state = collect_applied(root, dsns=[f"sqlite:///{db}"])
    assert state.sets
    result = run_check(load_static(root), CheckConfig(select=("ALL",)), applied=state)
    assert [f"{f.code} {f.message}" for f in result.findings] == []
