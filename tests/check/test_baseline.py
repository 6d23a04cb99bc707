"""Baselines: accepted findings do not fail; fingerprints survive line shifts; a second identical one is new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from squashkit.check import BaselineError, CheckConfig, baseline_dict, new_findings, read_baseline, run_check
from squashkit.graph.static import load_static
from tests.projects import build, create, migration


def _project(tmp_path: Path) -> Path:
    source = migration([("a", "__latest__")], [create("Line")])
    return build(tmp_path, {"a": {"0001_initial": migration(ops=[create("Order")])}, "b": {"0001_initial": source}})


def test_fingerprint_survives_a_line_shift(tmp_path: Path) -> None:
    root = _project(tmp_path)
    config = CheckConfig(select=("SK203",))
    before = run_check(load_static(root), config)
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline_dict(before.findings, root)))
    migration_file = root / "b/migrations/0001_initial.py"
    migration_file.write_text("# a comment\n# another\n" + migration_file.read_text())
    after = run_check(load_static(root), config, baseline=read_baseline(path))
    assert after.findings == ()
    assert after.baselined == 1
    assert before.findings[0].line + 2 == after.before_baseline[0].line


def test_a_second_identical_finding_is_new(tmp_path: Path) -> None:
    root = _project(tmp_path)
    [finding] = run_check(load_static(root), CheckConfig(select=("SK203",))).findings
    new, accepted = new_findings([finding, finding], read_baseline_of(tmp_path, [finding], root), root)
    assert (new, accepted) == ([finding], 1)


def read_baseline_of(tmp_path: Path, findings: list, root: Path):  # type: ignore[no-untyped-def,type-arg]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(baseline_dict(findings, root)))
    return read_baseline(path)


def test_unreadable_baseline(tmp_path: Path) -> None:
    with pytest.raises(BaselineError) as info:
        read_baseline(tmp_path / "missing.json")
    assert (
        info.value.message == f"{tmp_path / 'missing.json'}: baseline: no such file (write one with --write-baseline)"
    )
    (tmp_path / "bad.json").write_text("[]")
    with pytest.raises(BaselineError) as info:
        read_baseline(tmp_path / "bad.json")
    assert info.value.message == f"{tmp_path / 'bad.json'}: baseline: not a squashkit baseline (no findings list)"
