"""The hand-written CI script of ``benchmarks.verify_compare``: which ``migrate`` rolls a migration back."""

from __future__ import annotations

from benchmarks.verify_compare import _rollback_target
from tests.conftest import SAMPLE_PROJECT


def test_a_migration_is_rolled_back_to_its_parent_in_its_app_or_to_zero() -> None:
    assert _rollback_target(SAMPLE_PROJECT, "billing.0007_mark_paid_invoices") == ["billing", "0006_invoiceline"]
    assert _rollback_target(SAMPLE_PROJECT, "accounts.0001_initial") == ["accounts", "zero"]
