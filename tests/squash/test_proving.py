"""The Django side of the squash proof: the mid-range database is reached in one forward-only plan."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from squashkit._django import run_action
from tests.conftest import SAMPLE_PROJECT


def keys(app: str, *numbers: int) -> list[list[str]]:
    names = {p.name.split("_", 1)[0]: p.stem for p in (SAMPLE_PROJECT / app / "migrations").glob("0*.py")}
    return [[app, names[f"{n:04d}"]] for n in numbers]


def test_mid_range_migrates_forward_once_to_one_consistent_state(tmp_path: Path) -> None:
    """The ranges of ``squash run --plan --app sales_orders --app purchase_orders --app inventory``: migrating
    to each middle in turn (inventory.0027 applies purchase_orders 0008, then purchase_orders 0001 unapplied it)
    failed on the irreversible purchase_orders.0008_fill_references."""
    db = tmp_path / "mid.sqlite3"
    ranges = [
        keys("inventory", *range(1, 12)),
        keys("inventory", *range(23, 33)),
        keys("purchase_orders", 1, 2),
        keys("sales_orders", *range(1, 17)),
    ]
    out = run_action(
        SAMPLE_PROJECT, "sample_project.settings", "squash.prove", {"database": f"sqlite:{db}", "mid_range": ranges}
    )
    assert out["error"] is None
    assert out["migrated_to"] == [
        ["inventory", "0006_stocklevel"],
        ["purchase_orders", "0001_initial"],
        ["sales_orders", "0008_order_customer"],
    ]
    assert out["skipped"] == [
        [
            1,
            "its middle inventory.0027_rename_min_quantity_stocklevel_reorder_level needs all of purchase_orders"
            " 0001_initial .. 0002_purchaseorder_status, inventory 0001_initial .. 0011_product_weight,"
            " sales_orders 0001_initial .. 0016_order_shipped_at applied",
        ]
    ]
    with sqlite3.connect(db) as conn:
        applied = {(a, n) for a, n in conn.execute("SELECT app, name FROM django_migrations")}
    for app, name in out["migrated_to"]:
        assert (app, name) in applied
    for members in (ranges[0], ranges[2], ranges[3]):  # each checked range is half applied
        done = [tuple(m) in applied for m in members]
        assert any(done) and not all(done), members
