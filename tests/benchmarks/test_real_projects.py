"""``benchmarks.real_projects``' helpers on sample_project (the script itself installs from PyPI: not run here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.real_projects import (
    Spec,
    copy_packages,
    imported_from,
    proposal_counts,
    run_deps,
    without_volatile,
)
from tests.conftest import SAMPLE_PROJECT, copy_project


@pytest.mark.django  # a squashkit subprocess (no Django: --no-verify)
def test_proposal_counts_from_deps_json(tmp_path: Path) -> None:
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    code, report, stderr = run_deps(root, "sample_project.settings", "--no-verify")
    assert code == 1, stderr
    counts = proposal_counts(report)
    assert counts["pending"] == len(report["proposals"]) > 0
    assert counts["unverified"] == counts["pending"]
    assert counts["verified"] == counts["failed"] == counts["status_written"] == 0
    assert counts["kept"] == len(report["kept"]) > 0
    removals = [c for p in report["proposals"] for c in p["changes"] if c["action"] == "remove"]
    assert counts["removed"] == len(removals) >= counts["sk201"] + counts["sk202"]
    assert counts["sk201"] == sum(c["reason_code"] == "over-specified" for c in removals)


@pytest.mark.django  # imported_from starts a Python subprocess
def test_copy_packages_leaves_out_the_excluded_folders(tmp_path: Path) -> None:
    spec = Spec(
        "sample", "sample", ("inventory", "billing"), "sample_project.settings", exclude=("billing/migrations",)
    )
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "stale.txt").write_text("removed first")
    copied = copy_packages(SAMPLE_PROJECT, spec, tree)
    assert copied == len(list((SAMPLE_PROJECT / "inventory" / "migrations").glob("[0-9]*.py")))
    assert sorted(p.name for p in tree.iterdir()) == ["billing", "inventory", "manage.py"]
    assert not (tree / "billing" / "migrations").exists()
    assert not list(tree.rglob("__pycache__"))
    assert "'sample_project.settings'" in (tree / "manage.py").read_text()
    assert imported_from("inventory", tree) == (tree / "inventory" / "__init__.py").resolve()


def test_without_volatile_masks_timestamps_and_uuids() -> None:
    a = [
        "INSERT INTO t SELECT id, '2026-12-02 10:29:36.510954' FROM u",
        "UPDATE t SET k = '0d9f6a3e1c2b4d5e8f7a6b5c4d3e2f1a'",
    ]
    b = [
        "INSERT INTO t SELECT id, '2026-12-02 10:29:53.780848' FROM u",
        "UPDATE t SET k = '1d9f6a3e-1c2b-4d5e-8f7a-6b5c4d3e2f1a'",
    ]
    assert a != b
    assert without_volatile(a) == without_volatile(b)
    assert without_volatile(["SELECT 'plain'"]) == ["SELECT 'plain'"]
