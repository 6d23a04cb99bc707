"""``squashkit squash plan``: formats, options, configuration, exit codes (static: no Django started)."""

from __future__ import annotations

import json
from pathlib import Path

from squashkit.cli._squash_plan import EXACT_PENDING


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


def test_markdown_and_exact_pending(run_cli, sample_project: Path) -> None:
    result = run_cli("squash", "plan", sample_project, "--format", "markdown", "--exact", "--app", "sales_orders")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("## Squash plan (Django ")
    assert "| sales_orders | `0001_initial` | `0016_order_shipped_at` | 16 |" in result.stdout
    assert f"- {EXACT_PENDING}" in result.stdout


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
