"""Acceptance on the repository's sample project: planted over-specified dependencies are proposed with
reasons; after ``deps --fix`` on a copy, ``migrate`` from empty gives the same schema on SQLite and
PostgreSQL; an applied migration is refused.  Databases and rewrites only ever touch copies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit.deps.propose import propose
from squashkit.deps.verify import find_settings
from squashkit.graph.static import load_static
from tests.conftest import SAMPLE_PROJECT, copy_project
from tests.deps.schema import migrate_and_introspect
from tests.deps.test_acceptance import outside_dependencies

pytestmark = pytest.mark.skipif(
    not (SAMPLE_PROJECT / "manage.py").is_file(), reason="sample_project is not in the repository yet"
)

SQLITE = "django.db.backends.sqlite3"


def over_specified(root: Path) -> list[str]:
    return sorted(
        f"{p.migration} -> {c.dependency}"
        for p in propose(load_static(root))
        for c in p.changes
        if c.action == "remove" and c.reason_code == "over-specified"
    )


def test_planted_over_specified_dependencies_are_proposed(sample_project: Path) -> None:
    proposals = [p for p in propose(load_static(sample_project)) if p.pending]
    assert proposals, "sample_project plants over-specified dependencies"
    assert over_specified(sample_project)
    for proposal in proposals:
        for change in proposal.changes:
            assert change.reason, change


def fixed_pair(tmp_path: Path, sample_copy: Path, run_cli) -> tuple[Path, Path]:
    original = copy_project(SAMPLE_PROJECT, tmp_path / "original")
    files = {p.relative_to(sample_copy): p.read_text() for p in sample_copy.rglob("migrations/0*.py")}
    env = {"SAMPLE_DB_ENGINE": SQLITE, "SAMPLE_DB_NAME": str(tmp_path / "never-created.sqlite3")}
    result = run_cli("deps", sample_copy, "--fix", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not result.stdout.endswith("Wrote 0 file(s).\n")
    for rel, text in files.items():
        assert outside_dependencies((sample_copy / rel).read_text()) == outside_dependencies(text), rel
    again = run_cli("deps", sample_copy, "--fix", env=env)
    assert again.exit_code == 0
    assert again.stdout.endswith("no dependency to change.\nWrote 0 file(s).\n")
    return original, sample_copy


def test_fix_keeps_the_sqlite_schema(tmp_path: Path, sample_copy: Path, run_cli) -> None:
    original, fixed = fixed_pair(tmp_path, sample_copy, run_cli)
    settings = find_settings(fixed)
    assert settings
    env = {"SAMPLE_DB_ENGINE": SQLITE, "PYTHONDONTWRITEBYTECODE": "1"}
    before = migrate_and_introspect(original, settings, {**env, "SAMPLE_DB_NAME": str(tmp_path / "before.sqlite3")})
    after = migrate_and_introspect(fixed, settings, {**env, "SAMPLE_DB_NAME": str(tmp_path / "after.sqlite3")})
    assert before
    assert after == before


@pytest.mark.postgres
def test_fix_keeps_the_postgresql_schema(tmp_path: Path, sample_copy: Path, run_cli, pg_cluster) -> None:
    original, fixed = fixed_pair(tmp_path, sample_copy, run_cli)
    settings = find_settings(fixed)
    assert settings
    pg_cluster.create_database("sample_before")
    pg_cluster.create_database("sample_after")
    before = migrate_and_introspect(original, settings, pg_cluster.django_env("sample_before"))
    after = migrate_and_introspect(fixed, settings, pg_cluster.django_env("sample_after"))
    assert before
    assert after == before


def test_applied_migrations_are_refused(tmp_path: Path, sample_copy: Path, run_cli) -> None:
    settings = find_settings(sample_copy)
    assert settings
    db = tmp_path / "migrated.sqlite3"
    env = {"SAMPLE_DB_ENGINE": SQLITE, "SAMPLE_DB_NAME": str(db)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=sample_copy,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": settings},
        check=True,
    )
    files = {p: p.read_bytes() for p in sample_copy.rglob("migrations/0*.py")}
    result = run_cli("deps", sample_copy, "--fix", env=env)
    assert result.exit_code == 1
    assert "[refused: applied in default (" in result.stdout
    assert "[offered]" not in result.stdout
    assert {p: p.read_bytes() for p in files} == files
