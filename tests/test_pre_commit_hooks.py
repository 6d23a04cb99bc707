"""``.pre-commit-hooks.yaml``: a real ``pre-commit try-repo`` of this repository in a temporary git repository
holding a copy of sample_project: the hook fails on the planted findings and passes once they are baselined."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.django]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pre-commit", "try-repo", str(REPO), "squashkit-check", "--all-files"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("git") is None, reason="needs pre-commit and git"
)
def test_try_repo_fails_then_passes_with_a_baseline(sample_copy: Path, tmp_path: Path) -> None:
    project = sample_copy
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "sample")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "SQUASHKIT_CACHE_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("SQUASHKIT_SETTINGS", None)
    failed = _try_repo(project, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "squashkit check" in failed.stdout
    assert "SK201" in failed.stdout

    subprocess.run(
        ["squashkit", "check", ".", "--write-baseline", "squashkit-baseline.json"], cwd=project, check=True, env=env
    )
    (project / "pyproject.toml").write_text('[tool.squashkit.check]\nbaseline = "squashkit-baseline.json"\n')
    _git(project, "add", ".")
    passed = _try_repo(project, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
