"""Read ``django_migrations`` from PostgreSQL with psycopg 3, in a read-only transaction.

* Without a schema selection the table is read through the connection's search path.
* With ``--all-schemas`` or schema names / patterns, one catalog query finds every schema holding a
  ``django_migrations`` table, then one pipelined batch of per-schema ``SELECT``s reads them all (sent
  together, one sync): two network round trips per database whatever the number of tenant schemas, on one
  connection.  Without pipeline support in libpq, one ``UNION ALL`` query instead.

Every statement runs inside ``BEGIN READ ONLY``; the transaction is rolled back.  Error messages are
scrubbed of the password (psycopg can quote the connection string).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from squashkit.history.errors import SourceError
from squashkit.history.model import AppliedRow, AppliedSet, SourceFailure
from squashkit.history.redact import dsn_password, scrub
from squashkit.history.schemas import SchemaSelection

__all__ = ["read_postgres"]

CONNECT_TIMEOUT = 10
STATEMENT_TIMEOUT_MS = 120_000
#: How long to wait for a lock on django_migrations (a migration or a maintenance job holding ACCESS
#: EXCLUSIVE) before reporting the source unreachable; seconds, overridden by $SQUASHKIT_LOCK_TIMEOUT.
LOCK_TIMEOUT = 5.0
LOCK_TIMEOUT_ENV = "SQUASHKIT_LOCK_TIMEOUT"


def lock_timeout() -> float:
    """:data:`LOCK_TIMEOUT`, or ``$SQUASHKIT_LOCK_TIMEOUT`` seconds when set to a positive number."""
    value = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        seconds = float(value) if value else LOCK_TIMEOUT
    except ValueError:
        return LOCK_TIMEOUT
    return seconds if seconds > 0 else LOCK_TIMEOUT


SCHEMAS_SQL = """
SELECT n.nspname,
       pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname = 'django_migrations'
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY n.nspname
""".strip()


def _message(exc: BaseException, secrets: Iterable[str | None]) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # psycopg repeats one "connection to server ... failed" per address tried; keep them, one line.
    text = "; ".join(dict.fromkeys(lines))
    text = re.sub(r"\s+", " ", text)
    return scrub(text, secrets)


def _connect(conninfo: str, env: str, source: str, secrets: list[str | None]) -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise SourceError(env, source, "psycopg is not installed (pip install 'squashkit[postgres]')") from exc
    try:
        conn = psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT, autocommit=False)
    except Exception as exc:
        raise SourceError(env, source, f"cannot connect: {_message(exc, secrets)}") from None
    conn.read_only = True
    return conn


def _read_schemas(conn: Any, cur: Any, chosen: list[str], pipeline: bool | None) -> dict[str, list[AppliedRow]]:
    """Rows of every chosen schema: one pipelined batch of per-schema SELECTs (one network round trip).

    Planning one ``UNION ALL`` of 1,000 tables costs the server far more than 1,000 tiny plans (measured
    about 4x slower), so the union is only the fallback when libpq cannot pipeline.
    """
    import psycopg
    from psycopg import sql

    if pipeline is None:
        pipeline = psycopg.Pipeline.is_supported()
    if pipeline:
        queries = [
            sql.SQL("SELECT app, name, applied FROM {}.django_migrations ORDER BY id").format(sql.Identifier(name))
            for name in chosen
        ]
        with conn.pipeline():
            cursors = [conn.execute(query) for query in queries]
        return {
            name: [AppliedRow(a, n, t) for a, n, t in cursor.fetchall()]
            for name, cursor in zip(chosen, cursors, strict=True)
        }
    parts = [
        sql.SQL("SELECT {lit}::text, id, app, name, applied FROM {ident}.django_migrations").format(
            lit=sql.Literal(name), ident=sql.Identifier(name)
        )
        for name in chosen
    ]
    cur.execute(sql.SQL(" UNION ALL ").join(parts) + sql.SQL(" ORDER BY 1, 2"))
    by_schema: dict[str, list[AppliedRow]] = {name: [] for name in chosen}
    for schema, _id, app, name, applied in cur.fetchall():
        by_schema[schema].append(AppliedRow(app, name, applied))
    return by_schema


def read_postgres(
    conninfo: str,
    env: str,
    source: str,
    schemas: SchemaSelection | None = None,
    *,
    secrets: Iterable[str | None] = (),
    pipeline: bool | None = None,
) -> tuple[list[AppliedSet], list[SourceFailure]]:
    """Applied sets of one PostgreSQL database (one per schema with a selection), and per-schema failures.

    Raises :class:`SourceError` when the database cannot be reached or holds no table to read.
    ``pipeline``: read the schemas with a pipelined batch (default: when libpq supports it) or one UNION ALL.
    """
    schemas = schemas or SchemaSelection()
    wait = lock_timeout()
    known_secrets = [*secrets, dsn_password(conninfo)]
    conn = _connect(conninfo, env, source, known_secrets)
    try:
        with conn.cursor() as cur:
            try:
                cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
                cur.execute(f"SET LOCAL lock_timeout = {int(wait * 1000)}")
                if schemas.search_path:
                    try:
                        cur.execute("SELECT app, name, applied FROM django_migrations ORDER BY id")
                    except Exception as exc:
                        if getattr(exc, "sqlstate", None) == "42P01":  # undefined_table
                            raise SourceError(env, source, "no django_migrations table on the search path") from None
                        raise
                    rows = cur.fetchall()
                    return [AppliedSet(env, None, source, tuple(AppliedRow(a, n, t) for a, n, t in rows))], []
                cur.execute(SCHEMAS_SQL)
                readable = dict(cur.fetchall())
                available = list(readable)
                chosen = schemas.select(available)
                failures = [
                    SourceFailure(env, source, "no django_migrations table in this schema (or no such schema)", name)
                    for name in schemas.names
                    if name not in available
                ]
                # A schema the role may not read is reported on its own; the others are still read.
                failures += [
                    SourceFailure(env, source, f"permission denied: cannot read {name}.django_migrations", name)
                    for name in chosen
                    if not readable[name]
                ]
                chosen = [name for name in chosen if readable[name]]
                if not chosen and failures:
                    return [], failures
                if not chosen:
                    raise SourceError(env, source, f"no schema holds a django_migrations table ({schemas.describe()})")
                by_schema = _read_schemas(conn, cur, chosen, pipeline)
            except SourceError:
                raise
            except Exception as exc:
                if getattr(exc, "sqlstate", None) == "55P03":  # lock_not_available: lock_timeout expired
                    reason = (
                        f"django_migrations is locked by another session (waited {wait:g} s; a running migrate "
                        f"or maintenance job?); set ${LOCK_TIMEOUT_ENV} to wait longer"
                    )
                    raise SourceError(env, source, reason) from None
                reason = f"cannot read django_migrations: {_message(exc, known_secrets)}"
                raise SourceError(env, source, reason) from None
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()
    sets = [AppliedSet(env, name, source, tuple(rows)) for name, rows in by_schema.items()]
    return sets, failures
