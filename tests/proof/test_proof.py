"""Proofs on real databases: fresh migrates of NEW temporary databases, introspection, comparison, SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import squashkit.proof as proof
from squashkit.errors import DjangoError
from squashkit.graph.model import MigrationKey
from squashkit.proof import Column, Constraint, Schema, Table, collect_sql, compare_schemas, fresh_migrate
from tests.conftest import SAMPLE_PROJECT, copy_project

SETTINGS = "sample_project.settings"
K = MigrationKey
CURRENCY = "purchase_orders/migrations/0012_purchaseorder_currency.py"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(SAMPLE_PROJECT, tmp_path_factory.mktemp("proof") / "sample_project")


@pytest.fixture(scope="module")
def sqlite_run(sample: Path) -> proof.FreshMigrate:
    return fresh_migrate(sample, SETTINGS, database="sqlite")


def test_fresh_migrate_on_a_new_sqlite_database(sample: Path, sqlite_run: proof.FreshMigrate):
    schema = sqlite_run.schema
    assert schema.vendor == "sqlite"
    assert sqlite_run.database.startswith("new SQLite file ")
    assert not (sample / "db.sqlite3").exists()  # the configured database is never created or touched
    assert {"accounts_user", "sales_orders_order", "purchase_orders_purchaseorder", "django_migrations"} <= set(
        schema.table_names
    )
    order = schema.table("sales_orders_order")
    assert order is not None
    assert order.column("status") == Column("status", "varchar(30)", False, None)
    assert order.column("shipped_at") == Column("shipped_at", "datetime", True, None)
    constraints = {c.name: c for c in order.constraints}
    assert constraints["foreign key (customer_id) -> customers_customer.id"].target == ("customers_customer", "id")
    assert constraints["unique (number)"].kind == "unique"
    assert constraints["sales_order_status_idx"] == Constraint(
        "sales_order_status_idx", "index", ("status",), None, "idx"
    )
    # Every migration of the plan ran once, timed, in apply order.
    keys = [key for key, _ in sqlite_run.timings]
    assert len(keys) == len(set(keys)) == 84
    assert keys.index(K("sales_orders", "0001_initial")) < keys.index(K("sales_orders", "0002_order_status"))
    assert all(seconds >= 0 for _, seconds in sqlite_run.timings)


def test_the_same_migrations_give_the_same_schema(sample: Path, sqlite_run: proof.FreshMigrate):
    again = proof.fresh_schema(sample, SETTINGS, database="sqlite")
    assert compare_schemas(sqlite_run.schema, again) == []
    assert Schema.from_dict(json.loads(json.dumps(again.to_dict()))) == again


def test_a_changed_migration_is_a_readable_difference(tmp_path: Path, sqlite_run: proof.FreshMigrate):
    changed = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    path = changed / CURRENCY
    path.write_text(path.read_text().replace("default='EUR', max_length=3", "default='EUR', max_length=8, null=True"))
    schema = proof.fresh_schema(changed, SETTINGS, database="sqlite")
    assert compare_schemas(sqlite_run.schema, schema, ("original", "changed")) == [
        "table purchase_orders_purchaseorder: column currency is varchar(3) NOT NULL original, varchar(8) NULL changed"
    ]


def test_a_failing_migration_names_its_file_and_line(tmp_path: Path):
    broken = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    path = broken / CURRENCY
    path.write_text(
        path.read_text().replace(
            "    operations = [\n", "    operations = [\n        migrations.RunSQL('SELECT * FROM no_such_table'),\n"
        )
    )
    with pytest.raises(DjangoError) as caught:
        fresh_migrate(broken, SETTINGS, targets=[("purchase_orders", "0012_purchaseorder_currency")])
    assert caught.value.reason == "OperationalError: no such table: no_such_table"
    assert caught.value.stage == "action"


def test_sql_of_the_whole_plan_is_collected_in_one_process(sample: Path, monkeypatch: pytest.MonkeyPatch):
    calls = []
    real = proof.run_action

    def counting(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(proof, "run_action", counting)
    sql = collect_sql(sample, SETTINGS, database="sqlite")
    assert calls == ["proof.sql"]
    assert len(sql) == 84
    assert sql[K("purchase_orders", "0012_purchaseorder_currency")][:3] == [
        "--",
        "-- Add field currency to purchaseorder",
        "--",
    ]
    assert any('CREATE TABLE "sales_orders_order"' in s for s in sql[K("sales_orders", "0001_initial")])
    fill = sql[K("purchase_orders", "0008_fill_references")]
    assert fill == ["--", "-- Raw Python operation", "--", "-- THIS OPERATION CANNOT BE WRITTEN AS SQL"]


def test_compare_schemas_names_every_kind_of_difference():
    a = Schema(
        "sqlite",
        (
            Table("t", (Column("a", "int", False), Column("b", "text", True)), (Constraint("u", "unique", ("a",)),)),
            Table("gone", ()),
        ),
    )
    b = Schema(
        "sqlite",
        (
            Table(
                "t",
                (Column("a", "bigint", False), Column("c", "int", False, "0")),
                (Constraint("u", "unique", ("a", "c")), Constraint("f", "foreign key", ("c",), ("x", "id"))),
            ),
            Table("new", ()),
        ),
    )
    assert compare_schemas(a, b, ("before", "after")) == [
        "table gone: only before",
        "table new: only after",
        "table t: column a is int NOT NULL before, bigint NOT NULL after",
        "table t: column b (text NULL) only before",
        "table t: column c (int NOT NULL DEFAULT 0) only after",
        "table t: foreign key f foreign key (c) -> x.id only after",
        "table t: unique u is unique (a) before, unique (a, c) after",
    ]
    assert compare_schemas(a, a) == []


@pytest.mark.postgres
def test_fresh_migrate_on_a_new_postgresql_database(sample: Path, pg_cluster, sqlite_run: proof.FreshMigrate):
    server = pg_cluster.dsn("postgres")
    run = fresh_migrate(sample, SETTINGS, database=server)
    assert run.schema.vendor == "postgresql"
    assert run.database.startswith(f"new PostgreSQL database postgresql://postgres@127.0.0.1:{pg_cluster.port}/")
    assert run.schema.table_names == sqlite_run.schema.table_names
    order = run.schema.table("sales_orders_order")
    assert order.column("status") == Column("status", "character varying(30)", False, None)
    assert order.column("id").type == "bigint GENERATED BY DEFAULT AS IDENTITY"
    fks = [c for c in order.constraints if c.kind == "foreign key"]
    assert sorted(c.target for c in fks) == [("accounts_user", "id"), ("customers_customer", "id")]
    assert compare_schemas(run.schema, proof.fresh_schema(sample, SETTINGS, database=server)) == []
    # The temporary databases are gone; nothing else was created on the server.
    names = [r[0] for r in pg_cluster.execute("postgres", "SELECT datname FROM pg_database")]
    assert [n for n in names if n.startswith("squashkit_proof_")] == []
    sql = collect_sql(sample, SETTINGS, database=server)
    assert any("CREATE TABLE" in s for s in sql[K("sales_orders", "0001_initial")])


STATES = """
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.postgres"])
django.setup()
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.migrations.state import ModelState, ProjectState
from squashkit.proof.inprocess import compare_states


