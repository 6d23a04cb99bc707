"""Acceptance on the repository's sample project: planted over-specified dependencies are proposed with
reasons; after ``deps --fix`` on a copy, ``migrate`` from empty gives the same schema on SQLite and
PostgreSQL; an applied migration is refused.  Databases and rewrites only ever touch copies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit.deps.propose import propose
from squashkit.deps.verify import find_settings
from squashkit.graph.static import load_static
from tests.conftest import SAMPLE_PROJECT, copy_project
from tests.deps.schema import migrate_and_introspect
from tests.deps.test_acceptance import outside_dependencies

pytestmark = [
    pytest.mark.django,
    pytest.mark.skipif(
        not (SAMPLE_PROJECT / "manage.py").is_file(), reason="sample_project is not in the repository yet"
    ),
]

SQLITE = "django.db.backends.sqlite3"


def over_specified(root: Path) -> list[str]:
    return sorted(
        f"{p.migration} -> {c.dependency}"
        for p in propose(load_static(root))
        for c in p.changes
        if c.action == "remove" and c.reason_code == "over-specified"
    )


def test_planted_over_specified_dependencies_are_proposed(sample_project: Path) -> None:
    """The nine over-specified edges of sample_project/README.md: five are narrowed to their provider; four
    are kept because ``purchase_orders.0007`` (an opaque RunSQL) follows them and needs everything it
    followed before."""
    proposals = {str(p.migration): p for p in propose(load_static(sample_project)) if p.pending}
    assert over_specified(sample_project) == [
        "billing.0001_squashed_0004_alter_invoice_amount -> customers.0004_alter_customer_email",
        "billing.0001_squashed_0004_alter_invoice_amount -> sales_orders.0016_order_shipped_at",
        "billing.0006_invoiceline -> sales_orders.0001_initial",
        "billing.0006_invoiceline -> sales_orders.0016_order_shipped_at",
        "inventory.0021_stocklevel_supplier -> purchase_orders.0011_purchaseorder_received_at",
    ]
    second = proposals["inventory.0021_stocklevel_supplier"]
    assert second.changes[0].reason == (
        "needs only purchase_orders.0001_initial, which creates purchase_orders.supplier"
    )
    kept = {str(p.migration): p for p in propose(load_static(sample_project))}
    descendant = sorted(
        f"{name} -> {c.dependency}" for name, p in kept.items() for c in p.changes if c.reason_code == "descendant"
    )
    assert descendant == [
        "inventory.0012_reservation -> sales_orders.0010_backfill_order_status",
        "purchase_orders.0003_purchaseorderline -> inventory.0020_stocklevel_updated",
        "purchase_orders.0004_purchaseorder_sales_order -> sales_orders.0016_order_shipped_at",
        "sales_orders.0008_order_customer -> customers.0002_customer_email",
        "sales_orders.0014_order_created_by -> accounts.__first__",
    ]
    changes = kept["sales_orders.0008_order_customer"].changes
    assert next(c for c in changes if c.reason_code == "descendant").reason == (
        "purchase_orders.0007_purchaseorder_reference_index follows it and needs everything it followed before: "
        "RunSQL (line 13): the SQL is not analysed"
    )
    # inventory.0023 alters product.barcode: the opaque RunSQL it followed through purchase_orders.0011 (which
    # inventory.0021 no longer depends on) must still run before it, so it is added
    added = [(str(c.dependency), c.reason_code) for c in proposals["inventory.0023_alter_product_barcode"].changes]
    assert ("purchase_orders.0007_purchaseorder_reference_index", "provider") in added
    # the planted same-app redundancies are dropped as transitive
    transitive = sorted(
        f"{name} -> {c.dependency} via {c.via}"
        for name, p in proposals.items()
        for c in p.changes
        if c.reason_code == "transitive"
    )
    assert transitive == [
        "inventory.0012_reservation -> inventory.0009_warehouse_city via inventory.0011_product_weight",
        "sales_orders.0014_order_created_by -> sales_orders.0012_orderline_unit_price"
        " via sales_orders.0013_alter_orderline_quantity",
    ]
    codes = {c.reason_code for p in kept.values() for c in p.changes if c.action == "keep"}
    assert {"same-app", "needed", "swappable", "descendant"} <= codes


def fixed_pair(tmp_path: Path, sample_copy: Path, run_cli) -> tuple[Path, Path]:
    original = copy_project(SAMPLE_PROJECT, tmp_path / "original")
    files = {p.relative_to(sample_copy): p.read_text() for p in sample_copy.rglob("migrations/0*.py")}
    env = {"SAMPLE_DB_ENGINE": SQLITE, "SAMPLE_DB_NAME": str(tmp_path / "never-created.sqlite3")}
    result = run_cli("deps", sample_copy, "--fix", "--assume-unapplied", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not result.stdout.endswith("Wrote 0 file(s).\n")
    for rel, text in files.items():
        assert outside_dependencies((sample_copy / rel).read_text()) == outside_dependencies(text), rel
    again = run_cli("deps", sample_copy, "--fix", "--assume-unapplied", env=env)
    assert again.exit_code == 0
    assert again.stdout.startswith("sample_project: no dependency to change.\n")
    assert again.stdout.endswith("Wrote 0 file(s).\n")
    return original, sample_copy


def test_fix_keeps_the_sqlite_schema(tmp_path: Path, sample_copy: Path, run_cli) -> None:
    original, fixed = fixed_pair(tmp_path, sample_copy, run_cli)
    settings = find_settings(fixed)
    assert settings
    env = {"SAMPLE_DB_ENGINE": SQLITE, "PYTHONDONTWRITEBYTECODE": "1"}
    before = migrate_and_introspect(original, settings, {**env, "SAMPLE_DB_NAME": str(tmp_path / "before.sqlite3")})
    after = migrate_and_introspect(fixed, settings, {**env, "SAMPLE_DB_NAME": str(tmp_path / "after.sqlite3")})
    assert before
    assert after == before


@pytest.mark.postgres
def test_fix_keeps_the_postgresql_schema(tmp_path: Path, sample_copy: Path, run_cli, pg_cluster) -> None:
    original, fixed = fixed_pair(tmp_path, sample_copy, run_cli)
    settings = find_settings(fixed)
    assert settings
    pg_cluster.create_database("sample_before")
    pg_cluster.create_database("sample_after")
    before = migrate_and_introspect(original, settings, pg_cluster.django_env("sample_before"))
    after = migrate_and_introspect(fixed, settings, pg_cluster.django_env("sample_after"))
    assert before
    assert after == before


def test_applied_migrations_are_refused(tmp_path: Path, sample_copy: Path, run_cli) -> None:
    settings = find_settings(sample_copy)
    assert settings
    db = tmp_path / "migrated.sqlite3"
    env = {"SAMPLE_DB_ENGINE": SQLITE, "SAMPLE_DB_NAME": str(db)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=sample_copy,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": settings},
        check=True,
    )
    files = {p: p.read_bytes() for p in sample_copy.rglob("migrations/0*.py")}
    result = run_cli("deps", sample_copy, "--fix", "--assume-unapplied", env=env)
    assert result.exit_code == 1
    assert "[refused: applied in default (" in result.stdout
    assert "[written]" not in result.stdout
    assert {p: p.read_bytes() for p in files} == files
