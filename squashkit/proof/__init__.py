"""Proofs on a real database: migrate a temporary one, introspect it, compare; collect per-migration SQL.

Every database used here is created for the proof and removed afterwards (:mod:`squashkit.proof.database`):
a new SQLite file, or a new database on a PostgreSQL server given by DSN.  The project's own ``DATABASES``
are replaced in the Django subprocess, so no configured environment is ever connected to.

    schema = fresh_schema(root, "mysite.settings", database="sqlite")
    other = fresh_schema(changed_root, "mysite.settings", database="sqlite")
    compare_schemas(schema, other)   # [] when identical, else readable differences
    collect_sql(root, "mysite.settings", database="sqlite")   # {MigrationKey: [sql, ...]} in plan order
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import squashkit.codec as codec
from squashkit._django import run_action
from squashkit.graph.model import MigrationKey
from squashkit.proof.database import DatabaseError, TemporaryDatabase, describe_database, temporary_database
from squashkit.proof.schema import Column, Constraint, Schema, Table, compare_schemas

__all__ = [
    "Column",
    "Constraint",
    "DatabaseError",
    "FreshMigrate",
    "Schema",
    "Table",
    "TemporaryDatabase",
    "collect_sql",
    "compare_schemas",
    "describe_database",
    "fresh_migrate",
    "fresh_schema",
    "temporary_database",
]


@dataclass(frozen=True)
class FreshMigrate:
    """A fresh migrate: the schema it produced and each migration's time, in apply order."""

    schema: Schema
    timings: tuple[tuple[MigrationKey, float], ...]
    database: str  # described, without password


def fresh_migrate(
    project_dir: Path,
    settings: str,
    *,
    database: str = "sqlite",
    targets: Iterable[tuple[str, str]] | None = None,
    timeout: float | None = None,
) -> FreshMigrate:
    """Migrate a NEW temporary database (``"sqlite"`` or a PostgreSQL server DSN) to ``targets`` (default:
    every leaf), then introspect it.  Raises :class:`~squashkit.errors.DjangoError` when Django fails
    (a migration raising: its message, and its file and line when the error names one)."""
    with temporary_database(database) as db:
        result = run_action(
            Path(project_dir),
            settings,
            "proof.schema",
            {"targets": [list(t) for t in targets] if targets is not None else None},
            timeout=timeout,
            databases=db.databases,
        )
    return FreshMigrate(
        Schema.from_dict(result["schema"]),
        tuple((MigrationKey(app, name), seconds) for app, name, seconds in result["timings"]),
        db.described,
    )


def fresh_schema(
    project_dir: Path,
    settings: str,
    *,
    database: str = "sqlite",
    targets: Iterable[tuple[str, str]] | None = None,
    timeout: float | None = None,
) -> Schema:
    """The schema a fresh migrate of a NEW temporary database produces; see :func:`fresh_migrate`."""
    return fresh_migrate(project_dir, settings, database=database, targets=targets, timeout=timeout).schema


def collect_sql(
    project_dir: Path, settings: str, *, database: str = "sqlite", timeout: float | None = None
) -> dict[MigrationKey, list[str]]:
    """The SQL of each migration of the whole plan, in plan order, collected in ONE Django process.

    As ``sqlmigrate``: on a new empty database, nothing executed.  A migration whose SQL cannot be collected
    (an operation that reads the database) gets one line ``-- cannot be collected: <error>``.
    """
    with temporary_database(database) as db:
        result = run_action(Path(project_dir), settings, "proof.sql", {}, timeout=timeout, databases=db.databases)
    errors = {codec.decode_key(k): v for k, v in result["errors"]}
    out: dict[MigrationKey, list[str]] = {}
    for key, statements in result["sql"]:
        migration = codec.decode_key(key)
        out[migration] = [f"-- cannot be collected: {errors[migration]}"] if migration in errors else statements
    return out
