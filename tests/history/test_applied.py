"""The applied-state policy: which sources count, what an unreadable or missing one means."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.history import AllSourcesFailedError
from squashkit.history.applied import AppliedSource, AppliedState, collect_applied_state
from tests.deps.djangoproject import make_project

K = MigrationKey
A, B, C = K("crm", "0001_initial"), K("crm", "0002_age"), K("sales", "0001_initial")


def write_migrations_table(path: Path, *keys: MigrationKey) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)")
        for app, name in keys:
            db.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2025-01-01 00:00:00')", (app, name)
            )


def test_questions() -> None:
    prod = AppliedSource("prod", "env", frozenset({A, B}))
    staging = AppliedSource("staging", "env", frozenset({A}))
    gone = AppliedSource("gone", "dsn", None, "database file does not exist")
    state = AppliedState((prod, staging))
    assert state.has_sources and state.unreadable == ()
    assert state.applied_in(A) == ("prod", "staging")
    assert state.applied_in(C) == ()
    assert (state.is_applied_anywhere(B), state.is_applied_anywhere(C)) == (True, False)
    assert (state.applied_everywhere(A), state.applied_everywhere(B)) == (True, False)
    partial = AppliedState((prod, gone))
    assert partial.unreadable == (gone,)
    assert partial.is_applied_anywhere(A) is True
    assert partial.is_applied_anywhere(C) is None  # gone may have it
    assert partial.applied_everywhere(A)  # every readable source has it
    nothing = AppliedState()
    assert not nothing.has_sources
    assert nothing.is_applied_anywhere(A) is False
    assert not nothing.applied_everywhere(A)
    assert AppliedState((gone,)).applied_everywhere(A) is False


def test_no_settings_no_source(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    assert collect_applied_state(root) == AppliedState()


@pytest.mark.django
def test_missing_default_sqlite_file_is_no_source(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    state = collect_applied_state(root, settings="mysite.settings")
    assert state == AppliedState((), ("default (sqlite3 db.sqlite3) does not exist",))
    assert not state.has_sources
    assert not (root / "db.sqlite3").exists()  # not created by reading it


@pytest.mark.django
def test_default_database_and_named_sources(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    write_migrations_table(root / "db.sqlite3", A)
    write_migrations_table(tmp_path / "prod.sqlite3", A, C)
    state = collect_applied_state(
        root,
        settings="mysite.settings",
        dsns=[f"prod=sqlite:///{tmp_path / 'prod.sqlite3'}", "gone=sqlite:///nope.db"],
    )
    assert [(s.label, s.kind, s.applied) for s in state.sources] == [
        ("prod", "dsn", frozenset({A, C})),
        ("gone", "dsn", None),
        ("default (sqlite3 db.sqlite3)", "default-db", frozenset({A})),
    ]
    assert state.unreadable[0].error.startswith("database file does not exist: ")
    assert state.applied_in(A) == ("prod", "default (sqlite3 db.sqlite3)")
    assert state.is_applied_anywhere(B) is None
    without_default = collect_applied_state(
        root, settings="mysite.settings", dsns=[f"prod=sqlite:///{tmp_path / 'prod.sqlite3'}"], include_default_db=False
    )
    assert [s.label for s in without_default.sources] == ["prod"]


def test_configured_environments_count_when_none_is_named(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    write_migrations_table(root / "staging.sqlite3", A)
    (root / "pyproject.toml").write_text('[tool.squashkit.environments.staging]\ndsn = "sqlite:///staging.sqlite3"\n')
    state = collect_applied_state(root)
    assert [(s.label, s.kind, s.applied) for s in state.sources] == [("staging", "env", frozenset({A}))]
    write_migrations_table(tmp_path / "other.sqlite3", C)
    named = collect_applied_state(root, dsns=[f"other=sqlite:///{tmp_path / 'other.sqlite3'}"])
    assert [s.label for s in named.sources] == ["other"]  # named sources replace the configured ones


def test_every_named_source_unreadable(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    with pytest.raises(AllSourcesFailedError):
        collect_applied_state(root, dsns=["gone=sqlite:///nope.db"])
    state = collect_applied_state(root, dsns=["gone=sqlite:///nope.db"], require_readable=False)
    assert [(s.label, s.applied) for s in state.unreadable] == [("gone", None)]


@pytest.mark.django
def test_unreadable_default_database_is_kept_with_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.deps.richproject import make_rich_project

    root = make_rich_project(tmp_path / "rich")
    monkeypatch.setenv("SAMPLE_DB_ENGINE", "django.db.backends.postgresql")
    monkeypatch.setenv("SAMPLE_DB_HOST", str(tmp_path / "no-socket"))
    monkeypatch.setenv("SAMPLE_DB_NAME", "x")
    state = collect_applied_state(root, settings="rich.settings")
    (source,) = state.unreadable
    assert (source.label, source.kind) == ("default", "default-db")
    assert source.exception is not None
    assert source.error.startswith("cannot read applied migrations with settings 'rich.settings': ")
