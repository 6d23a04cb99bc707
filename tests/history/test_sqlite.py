"""SQLite sources: real files migrated by Django, opened read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.history.errors import SourceError
from squashkit.history.sqlite import read_sqlite, sqlite_path

PARTIAL = {
    MigrationKey("crm", "0001_initial"),
    MigrationKey("crm", "0002_customer_age"),
    MigrationKey("sales", "0001_initial"),
}


def test_sqlite_path(tmp_path: Path) -> None:
    assert sqlite_path("sqlite:///db.sqlite3", tmp_path) == tmp_path / "db.sqlite3"
    assert sqlite_path("sqlite:///data/x.db", tmp_path) == tmp_path / "data/x.db"
    assert sqlite_path("sqlite:////abs/x.db", tmp_path) == Path("/abs/x.db")
    assert sqlite_path("sqlite://rel.db", tmp_path) == tmp_path / "rel.db"


def test_reads_rows_in_apply_order(history_shop: Path) -> None:
    applied_set = read_sqlite(history_shop / "partial.db", "ci")
    assert applied_set.label == "ci"
    assert applied_set.source == f"sqlite:///{history_shop / 'partial.db'}"
    assert applied_set.applied == PARTIAL
    assert [r.key for r in applied_set.rows] == [
        MigrationKey("crm", "0001_initial"),
        MigrationKey("crm", "0002_customer_age"),
        MigrationKey("sales", "0001_initial"),
    ]
    assert all(r.applied is not None for r in applied_set.rows)


def test_empty_table(history_shop: Path) -> None:
    assert read_sqlite(history_shop / "empty.db", "ci").rows == ()


def test_missing_file_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        read_sqlite(tmp_path / "nope.db", "ci")
    assert str(info.value) == f"ci: database file does not exist: {tmp_path / 'nope.db'} (sqlite:///{tmp_path}/nope.db)"
    assert not (tmp_path / "nope.db").exists()


def test_missing_table(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(SourceError) as info:
        read_sqlite(path, "ci", "ci db")
    assert info.value.reason == "no django_migrations table"
    assert str(info.value) == "ci: no django_migrations table (ci db)"


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SourceError) as info:
        read_sqlite(path, "ci")
    assert info.value.reason == "cannot read django_migrations: file is not a database"


def test_never_writes(history_shop: Path) -> None:
    path = history_shop / "full.db"
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in history_shop.iterdir()))
    read_sqlite(path, "ci")
    after = (path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in history_shop.iterdir()))
    assert before == after
