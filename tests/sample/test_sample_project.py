"""sample_project is a real Django project: it migrates, matches its models, and its planted squash trap is real.

Run with whatever Django the suite runs on (CI: 4.2, 5.2 and 6.x), in subprocesses on temp copies.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django


def manage(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=project, capture_output=True, text=True, check=False
    )


def test_models_match_migrations_and_migrate_from_empty(sample_copy: Path) -> None:
    check = manage(sample_copy, "makemigrations", "--check", "--dry-run")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No changes detected" in check.stdout
    migrate = manage(sample_copy, "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    plan = manage(sample_copy, "showmigrations", "--plan")
    assert plan.stdout.count("[X]") == plan.stdout.count("[")


def test_naive_inventory_squash_is_circular(sample_copy: Path) -> None:
    squash = manage(sample_copy, "squashmigrations", "inventory", "0020", "--noinput")
    assert squash.returncode == 0, squash.stderr
    migrate = manage(sample_copy, "migrate", "-v0")
    assert migrate.returncode == 1
    error = migrate.stderr.strip().splitlines()[-1]
    prefix = "django.db.migrations.exceptions.CircularDependencyError: "
    assert error.startswith(prefix)
    assert set(error[len(prefix) :].split(", ")) == {
        "inventory.0001_squashed_0020_stocklevel_updated",
        "sales_orders.0006_orderline_product",
        "sales_orders.0007_rename_total_order_amount",
        "sales_orders.0008_order_customer",
        "sales_orders.0009_order_notes",
        "sales_orders.0010_backfill_order_status",
    }


def test_narrowed_dependency_makes_the_squash_safe(sample_copy: Path) -> None:
    reservation = sample_copy / "inventory" / "migrations" / "0012_reservation.py"
    source = reservation.read_text()
    assert "('sales_orders', '0010_backfill_order_status')" in source
    reservation.write_text(source.replace("0010_backfill_order_status", "0005_orderline"))
    squash = manage(sample_copy, "squashmigrations", "inventory", "0020", "--noinput")
    assert squash.returncode == 0, squash.stderr
    migrate = manage(sample_copy, "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