def state(size):
    s = ProjectState()
    fields = [("id", models.AutoField(primary_key=True)), ("tags", ArrayField(models.CharField(max_length=size)))]
    s.add_model(ModelState("shop", "item", fields))
    return s


a, b, c = state(10), state(10), state(20)
print(a == b, compare_states(a, b), compare_states(a, c))
"""


def test_states_compare_without_creation_counter_noise():
    """Django's ModelState.__eq__ compares an ArrayField's base_field by creation_counter: two identical states
    built apart compare unequal; compare_states normalises every field through deconstruct()."""
    proc = subprocess.run([sys.executable, "-c", STATES], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False [] ['shop.item']"


def test_sql_collection_goes_on_after_a_migration_failing_halfway(tmp_path: Path):
    """Was: the whole collection crashed (pretix: KeyError: ('pretixbase', 'eventpermission')).  docs.0003 removes
    a field, then its AddField's default reads a table of the empty database and raises; the state was then
    replayed over the half-applied one, removing the field twice (KeyError: 'title')."""
    from tests.conftest import FIXTURES

    root = copy_project(FIXTURES / "callable_defaults", tmp_path / "callable_defaults")
    sql = collect_sql(root, "settings", database="sqlite")
    assert sql[K("docs", "0003_document_section")] == [
        "-- cannot be collected: OperationalError: no such table: catalog_collection"
    ]
    assert len(sql) == 9  # the migrations after it are collected too
    assert any('REFERENCES "catalog_collection"' in s for s in sql[K("stamps", "0003_stamp_collection")])
