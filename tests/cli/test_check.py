"""``squashkit check``: exit codes on sample_project, baselines, a new problem, history and squash-state rules."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.projects import HEADER

NEW_MIGRATION = (
    HEADER.replace("2025-01-01", "2026-06-01")
    + """

class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_alter_customer_email'),
        ('purchase_orders', '0012_purchaseorder_currency'),
    ]

    operations = [
        migrations.AddField(
            model_name='supplier',
            name='customer',
            field=models.ForeignKey(null=True, on_delete=models.deletion.SET_NULL, to='customers.customer'),
        ),
    ]
"""
)


def test_sample_project_fails_with_the_planted_problems(run_cli, sample_project: Path) -> None:
    result = run_cli("check", sample_project, "--format", "json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    codes = [f["code"] for f in data["findings"]]
    assert codes.count("SK201") == 5
    assert codes.count("SK202") == 5
    assert "SK503" in codes


def test_baseline_then_a_new_over_specified_migration(run_cli, sample_copy: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run_cli("check", sample_copy, "--write-baseline", baseline)
    assert written.exit_code == 0, written.stderr
    assert written.stderr == f"wrote {baseline} (13 finding(s) accepted)\n"
    clean = run_cli("check", sample_copy, "--baseline", baseline)
    assert clean.exit_code == 0
    assert clean.stdout == "All checks passed (13 in the baseline).\n"
    (sample_copy / "purchase_orders/migrations/0013_supplier_customer.py").write_text(NEW_MIGRATION)
    again = run_cli("check", sample_copy, "--baseline", baseline)
    assert again.exit_code == 1
    assert again.stdout.splitlines() == [
        "purchase_orders/migrations/0013_supplier_customer.py:9: SK201 purchase_orders.0013_supplier_customer "
        "depends on customers.0004_alter_customer_email: needs only customers.0001_initial, which creates "
        "customers.customer, already implied through purchase_orders.0012_purchaseorder_currency",
        "Found 1 finding(s): 1 warning (13 in the baseline).",
    ]


def test_select_ignore_and_fail_on(run_cli, sample_project: Path) -> None:
    only = run_cli("check", sample_project, "--select", "SK3")
    assert only.exit_code == 0  # SK301 is info: below the default fail-on (warning)
    assert only.stdout.splitlines()[-1] == "Found 1 finding(s): 1 info."
    assert run_cli("check", sample_project, "--select", "SK3", "--fail-on", "info").exit_code == 1
    assert run_cli("check", sample_project, "--select", "SK2", "--ignore", "SK2").exit_code == 0


def test_usage_errors(run_cli, sample_project: Path, tmp_path: Path) -> None:
    unknown = run_cli("check", sample_project, "--select", "SK9")
    assert unknown.exit_code == 2
    assert unknown.stderr == "error: --select SK9: no rule code starts with 'SK9'; `squashkit rules` lists every rule\n"
    both = run_cli("check", sample_project, "--baseline", tmp_path / "a", "--write-baseline", tmp_path / "b")
    assert both.exit_code == 2
    assert both.stderr == "error: --baseline and --write-baseline are exclusive\n"


def _db(path: Path, rows: list[tuple[str, str]]) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE django_migrations (id integer primary key, app varchar, name varchar, applied datetime)"
        )
        conn.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-01-01 00:00:00')", rows
        )
    conn.close()
    return f"sqlite:///{path}"


def _rows(root: Path) -> list[tuple[str, str]]:
    labels = {"crm": "customers"}
    return [
        (labels.get(f.parent.parent.name, f.parent.parent.name), f.stem)
        for f in sorted(root.glob("*/migrations/0*.py"))
    ]


def test_squash_ready_with_an_environment(run_cli, sample_copy: Path, tmp_path: Path) -> None:
    dsn = _db(tmp_path / "prod.db", _rows(sample_copy))
    result = run_cli("check", sample_copy, "--dsn", f"prod={dsn}", "--select", "SK5")
    assert result.stdout.splitlines()[-2:] == [
        "billing/migrations/0001_squashed_0004_alter_invoice_amount.py: SK501 "
        "billing.0001_squashed_0004_alter_invoice_amount is recorded in every known environment (prod): ready to "
        "finalize",
        "Found 2 finding(s): 1 warning, 1 info.",
    ]


def test_replaced_files_deleted_while_needed(run_cli, sample_copy: Path, tmp_path: Path) -> None:
    rows = [r for r in _rows(sample_copy) if r[0] != "billing" or r[1] < "0003"]
    rows = [r for r in rows if "squashed" not in r[1]]
    dsn = _db(tmp_path / "staging.db", rows)
    (sample_copy / "billing/migrations/0004_alter_invoice_amount.py").unlink()
    result = run_cli("check", sample_copy, "--dsn", f"staging={dsn}", "--select", "SK504", "--format", "json")
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["message"] == (
        "the files of billing.0004_alter_invoice_amount, replaced by billing.0001_squashed_0004_alter_invoice_amount, "
        "were deleted while staging applied only some of the replaced migrations"
    )
    assert finding["where"] == ["staging"]
    assert result.exit_code == 1
