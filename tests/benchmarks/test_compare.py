"""``benchmarks.compare`` runs end to end on a tiny project and reports its figures as data.

Structure only: no assertion on any time or ratio (performance is measured by running the benchmark).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.compare import main, render, run_benchmarks


@pytest.mark.django
def test_run_benchmarks_reports_every_measurement(tmp_path: Path) -> None:
    result = run_benchmarks(2, 3, seed=1, repeat=1, out_dir=tmp_path / "project")
    assert result["project"]["migrations"] == 6
    assert set(result["in_process"]) == {"squashkit_cold", "squashkit_warm", "squashkit_graph", "django"}
    assert set(result["process"]) == {
        "squashkit_analyze_cold",
        "squashkit_analyze_warm",
        "showmigrations_plan",
        "showmigrations_plan_nopyc",
    }
    for sample in [*result["in_process"].values(), *result["process"].values()]:
        assert len(sample["wall"]) == len(sample["cpu"]) == 1
    for sample in result["in_process"].values():
        assert {"imports_median", "work_median", "total_median"} <= set(sample)
    assert result["in_process"]["squashkit_cold"]["reported"]["cache"] is False
    assert result["in_process"]["squashkit_warm"]["reported"]["cache"] is True
    assert result["in_process"]["django"]["reported"]["migrations"] >= 6  # contrib apps' migrations too
    assert set(result["targets"]) == {
        "in_process_work_cold",
        "in_process_work_warm",
        "process_cold",
        "process_warm",
    }
    assert all(isinstance(t["met"], bool) for t in result["targets"].values())
    text = render(result)
    assert "a. in-process" in text and "b. whole process" in text
    assert text.count("target >= ") == 4
    assert "showmigrations without .pyc / squashkit cold: " in text  # informational, not a target
    assert result["ratios"]["process_cold_vs_nopyc"] > 0
    assert "cold" in text and "warm" in text
    # the benchmark's record cache is temporary and never inside the project
    assert not list((tmp_path / "project").rglob("*.marshal"))
    # the no-.pyc run came last and removed the project's compiled files first (``-B`` wrote none back)
    assert not list((tmp_path / "project").rglob("__pycache__"))


@pytest.mark.slow
def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "project"
    assert main(["--apps", "1", "--migrations", "2", "--repeat", "1", "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["project"]["root"] == str(out)
    assert "generating 1 apps x 2 migrations" in captured.err
