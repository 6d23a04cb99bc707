from __future__ import annotations

from datetime import UTC, datetime

from squashkit.graph.model import MigrationKey
from squashkit.history import AppliedRow, AppliedSet, AppliedState, SourceFailure

T = datetime(2026, 1, 1, tzinfo=UTC)
ROWS = (AppliedRow("crm", "0001_initial", T, "h1"), AppliedRow("crm", "0002_age", None))


def test_applied_set() -> None:
    tenant = AppliedSet("prod", "tenant_a", "postgresql://app:***@db/shop", ROWS)
    assert tenant.label == "prod/tenant_a"
    assert AppliedSet("prod", None, "x", ROWS).label == "prod"
    assert tenant.applied == {MigrationKey("crm", "0001_initial"), MigrationKey("crm", "0002_age")}
    assert tenant.hashes == {MigrationKey("crm", "0001_initial"): "h1"}
    assert tenant.row(MigrationKey("crm", "0002_age")) == ROWS[1]
    assert tenant.row(MigrationKey("crm", "0003_x")) is None
    assert ROWS[0].key == MigrationKey("crm", "0001_initial")


def test_applied_state() -> None:
    a = AppliedSet("a", None, "x", ROWS)
    b = AppliedSet("b", "t1", "y", ROWS[:1])
    failure = SourceFailure("c", "z", "cannot connect: refused", "t2")
    state = AppliedState.of([a, b], [failure])
    assert state.known
    assert not AppliedState.of(failures=[failure]).known
    assert state.labels == ["a", "b/t1"]
    assert state.applied_in(MigrationKey("crm", "0001_initial")) == ["a", "b/t1"]
    assert state.applied_in(MigrationKey("crm", "0002_age")) == ["a"]
    assert state.applied_in(MigrationKey("crm", "0003_x")) == []
    assert state.by_label() == {"a": a.applied, "b/t1": b.applied}
    assert state.get("b/t1") is b
    assert state.get("nope") is None
    assert state.merged(AppliedState.of([a])).labels == ["a", "b/t1", "a"]
    assert str(failure) == "c/t2: cannot connect: refused"
    assert state.to_dict()["failures"] == [
        {"label": "c/t2", "env": "c", "schema": "t2", "source": "z", "message": "cannot connect: refused"}
    ]
