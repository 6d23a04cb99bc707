"""The README's scripted cleanup PR, run in a temporary git repository: branch, `deps --fix`, commit, then
`report --format markdown --before main` writes the PR body with the before/after counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit.errors import UsageError
from squashkit.report.before import counts_at

pytestmark = pytest.mark.django


def _run(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    env.pop("SQUASHKIT_SETTINGS", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_scripted_cleanup_pr(sample_copy: Path) -> None:
    repo = sample_copy
    squashkit = [sys.executable, "-m", "squashkit"]
    _run(repo, "git", "init", "-q", "-b", "main")
    _run(repo, "git", "add", ".")
    _run(repo, "git", "commit", "-q", "-m", "sample")
    # the recipe of the README
    _run(repo, "git", "checkout", "-q", "-b", "squashkit-cleanup")
    _run(repo, *squashkit, "deps", ".", "--fix", "--assume-unapplied")
    _run(repo, "git", "commit", "-q", "-am", "Narrow cross-app migration dependencies (squashkit deps --fix)")
    _run(repo, *squashkit, "report", ".", "--format", "markdown", "--before", "main", "-o", "pr-body.md")
    body = (repo / "pr-body.md").read_text().splitlines()
    assert body[2] == "|  | before (main) | now | change |"
    assert "| warnings | 10 | 3 | -7 |" in body
    assert "### Dependency changes still proposed (0)" in body


def test_unknown_ref(sample_copy: Path) -> None:
    _run(sample_copy, "git", "init", "-q", "-b", "main")
    _run(sample_copy, "git", "add", ".")
    _run(sample_copy, "git", "commit", "-q", "-m", "sample")
    with pytest.raises(UsageError) as info:
        counts_at(sample_copy, "no-such-ref")
    assert info.value.message.startswith("--before: git archive failed: fatal: ")
