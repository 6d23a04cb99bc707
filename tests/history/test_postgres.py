"""PostgreSQL sources against a real throwaway cluster (``pg_cluster``): search path, tenant schemas,
failures, read-only reads and redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.history import collect_applied
from tests.history.shop import migrate

pytestmark = pytest.mark.postgres

TABLE = (
    "CREATE TABLE {schema}.django_migrations (id bigserial PRIMARY KEY, app varchar(255) NOT NULL,"
    " name varchar(255) NOT NULL, applied timestamptz NOT NULL)"
)


def make_tenants(cluster, dbname: str, tenants: dict[str, list[tuple[str, str]]]) -> None:
    statements = []
    for schema, rows in tenants.items():
        if schema != "public":
            statements.append(f'CREATE SCHEMA "{schema}"')
        statements.append(TABLE.format(schema=f'"{schema}"'))
        for app, name in rows:
            statements.append(
                f"INSERT INTO \"{schema}\".django_migrations (app, name, applied) VALUES ('{app}', '{name}', now())"
            )
    cluster.execute(dbname, ";\n".join(statements))


def test_search_path_of_a_database_migrated_by_django(shop: Path, pg_cluster, pg_database: str) -> None:
    migrate(shop, [("crm", "0002_customer_age")], pg_cluster.django_env(pg_database))
    state = collect_applied(shop, dsns=[f"staging={pg_cluster.dsn(pg_database)}"])
    assert state.failures == ()
    [applied_set] = state.sets
    assert applied_set.label == "staging"
    assert applied_set.schema is None
    assert applied_set.source == f"postgresql://postgres:***@127.0.0.1:{pg_cluster.port}/{pg_database}"
    assert applied_set.applied == {MigrationKey("crm", "0001_initial"), MigrationKey("crm", "0002_customer_age")}
    assert all(row.applied is not None and row.applied.tzinfo is not None for row in applied_set.rows)
