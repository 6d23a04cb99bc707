from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.history.errors import SnapshotError
from squashkit.history.model import AppliedRow, AppliedSet
from squashkit.history.snapshot import read_snapshot, snapshot_dict, write_snapshot

TAKEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
APPLIED = datetime(2025, 12, 1, 10, 0, tzinfo=UTC)


def test_round_trip(tmp_path: Path) -> None:
    sets = [
        AppliedSet("prod", "tenant_a", "postgresql://app:***@db/shop", (AppliedRow("crm", "0001_initial", APPLIED),)),
        AppliedSet("prod", "tenant_b", "postgresql://app:***@db/shop", ()),
    ]
    data = snapshot_dict("prod", sets, {MigrationKey("crm", "0001_initial"): "abc"}, taken=TAKEN)
    assert data["sets"][0] == {
        "schema": "tenant_a",
        "source": "postgresql://app:***@db/shop",
        "rows": [{"app": "crm", "name": "0001_initial", "applied": "2025-12-01T10:00:00+00:00", "hash": "abc"}],
    }
    path = tmp_path / "snaps" / "prod.json"
    write_snapshot(path, data)
    loaded = read_snapshot(path)
    assert [s.label for s in loaded] == ["prod/tenant_a", "prod/tenant_b"]
    assert loaded[0].rows == (AppliedRow("crm", "0001_initial", APPLIED, "abc"),)
    assert loaded[0].kind == "snapshot"
    assert loaded[0].taken == TAKEN
    assert loaded[0].hashes == {MigrationKey("crm", "0001_initial"): "abc"}
    assert loaded[0].source == (f"snapshot {path} (taken 2026-01-02T03:04:05+00:00; of postgresql://app:***@db/shop)")
    assert [s.label for s in read_snapshot(path, "production")] == ["production/tenant_a", "production/tenant_b"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{", "not a JSON snapshot: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("[]", 'not a squashkit snapshot (expected "format": "squashkit-history-snapshot")'),
        (
            json.dumps({"format": "squashkit-history-snapshot", "version": 9}),
            "unsupported snapshot version 9 (expected 1)",
        ),
        (
            json.dumps({"format": "squashkit-history-snapshot", "version": 1, "env": "x"}),
            "malformed snapshot: missing or bad field 'sets'",
        ),
        (
            json.dumps({"format": "squashkit-history-snapshot", "version": 1, "taken": "yesterday", "sets": []}),
            "not a valid date: 'yesterday'",
        ),
    ],
)
def test_bad_snapshots(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(info.value) == f"{path}: {reason}"


def test_missing_snapshot(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError) as info:
        read_snapshot(tmp_path / "none.json")
    assert str(info.value) == f"{tmp_path / 'none.json'}: snapshot file does not exist"


# -- hostile snapshot files (issue #12) ---------------------------------------------------------------------

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


def test_snapshot_nested_100k_levels_is_a_clean_error() -> None:
    path = HOSTILE / "snapshot_nested.json"
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(info.value) == f"{path}: not a JSON snapshot: nested too deeply to read"


def test_snapshot_that_is_a_device_is_refused_without_reading() -> None:
    with pytest.raises(SnapshotError) as info:
        read_snapshot(Path("/dev/zero"))
    assert str(info.value) == "/dev/zero: not a regular file (a character device): a snapshot is a JSON file"


def test_snapshot_that_is_a_fifo_or_a_directory_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # opening it would block until a writer comes
    with pytest.raises(SnapshotError) as info:
        read_snapshot(fifo)
    assert str(info.value) == f"{fifo}: not a regular file (a FIFO): a snapshot is a JSON file"
    with pytest.raises(SnapshotError) as info:
        read_snapshot(tmp_path)
    assert str(info.value) == f"{tmp_path}: not a regular file (a directory): a snapshot is a JSON file"


def test_snapshot_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "squashkit-history-snapshot", "version": 1, "sets": []}))
    monkeypatch.setenv("SQUASHKIT_SNAPSHOT_MAX_BYTES", "20")
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(info.value) == (
        f"{path}: larger than 20 bytes (set $SQUASHKIT_SNAPSHOT_MAX_BYTES to read larger snapshots)"
    )


def test_history_show_with_a_fifo_snapshot_does_not_hang(tmp_path: Path, sample_project: Path) -> None:
    """The whole command, in a subprocess with a deadline: a clean error, exit 2, no traceback."""
    import subprocess
    import sys

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "squashkit", "history", "show", str(sample_project), "--snapshot", f"prod={fifo}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{fifo}: not a regular file (a FIFO): a snapshot is a JSON file" in result.stderr
