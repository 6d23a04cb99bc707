"""Temporary databases squashkit creates for its proofs, and only those.

:func:`temporary_database` yields the ``DATABASES`` mapping handed to the Django subprocess (it replaces
the project's whole ``DATABASES`` there, so no configured alias can be reached):

* ``"sqlite"``: a new SQLite file in a new temporary folder, removed afterwards;
* a PostgreSQL DSN (``postgresql://user:pw@host:port/dbname``): the DSN names a *server*; a new database
  ``squashkit_proof_<random>`` is created there (``CREATE DATABASE`` from a connection to the DSN's own
  database, which is never otherwise used) and dropped afterwards (``WITH (FORCE)``).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from squashkit.errors import SquashkitError

__all__ = ["DatabaseError", "TemporaryDatabase", "describe_database", "temporary_database"]


class DatabaseError(SquashkitError):
    """A temporary database could not be created or dropped."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"cannot create a temporary database on {where}: {reason}", where=where, reason=reason)
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class TemporaryDatabase:
    vendor: str  # "sqlite" | "postgresql"
    name: str
    #: The project's ``DATABASES`` in the subprocess while it runs.
    databases: dict[str, Any]
    #: Where it lives, without any password ("SQLite file in /tmp/...", "postgresql://u@h:p/name").
    described: str


def describe_database(database: str) -> str:
    """``database`` ("sqlite" or a DSN) for messages, password removed."""
    if database == "sqlite":
        return "SQLite"
    from squashkit.history.redact import redact_dsn

    return redact_dsn(database)


@contextlib.contextmanager
def temporary_database(database: str) -> Iterator[TemporaryDatabase]:
    """A new empty database (see the module docstring); removed when the block ends."""
    if database == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="squashkit-proof-"))
        path = folder / "proof.sqlite3"
        try:
            yield TemporaryDatabase(
                "sqlite",
                str(path),
                {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}},
                f"new SQLite file {path}",
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if not database.startswith(("postgresql://", "postgres://")) and "=" not in database:
        raise DatabaseError(describe_database(database), "expected 'sqlite' or a postgresql:// DSN")
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    where = describe_database(database)
    try:
        params = conninfo_to_dict(database)
    except psycopg.Error as exc:
        raise DatabaseError(where, str(exc).strip()) from None
    name = f"squashkit_proof_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(database, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise DatabaseError(where, str(exc).strip().splitlines()[0]) from None
    settings: dict[str, Any] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "HOST": str(params.get("host") or ""),
        "PORT": str(params.get("port") or ""),
        "USER": str(params.get("user") or ""),
        "PASSWORD": str(params.get("password") or ""),
    }
    options = {k: str(v) for k, v in params.items() if k not in ("host", "port", "user", "password", "dbname")}
    if options:
        settings["OPTIONS"] = options
    user = f"{settings['USER']}@" if settings["USER"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    try:
        yield TemporaryDatabase(
            "postgresql",
            name,
            {"default": settings},
            f"new PostgreSQL database postgresql://{user}{settings['HOST'] or 'localhost'}{port}/{name}",
        )
    finally:
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(database, autocommit=True, connect_timeout=10) as conn,
        ):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
