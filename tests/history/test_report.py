from __future__ import annotations

from pathlib import Path

from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.history import AppliedRow, AppliedSet, AppliedState, SourceFailure
from squashkit.history.report import _state_name, history_report
from tests.history.shop import make_shop

K = MigrationKey
ORDER = [K("crm", "0001_initial"), K("crm", "0002_customer_age"), K("crm", "0003_customer_size")]


def tenant(name: str, n: int) -> AppliedSet:
    return AppliedSet("db", name, "src", tuple(AppliedRow(k.app_label, k.name) for k in ORDER[:n]))


def test_state_names() -> None:
    assert [_state_name(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_groups_matrix_and_counts(tmp_path: Path) -> None:
    project = load_static(make_shop(tmp_path / "shop"))
    sets = [tenant(f"t{i}", i % 3) for i in range(10)]
    report = history_report(project, AppliedState.of(sets))
    assert [(g.name, g.labels) for g in report.groups] == [
        ("A", ["db/t0", "db/t3", "db/t6", "db/t9"]),
        ("B", ["db/t1", "db/t4", "db/t7"]),
        ("C", ["db/t2", "db/t5", "db/t8"]),
    ]
    headers, rows = report.matrix()
    assert headers == ["A (4)", "B (3)", "C (3)"]  # more than 8 sets: one column per state
    assert dict(rows)[K("crm", "0002_customer_age")] == ["pending", "pending", "applied"]
    headers, rows = report.matrix(compact=False)
    assert len(headers) == 10
    counts = dict(report.counts())
    assert counts[K("crm", "0001_initial")] == {"applied": 6, "pending": 4, "stale": 0, "unused": 0}
    assert counts[K("billing", "0001_initial")] == {"applied": 0, "pending": 0, "stale": 0, "unused": 10}
    assert report.exit_code == 0
    data = report.to_dict()
    assert data["matrix"]["compact"] is True
    assert data["states"][1] == {"state": "B", "sets": ["db/t1", "db/t4", "db/t7"]}


def test_exit_codes(tmp_path: Path) -> None:
    project = load_static(make_shop(tmp_path / "shop"))
    failure = SourceFailure("x", "src", "cannot connect")
    assert history_report(project, AppliedState.of(failures=[failure])).exit_code == 2
    assert history_report(project, AppliedState.of([tenant("a", 1)], [failure])).exit_code == 0
    broken = AppliedSet("db", None, "src", (AppliedRow("crm", "0002_customer_age"),))
    assert history_report(project, AppliedState.of([broken])).exit_code == 1
