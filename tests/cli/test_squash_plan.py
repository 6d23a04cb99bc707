"""``squashkit squash plan``: formats, options, configuration, exit codes (static: no Django started, but for
``--exact``, which counts with Django's optimizer in the runner's subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

from squashkit.cli._squash_plan import exact_needs_settings


def test_json_has_a_schema_version_and_the_ranges(run_cli, sample_project: Path) -> None:
    result = run_cli("squash", "plan", sample_project, "--format", "json", "--django-version", "5.2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["django_version"] == "5.2"
    assert data["sources"] == []
    inventory = [r for r in data["ranges"] if r["app"] == "inventory"]
    assert [(r["first"], r["last"]) for r in inventory] == [
        ("inventory.0001_initial", "inventory.0011_product_weight"),
        ("inventory.0012_reservation", "inventory.0022_product_barcode"),
        ("inventory.0023_alter_product_barcode", "inventory.0032_remove_warehouse_city"),
    ]
    assert inventory[0]["name"] == "0001_squashed_0011_product_weight"
    assert inventory[1]["narrow_first"] == ["inventory.0021_stocklevel_supplier"]
    assert data["totals"]["ranges"] == len(data["ranges"])


def test_table_fits_80_columns_and_says_what_bounds_it(run_cli, sample_project: Path) -> None:
    result = run_cli("squash", "plan", sample_project, "--app", "inventory", "--django-version", "5.2")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert lines[0] == "Squash plan for Django 5.2; bounded by: nothing (no environment, schema or"
    assert "inventory: 0001_initial .. 0011_product_weight (11 migrations) ->" in lines
    assert "  barriers: RunPython 0030_reset_reorder_levels:18" in lines


def test_markdown_marks_estimates(run_cli, sample_project: Path) -> None:
    result = run_cli("squash", "plan", sample_project, "--format", "markdown", "--app", "sales_orders")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("## Squash plan (Django ")
    assert "| sales_orders | `0001_initial` | `0016_order_shipped_at` | 16 | 16 -> 9 (estimate) |" in result.stdout


def test_exact_counts_are_those_squash_run_writes(run_cli, sample_copy: Path) -> None:
    result = run_cli("squash", "plan", sample_copy, "--exact", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["optimizer"] == "exact"
    exact = {(r["first"], r["last"]): (r["ops_before"], r["ops_after_exact"]) for r in data["ranges"]}
    assert all(r["ops_after_is_exact"] and r["ops_after"] == r["ops_after_exact"] for r in data["ranges"])
    assert all(r["saving"] == r["ops_before"] - r["ops_after_exact"] for r in data["ranges"])
    # squash run generates every planned range with Django (nothing written without --write)
    run = run_cli("squash", "run", "--plan", sample_copy, "--no-proof", "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    generated = {
        (s["replaces"][0], s["replaces"][-1]): (s["operations_before"], s["operations_after"])
        for s in json.loads(run.stdout)["squashes"]
    }
    assert exact == generated
    assert exact[("inventory.0001_initial", "inventory.0011_product_weight")] == (12, 3)
    assert exact[("sales_orders.0001_initial", "sales_orders.0016_order_shipped_at")] == (16, 9)


def test_exact_marks_the_counts_in_table_and_markdown(run_cli, sample_copy: Path) -> None:
    table = run_cli("squash", "plan", sample_copy, "--exact", "--app", "sales_orders")
    assert table.exit_code == 0, table.stderr
    assert "  operations: 16 -> 9 (exact), saves 7 in a fresh migrate" in table.stdout.splitlines()
    markdown = run_cli("squash", "plan", sample_copy, "--exact", "--app", "sales_orders", "--format", "markdown")
    assert markdown.exit_code == 0, markdown.stderr
    assert "| sales_orders | `0001_initial` | `0016_order_shipped_at` | 16 | 16 -> 9 (exact) |" in markdown.stdout


def test_exact_without_settings_is_a_usage_error(run_cli, sample_copy: Path) -> None:
    (sample_copy / "manage.py").unlink()
    result = run_cli("squash", "plan", sample_copy, "--exact")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {sample_copy.resolve()}: --exact runs Django's MigrationOptimizer and needs Django settings: pass "
        "--settings MODULE, set [tool.squashkit] settings, or add a manage.py that sets DJANGO_SETTINGS_MODULE\n"
    )
    assert exact_needs_settings(sample_copy.resolve()) + "\n" == result.stderr.removeprefix("error: ")


def test_unknown_app_is_a_usage_error(run_cli, sample_project: Path) -> None:
    result = run_cli("squash", "plan", sample_project, "--app", "nope")
    assert result.exit_code == 2
    assert "No app with label 'nope'" in result.stderr


def test_threshold_from_pyproject_and_django_6_nests_squashes(run_cli, sample_copy: Path) -> None:
    (sample_copy / "pyproject.toml").write_text("[tool.squashkit]\nsquash_min_migrations = 3\n")
    result = run_cli("squash", "plan", sample_copy, "--app", "billing", "--format", "json", "--django-version", "6.0")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["min_migrations"] == 3
    (billing,) = data["ranges"]
    assert billing["first"] == "billing.0001_squashed_0004_alter_invoice_amount"
    assert billing["nested_squashes"] == ["billing.0001_squashed_0004_alter_invoice_amount"]
    old = json.loads(
        run_cli("squash", "plan", sample_copy, "--app", "billing", "--format", "json", "--django-version", "5.2").stdout
    )
    assert [r["first"] for r in old["ranges"]] == ["billing.0005_invoice_paid_at"]
    assert old["apps"][0]["start_after"] == "billing.0001_squashed_0004_alter_invoice_amount"


def test_bad_threshold_in_pyproject(run_cli, sample_copy: Path) -> None:
    (sample_copy / "pyproject.toml").write_text('[tool.squashkit]\nsquash_min_migrations = "many"\n')
    result = run_cli("squash", "plan", sample_copy)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {sample_copy.resolve() / 'pyproject.toml'}: [tool.squashkit]: squash_min_migrations must be an "
        "integer >= 2\n"
    )


def test_help_says_what_settings_are_for(run_cli) -> None:
    """plan reads migrations statically: --settings reads the default database and serves --exact."""
    text = " ".join(run_cli("squash", "plan", "--help").stdout.split())
    assert "instead of statically" not in text
    assert "to read the default database's applied state and for --exact" in text
