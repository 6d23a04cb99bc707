"""PostgreSQL sources against a real throwaway cluster (``pg_cluster``): search path, tenant schemas,
failures, read-only reads and redaction."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.history import SchemaSelection, collect_applied
from squashkit.history.postgres import read_postgres
from tests.history.shop import migrate

pytestmark = [pytest.mark.postgres, pytest.mark.django]

LOGGED = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)")

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


def test_search_path_of_a_database_migrated_by_django(history_shop: Path, pg_cluster, pg_database: str) -> None:
    migrate(history_shop, [("crm", "0002_customer_age")], pg_cluster.django_env(pg_database))
    state = collect_applied(history_shop, dsns=[f"staging={pg_cluster.dsn(pg_database)}"])
    assert state.failures == ()
    [applied_set] = state.sets
    assert applied_set.label == "staging"
    assert applied_set.schema is None
    assert applied_set.source == f"postgresql://postgres:***@127.0.0.1:{pg_cluster.port}/{pg_database}"
    assert applied_set.applied == {MigrationKey("crm", "0001_initial"), MigrationKey("crm", "0002_customer_age")}
    assert all(row.applied is not None and row.applied.tzinfo is not None for row in applied_set.rows)


def test_tenant_schemas_migrated_by_django(history_shop: Path, pg_cluster, pg_database: str) -> None:
    pg_cluster.execute(pg_database, "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA empty_schema")
    migrate(
        history_shop, [("crm", "0001_initial")], {**pg_cluster.django_env(pg_database), "SAMPLE_DB_SCHEMA": "tenant_a"}
    )
    migrate(history_shop, None, {**pg_cluster.django_env(pg_database), "SAMPLE_DB_SCHEMA": "tenant_b"})
    state = collect_applied(history_shop, dsns=[f"tenants={pg_cluster.dsn(pg_database)}"], all_schemas=True)
    assert state.failures == ()
    assert state.labels == ["tenants/tenant_a", "tenants/tenant_b"]
    assert state.sets[0].applied == {MigrationKey("crm", "0001_initial")}
    assert len(state.sets[1].rows) == 10
    # The alias of the settings, in one schema through its search_path option.
    env = {**pg_cluster.django_env(pg_database), "SAMPLE_DB_SCHEMA": "tenant_a"}
    for key, value in env.items():
        os.environ[key] = value
    try:
        state = collect_applied(history_shop, database="default")
    finally:
        for key in env:
            del os.environ[key]
    assert state.failures == ()
    assert state.sets[0].applied == {MigrationKey("crm", "0001_initial")}
    assert state.sets[0].source == (
        f"alias 'default' of shopsite.settings (postgresql postgresql://postgres@127.0.0.1:{pg_cluster.port}/"
        f"{pg_database})"
    )


def test_schema_names_patterns_and_failures(history_shop: Path, pg_cluster, pg_database: str) -> None:
    make_tenants(
        pg_cluster,
        pg_database,
        {
            "public": [("crm", "0001_initial")],
            "tenant_1": [("crm", "0001_initial"), ("crm", "0002_customer_age")],
            "tenant_2": [],
            "Tenant Odd": [("sales", "0001_initial")],
        },
    )
    pg_cluster.execute(pg_database, "CREATE SCHEMA no_table")
    dsn = f"db={pg_cluster.dsn(pg_database)}"
    state = collect_applied(history_shop, dsns=[dsn], schemas=["tenant_*", "Tenant Odd", "no_table", "missing"])
    assert state.labels == ["db/Tenant Odd", "db/tenant_1", "db/tenant_2"]
    assert state.sets[0].applied == {MigrationKey("sales", "0001_initial")}
    assert state.sets[2].rows == ()
    assert [(f.label, f.message) for f in state.failures] == [
        ("db/no_table", "no django_migrations table in this schema (or no such schema)"),
        ("db/missing", "no django_migrations table in this schema (or no such schema)"),
    ]
    state = collect_applied(history_shop, dsns=[dsn], schemas="other_*")
    assert [(f.label, f.message) for f in state.failures] == [
        ("db", "no schema holds a django_migrations table (other_*)")
    ]
    state = collect_applied(history_shop, dsns=[dsn])
    assert state.labels == ["db"]
    assert state.sets[0].applied == {MigrationKey("crm", "0001_initial")}


def test_missing_table_and_unknown_database(history_shop: Path, pg_cluster, pg_database: str) -> None:
    state = collect_applied(
        history_shop, dsns=[f"fresh={pg_cluster.dsn(pg_database)}", f"nodb={pg_cluster.dsn('no_such_db')}"]
    )
    assert state.sets == ()
    assert [(f.label, f.message) for f in state.failures] == [
        ("fresh", "no django_migrations table on the search path"),
        (
            "nodb",
            f'cannot connect: connection failed: connection to server at "127.0.0.1", port {pg_cluster.port} '
            'failed: FATAL: database "no_such_db" does not exist',
        ),
    ]
    state = collect_applied(history_shop, dsns=[f"fresh={pg_cluster.dsn(pg_database)}"], all_schemas=True)
    assert [(f.label, f.message) for f in state.failures] == [
        ("fresh", "no schema holds a django_migrations table (all schemas)")
    ]


def test_wrong_password_and_unreachable_hosts_never_show_the_password(history_shop: Path, pg_cluster, caplog) -> None:
    secret = "Sup3r-Secret_pw"
    caplog.set_level(logging.DEBUG)
    dsns = [
        f"wrong={pg_cluster.dsn('postgres', password=secret)}",
        f"refused=postgresql://app:{secret}@127.0.0.1:1/shop",
        f"nohost=postgresql://app:{secret}@no-such-host.invalid/shop",
        f"kv=host=127.0.0.1 port={pg_cluster.port} user=postgres password={secret} dbname=postgres",
    ]
    state = collect_applied(history_shop, dsns=dsns)
    assert state.sets == ()
    messages = {f.label: f.message for f in state.failures}
    assert messages["wrong"] == (
        f'cannot connect: connection failed: connection to server at "127.0.0.1", port {pg_cluster.port} failed: '
        'FATAL: password authentication failed for user "postgres"'
    )
    assert messages["refused"].startswith(
        'cannot connect: connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused'
    )
    assert messages["nohost"].startswith("cannot connect:")
    assert [f.source for f in state.failures] == [
        f"postgresql://postgres:***@127.0.0.1:{pg_cluster.port}/postgres",
        "postgresql://app:***@127.0.0.1:1/shop",
        "postgresql://app:***@no-such-host.invalid/shop",
        f"host=127.0.0.1 port={pg_cluster.port} user=postgres password=*** dbname=postgres",
    ]
    everything = repr(state) + "".join(str(f) for f in state.failures) + caplog.text
    assert secret not in everything


def test_reads_in_a_read_only_transaction_and_writes_nothing(history_shop: Path, pg_cluster, pg_database: str) -> None:
    """Every statement squashkit sends is logged (log_statement=all for its role): none writes."""
    make_tenants(pg_cluster, pg_database, {"public": [("crm", "0001_initial")], "tenant_1": [("crm", "0001_initial")]})
    role = "reader_" + pg_database
    pg_cluster.execute("postgres", f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD 'reader-pw'")
    pg_cluster.execute("postgres", f"ALTER ROLE {role} SET log_statement = 'all'")
    before = pg_cluster.execute(pg_database, "SELECT * FROM public.django_migrations ORDER BY id")
    log = pg_cluster.base / "server.log"
    start = log.stat().st_size
    dsn = f"postgresql://{role}:reader-pw@127.0.0.1:{pg_cluster.port}/{pg_database}"
    for kwargs in ({}, {"all_schemas": True}):
        state = collect_applied(history_shop, dsns=[dsn], **kwargs)
        assert state.failures == ()
    pg_cluster.execute("postgres", f"DROP ROLE {role}")
    with log.open(encoding="utf-8", errors="replace") as handle:
        handle.seek(start)
        # "statement: ..." (simple protocol) or "execute <unnamed>: ..." (extended protocol, pipelined reads)
        statements = [m.group(1).strip() for m in map(LOGGED.search, handle) if m]
    kinds = [s.split()[0].upper() for s in statements if not s.startswith(("DROP ROLE", "SELECT * FROM public"))]
    # search path: one SELECT; all schemas: the catalog, then one SELECT per schema in one pipelined batch
    assert kinds == [
        "BEGIN",
        "SET",
        "SET",
        "SELECT",
        "ROLLBACK",
        "BEGIN",
        "SET",
        "SET",
        "SELECT",
        "SELECT",
        "SELECT",
        "ROLLBACK",
    ]
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN READ ONLY", "BEGIN READ ONLY"]
    assert pg_cluster.execute(pg_database, "SELECT * FROM public.django_migrations ORDER BY id") == before


@pytest.mark.parametrize("pipeline", [True, False])
def test_pipelined_and_union_reads_agree(pg_cluster, pg_database: str, pipeline: bool) -> None:
    tenants = {f"t{i}": [("crm", "0001_initial"), ("crm", "0002_customer_age")][: i % 3] for i in range(6)}
    make_tenants(pg_cluster, pg_database, tenants)
    sets, failures = read_postgres(
        pg_cluster.conninfo(pg_database), "db", "src", SchemaSelection(all=True), pipeline=pipeline
    )
    assert failures == []
    assert {s.schema: [r.key for r in s.rows] for s in sets} == {
        schema: [MigrationKey(*row) for row in rows] for schema, rows in tenants.items()
    }


def test_a_schema_the_role_may_not_read_is_reported_alone(pg_cluster, pg_database: str, tmp_path: Path) -> None:
    make_tenants(pg_cluster, pg_database, {"t1": [("crm", "0001_initial")], "t2": [], "secret": []})
    role = "monitor_" + pg_database
    pg_cluster.execute("postgres", f"CREATE ROLE {role} LOGIN PASSWORD 'monitor-pw'")
    pg_cluster.execute(
        pg_database,
        f"GRANT USAGE ON SCHEMA t1, t2, secret TO {role}; GRANT SELECT ON t1.django_migrations, "
        f"t2.django_migrations TO {role}",
    )
    try:
        dsn = f"m=postgresql://{role}:monitor-pw@127.0.0.1:{pg_cluster.port}/{pg_database}"
        state = collect_applied(tmp_path, dsns=[dsn], all_schemas=True)
    finally:
        pg_cluster.execute(pg_database, f"DROP OWNED BY {role}")
        pg_cluster.execute("postgres", f"DROP ROLE {role}")
    assert state.labels == ["m/t1", "m/t2"]
    assert [(f.label, f.message) for f in state.failures] == [
        ("m/secret", "permission denied: cannot read secret.django_migrations")
    ]
    assert "monitor-pw" not in repr(state)


def test_locked_django_migrations_is_unreachable_after_the_lock_timeout(
    history_shop: Path, pg_cluster, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection holds ACCESS EXCLUSIVE on django_migrations (as a running migrate may): the source
    is reported unreachable with the reason after $SQUASHKIT_LOCK_TIMEOUT seconds, and the others go on."""
    import time

    make_tenants(pg_cluster, pg_database, {"public": [("crm", "0001_initial")]})
    snapshot = tmp_path / "prod.json"
    snapshot.write_text(
        '{"format": "squashkit-history-snapshot", "version": 1, "env": "prod", "taken": null,'
        ' "sets": [{"schema": null, "source": "db", "rows": [{"app": "crm", "name": "0001_initial"}]}]}'
    )
    monkeypatch.setenv("SQUASHKIT_LOCK_TIMEOUT", "1")
    holder = pg_cluster.connect(pg_database)
    try:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        state = collect_applied(
            history_shop, dsns=[f"staging={pg_cluster.dsn(pg_database)}"], snapshots=[f"prod={snapshot}"]
        )
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert elapsed < 15
    [failure] = state.failures
    assert failure.label == "staging"
    assert failure.message == (
        "django_migrations is locked by another session (waited 1 s; a running migrate or maintenance job?); "
        "set $SQUASHKIT_LOCK_TIMEOUT to wait longer"
    )
    assert [s.label for s in state.sets] == ["prod"]
