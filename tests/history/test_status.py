"""Django's rules for what counts as applied, on the shop project (records only: no database involved)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.history import AppliedRow, AppliedSet
from squashkit.history.status import effective_applied, number_of, set_status, squash_range
from tests.history.shop import BILLING_SQUASH, make_shop

K = MigrationKey
SQUASH = K("billing", BILLING_SQUASH)
REPLACED = [K("billing", "0001_initial"), K("billing", "0002_invoice_total"), K("billing", "0003_invoice_due")]


def applied_set(*keys: MigrationKey) -> AppliedSet:
    return AppliedSet("env", None, "src", tuple(AppliedRow(k.app_label, k.name) for k in keys))


def test_names() -> None:
    assert number_of("0003_customer_size") == 3
    assert number_of("initial") is None
    assert squash_range("0001_squashed_0004_alter_invoice_amount") == (1, 4)
    assert squash_range("0004_alter_invoice_amount") is None


@pytest.mark.django
def test_effective_applied_follows_django(tmp_path: Path) -> None:
    project = load_static(make_shop(tmp_path / "shop"))
    assert effective_applied(project, frozenset(REPLACED)) == frozenset([*REPLACED, SQUASH])
    # A squash recorded without all of what it replaces does not count (Django pops it).
    assert effective_applied(project, frozenset([SQUASH, REPLACED[0]])) == frozenset([REPLACED[0]])


def test_states(tmp_path: Path) -> None:
    project = load_static(make_shop(tmp_path / "shop"))
    status = set_status(project, applied_set(K("crm", "0001_initial"), K("crm", "0009_gone"), K("auth", "0001_x")))
    assert status.applied == (K("crm", "0001_initial"),)
    assert K("crm", "0002_customer_age") in status.pending
    assert SQUASH in status.pending  # nothing of billing applied: the squash is used
    assert [(s.key, s.reason) for s in status.stale] == [(K("crm", "0009_gone"), "deleted")]
    assert status.external == 1  # auth is outside the project
    assert status.state_of(K("crm", "0001_initial")) == "applied"
    assert status.state_of(K("crm", "0002_customer_age")) == "pending"
    assert status.state_of(K("crm", "0009_gone")) == "stale"
    assert status.state_of(REPLACED[0]) == "unused"
    assert status.state_of(K("crm", "0010_other")) == "-"
    partly = set_status(project, applied_set(REPLACED[0]))
    assert partly.state_of(SQUASH) == "unused"  # partly applied: Django does not use the squash
    assert partly.pending[:2] == (REPLACED[1], REPLACED[2])
    assert status.last_applied is None
    dated = AppliedSet("env", None, "src", (AppliedRow("crm", "0001_initial", datetime(2026, 1, 2)),))
    assert set_status(project, dated).to_dict()["last_applied"] == "2026-01-02T00:00:00"
    assert status.to_dict()["stale"] == [{"migration": "crm.0009_gone", "reason": "deleted", "detail": "file deleted"}]
