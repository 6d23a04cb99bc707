"""``squashkit verify`` on sample_project copies: passes as it is; a broken copy fails with each finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.verify import VerifyReport, rollback_targets, run_verify
from tests.conftest import SAMPLE_PROJECT, copy_project

SETTINGS = "sample_project.settings"
K = MigrationKey

WRONG_REVERSE = """from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_phone'),
    ]

    operations = [
        migrations.RunSQL(
            sql="UPDATE accounts_user SET first_name = TRIM(first_name)",
            reverse_sql="ALTER TABLE accounts_user DROP COLUMN phone",
        ),
    ]
"""

IRREVERSIBLE = """from django.db import migrations


def fill(apps, schema_editor):
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_alter_customer_email'),
    ]

    operations = [
        migrations.RunPython(fill),
    ]
"""


def verify_cli(root: Path, *args: str) -> tuple[int, dict, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLE_DB_")}
    proc = subprocess.run(
        [sys.executable, "-m", "squashkit", "verify", str(root), "--settings", SETTINGS, "--format", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}, proc.stderr


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict, str]:
    root = copy_project(SAMPLE_PROJECT, tmp_path_factory.mktemp("verify") / "sample_project")
    return root, *verify_cli(root)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, VerifyReport]:
    """One copy with three faults in three apps: a model change without a migration (inventory), a newest
    migration whose reverse_sql drops a column (accounts), an irreversible RunPython (customers)."""
    root = copy_project(SAMPLE_PROJECT, tmp_path_factory.mktemp("verify") / "sample_project")
    models = root / "inventory" / "models.py"
    models.write_text(
        models.read_text().replace(
            "    capacity = models.PositiveIntegerField(default=0)\n",
            "    capacity = models.PositiveIntegerField(default=0)\n"
            "    region = models.CharField(max_length=20, default='')\n",
        )
    )
    (root / "accounts" / "migrations" / "0003_wrong_reverse.py").write_text(WRONG_REVERSE)
    (root / "crm" / "migrations" / "0005_fill.py").write_text(IRREVERSIBLE)
    report = run_verify(load_static(root), SETTINGS)
    return root, report


def test_verify_passes_on_sample_project_sqlite(clean):
    root, code, out, err = clean
    assert code == 0, err
    assert out["schema_version"] == 1
    assert out["passed"] is True
    assert [(s["step"], s["database"], s["status"]) for s in out["steps"]] == [
        ("makemigrations", None, "passed"),
        ("graph", None, "passed"),
        ("migrate", "SQLite", "passed"),
        ("rollback", "SQLite", "warning"),
    ]
    (run,) = out["migrate"]
    assert sum(a["migrations"] for a in run["apps"]) == 84
    assert len(run["slowest"]) == 5
    assert run["rolled_back"] == [
        "accounts.0002_user_phone",
        "billing.0007_mark_paid_invoices",
        "customers.0004_alter_customer_email",
        "inventory.0032_remove_warehouse_city",
        "purchase_orders.0012_purchaseorder_currency",
        "sales_orders.0016_order_shipped_at",
    ]
    assert run["rolled_back_together"] == 6  # the leaves in one batch, the rest (irreversible) in another
    # Rolling back sales_orders' newest migration unapplies purchase_orders' migrations that depend on it,
    # down to an irreversible RunPython: reported (a warning), not a failure.
    (finding,) = out["findings"]
    assert finding == {
        "code": "SK605",
        "name": "irreversible-migration",
        "severity": "warning",
        "message": "rolling back sales_orders.0016_order_shipped_at unapplies purchase_orders.0008_fill_references,"
        " which cannot be rolled back: RunPython has no reverse",
        "path": "purchase_orders/migrations/0008_fill_references.py",
        "line": 20,
        "migration": "purchase_orders.0008_fill_references",
        "database": "SQLite",
        "details": [],
    }
    assert "verify: fresh migrate on a new SQLite database" in err  # progress on stderr
    assert not (root / "db.sqlite3").exists()
    assert list(root.rglob("__pycache__")) == []


def test_a_model_change_without_a_migration_fails(broken):
    _root, report = broken
    (finding,) = [f for f in report.findings if f.code == "SK601"]
    assert finding.message == (
        "app inventory has model changes without a migration (models: warehouse);"
        " makemigrations would write inventory/migrations/0033_warehouse_region.py"
    )
    assert finding.details == ("Add field region to warehouse",)
    assert report.exit_code == 1


def test_a_reverse_sql_that_loses_a_column_fails_the_rollback_with_the_difference(broken):
    root, report = broken
    found = [f for f in report.findings if f.code == "SK604"]
    assert [(f.message, f.details) for f in found] == [
        (
            "rolling back accounts.0003_wrong_reverse does not restore the schema it was applied on",
            ("table accounts_user: column phone (varchar(30) NOT NULL) only before applying",),
        ),
        (
            "after rolling back accounts.0003_wrong_reverse and migrating again the schema differs from the migrated"
            " one",
            ("table accounts_user: column phone (varchar(30) NOT NULL) only migrated",),
        ),
    ]
    assert found[0].path == root / "accounts" / "migrations" / "0003_wrong_reverse.py"
    assert [f for f in report.findings if f.code == "SK606"] == []
    assert [s.status for s in report.steps if s.name == "rollback"] == ["failed"]


def test_an_irreversible_run_python_is_reported_with_its_line(broken):
    root, report = broken
    found = [f for f in report.findings if f.code == "SK605" and f.migration == K("customers", "0005_fill")]
    (finding,) = found
    assert finding.message == "customers.0005_fill cannot be rolled back: RunPython has no reverse"
    assert (finding.path, finding.line) == (root / "crm" / "migrations" / "0005_fill.py", 15)


def test_rollback_targets_since_a_git_revision(tmp_path: Path):
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    (root / "crm" / "migrations" / "0005_fill.py").write_text(IRREVERSIBLE)
    path = root / "inventory" / "migrations" / "0030_reset_reorder_levels.py"
    path.write_text(path.read_text() + "\n")
    from squashkit.verify import changed_since

    project = load_static(root)
    assert rollback_targets(project, changed_since(root, "HEAD")) == [
        K("customers", "0005_fill"),
        K("inventory", "0030_reset_reorder_levels"),
    ]


def test_rollback_targets_of_some_apps(tmp_path: Path, run_cli):
    """--app restricts the rollback step to those apps; an unknown label is an error before anything runs."""
    project = load_static(SAMPLE_PROJECT)
    everything = rollback_targets(project, None)
    assert {k.app_label for k in everything} == set(project.project_apps)
    some = rollback_targets(project, None, ["billing", "customers"])
    assert some == [k for k in everything if k.app_label in ("billing", "customers")]
    assert {k.app_label for k in some} == {"billing", "customers"}
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    result = run_cli("verify", root, "--settings", SETTINGS, "--app", "nope")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: No app with label 'nope' (known apps: accounts, billing, customers, inventory, purchase_orders, "
        "sales_orders)\n"
    )


def test_verify_needs_settings_and_a_server_for_schemas(tmp_path: Path, run_cli):
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    result = run_cli("verify", root, "--settings", SETTINGS, "--schemas", "3")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --schemas needs PostgreSQL: pass --dsn or --local-postgres\n",
    )


def test_verify_takes_a_server_or_a_local_cluster_not_both(tmp_path: Path, run_cli):
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    result = run_cli("verify", root, "--settings", SETTINGS, "--dsn", "postgresql://u@h/postgres", "--local-postgres")
    assert (result.exit_code, result.stderr) == (2, "error: pass either --dsn or --local-postgres, not both\n")


def test_local_postgres_without_server_binaries_stops_before_any_step(tmp_path: Path, run_cli):
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    empty = tmp_path / "no-bin"
    empty.mkdir()
    result = run_cli("verify", root, "--settings", SETTINGS, "--local-postgres", env={"SQUASHKIT_PG_BIN": str(empty)})
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: cannot start a throwaway PostgreSQL cluster: no PostgreSQL server binaries (initdb, pg_ctl) in "
        f"SQUASHKIT_PG_BIN ({empty})\n"
    )


@pytest.mark.postgres
def test_verify_on_a_local_cluster_it_starts_and_removes(tmp_path: Path, pg_cluster):
    """No server given: ``--local-postgres`` starts one (initdb + pg_ctl; as root the server runs as the
    postgres user), runs the PostgreSQL steps and its throwaway schemas there, and removes it."""
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    code, out, err = verify_cli(root, "--local-postgres", "--schemas", "1")
    assert code == 0, err + json.dumps(out, indent=1)
    assert [(s["step"], s["database"]) for s in out["steps"]][2:] == [
        ("migrate", "SQLite"),
        ("rollback", "SQLite"),
        ("migrate", "PostgreSQL"),
        ("rollback", "PostgreSQL"),
        ("schemas", "PostgreSQL"),
    ]
    assert out["migrate"][1]["database"] == "postgresql"
    started = [line for line in err.splitlines() if "throwaway PostgreSQL cluster" in line]
    assert len(started) == 1
    base = Path(started[0].split(" in ", 1)[1].split(" (port ", 1)[0])
    assert base.name.startswith("squashkit-pg-")
    assert not base.exists()


@pytest.mark.postgres
def test_verify_passes_on_postgresql_with_throwaway_schemas_and_never_touches_the_configured_database(
    tmp_path: Path, pg_cluster
):
    """The project's settings point at a database reachable only through a read-only role (a configured
    environment): verify passes without connecting to it, and it is still empty afterwards."""
    root = copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")
    pg_cluster.create_database("configured")
    pg_cluster.execute("postgres", "CREATE ROLE reader LOGIN PASSWORD 'r'")
    pg_cluster.execute("configured", "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    settings = root / "sample_project" / "settings.py"
    settings.write_text(
        settings.read_text()
        + "\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'configured',"
        f" 'HOST': '{pg_cluster.host}', 'PORT': '{pg_cluster.port}', 'USER': 'reader', 'PASSWORD': 'r'}}}}\n"
    )
    code, out, err = verify_cli(root, "--dsn", pg_cluster.dsn("postgres"), "--schemas", "2")
    assert code == 0, err + json.dumps(out, indent=1)
    assert [(s["step"], s["database"], s["status"]) for s in out["steps"]] == [
        ("makemigrations", None, "passed"),
        ("graph", None, "passed"),
        ("migrate", "SQLite", "passed"),
        ("rollback", "SQLite", "warning"),
        ("migrate", "PostgreSQL", "passed"),
        ("rollback", "PostgreSQL", "warning"),
        ("schemas", "PostgreSQL", "passed"),
    ]
    assert out["migrate"][1]["schemas"]["count"] == 2
    tables = pg_cluster.execute("configured", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert tables == [(0,)]
    leftovers = pg_cluster.execute("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'squashkit_%'")
    assert leftovers == []
    # The role really is read-only: a migrate with the configured settings fails on its first write.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLE_DB_")}
    proc = subprocess.run(
        [sys.executable, "-B", "manage.py", "migrate", "-v0"], cwd=root, env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0 and "permission denied for schema public" in proc.stderr


def tiny(root: Path, second: str) -> Path:
    """App ``shop`` (no models): 0001 creates table shop_item by RunSQL, 0002 is ``second``; no manage.py."""
    from tests.graph.helpers import make_app, write_migration, write_settings

    app = make_app(root, "shop")
    write_migration(
        app,
        "0001_initial",
        operations=["migrations.RunSQL('CREATE TABLE shop_item (id integer)', 'DROP TABLE shop_item')"],
    )
    write_migration(app, "0002_second", dependencies=[("shop", "0001_initial")], operations=[second])
    write_settings(root, ["shop"])
    return root


def test_a_conflict_fails_the_graph_step(tmp_path: Path):
    from tests.graph.helpers import copy_fixture, write_settings

    root = copy_fixture("conflicts", tmp_path)
    write_settings(root, ["blog"])
    report = run_verify(load_static(root), "settings")
    assert [(f.code, f.message) for f in report.findings] == [
        (
            "SK602",
            "conflicting migrations in blog: 0002_post_body, 0002_post_title (several leaves; makemigrations --merge)",
        )
    ]
    assert [(s.name, s.status) for s in report.steps] == [("makemigrations", "passed"), ("graph", "failed")]
    assert report.exit_code == 1


def test_a_migration_that_fails_on_a_fresh_database(tmp_path: Path):
    root = tiny(tmp_path / "p", "migrations.RunSQL('INSERT INTO no_such_table VALUES (1)', migrations.RunSQL.noop)")
    report = run_verify(load_static(root), "settings")
    (finding,) = report.findings
    assert (finding.code, finding.database) == ("SK603", "SQLite")
    assert finding.message == "a fresh migrate fails: OperationalError: no such table: no_such_table"


def test_a_rollback_that_raises(tmp_path: Path):
    root = tiny(tmp_path / "p", "migrations.RunSQL('CREATE TABLE shop_extra (id integer)', 'DROP TABLE shop_nope')")
    report = run_verify(load_static(root), "settings")
    (finding,) = report.findings
    assert (finding.code, finding.migration) == ("SK606", K("shop", "0002_second"))
    assert finding.message == ("rolling back shop.0002_second fails: OperationalError: no such table: shop_nope")
    assert finding.path == root / "shop" / "migrations" / "0002_second.py"


@pytest.mark.postgres
def test_a_migration_naming_the_public_schema_fails_in_throwaway_schemas(tmp_path: Path, pg_cluster):
    root = tiny(
        tmp_path / "p",
        "migrations.RunSQL('CREATE TABLE public.shop_shared (id integer)', 'DROP TABLE public.shop_shared')",
    )
    report = run_verify(load_static(root), "settings", dsn=pg_cluster.dsn("postgres"), schemas=2)
    assert [(f.code, f.message) for f in report.findings] == [
        ("SK603", "a fresh migrate fails: OperationalError: unknown database public"),  # SQLite has no schemas
        (
            "SK607",
            "migrating throwaway schemas fails: schema squashkit_tenant_1: ProgrammingError:"
            ' relation "shop_shared" already exists',
        ),
    ]


def test_verify_app_rolls_back_only_those_apps(tmp_path: Path, run_cli):
    from tests.verify.test_inprocess import ADD_PRICE, project

    root = project(tmp_path / "p", ADD_PRICE)
    result = run_cli("verify", root, "--settings", "settings", "--app", "shop", "--app", "news", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (run,) = json.loads(result.stdout)["migrate"]
    assert run["rolled_back"] == ["news.0002_second", "shop.0002_second"]


def test_a_missing_migration_names_the_apps_real_migrations_folder(tmp_path: Path):
    """Was (pretix: label ``pretixbase``, folder ``pretix/base``): "would write pretixbase/migrations/...",
    a folder that does not exist."""
    from tests.graph.helpers import make_app, write_migration, write_settings

    root = tmp_path / "p"
    folder = make_app(root, "shop_app", label="shop")
    (folder / "models.py").write_text(
        "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=10)\n"
    )
    write_migration(folder, "0001_initial", operations=["migrations.RunSQL('SELECT 1', 'SELECT 1')"])
    write_settings(root, ["shop_app"], extra="DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'\n")
    report = run_verify(load_static(root), "settings", select=["SK601"])
    assert [f.message for f in report.findings] == [
        "app shop has model changes without a migration (models: item); makemigrations would write "
        "shop_app/migrations/0002_initial.py"
    ]
