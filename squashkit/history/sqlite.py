"""Read ``django_migrations`` from a SQLite file, opened read-only (``file:...?mode=ro``): never written."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from squashkit.history.errors import SourceError
from squashkit.history.model import AppliedRow, AppliedSet

__all__ = ["read_sqlite", "sqlite_path"]


def sqlite_path(dsn: str, root: Path) -> Path:
    """The file a ``sqlite:`` DSN names.

    ``sqlite:///relative/path.db`` is relative to the project directory, ``sqlite:////absolute/path.db``
    absolute (the convention of SQLAlchemy and dj-database-url).
    """
    rest = dsn.split(":", 1)[1]
    if rest.startswith("///"):
        rest = rest[3:]
    elif rest.startswith("//"):
        rest = rest[2:]
    path = Path(rest)
    return path if path.is_absolute() else (root / path)


def _parse_applied(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def read_sqlite(path: Path, env: str, source: str | None = None) -> AppliedSet:
    """Rows of ``django_migrations`` in ``path`` (a missing file or table is a :class:`SourceError`)."""
    source = source or f"sqlite:///{path}"
    if path.is_dir():
        raise SourceError(env, source, f"{path} is a directory, not a SQLite database file")
    if not path.is_file():
        if path.exists():
            raise SourceError(env, source, f"{path} is not a regular file, not a SQLite database file")
        raise SourceError(env, source, f"database file does not exist: {path}")
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise SourceError(env, source, f"cannot open database: {exc}") from exc
    try:
        try:
            cursor = conn.execute("SELECT app, name, applied FROM django_migrations ORDER BY id")
            rows = cursor.fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise SourceError(env, source, "no django_migrations table") from exc
            raise SourceError(env, source, f"cannot read django_migrations: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise SourceError(env, source, f"cannot read django_migrations: {exc}") from exc
    finally:
        conn.close()
    return AppliedSet(
        env=env,
        schema=None,
        source=source,
        rows=tuple(AppliedRow(str(app), str(name), _parse_applied(applied)) for app, name, applied in rows),
    )
