"""sample_project migrated to different points per environment (real SQLite files, a real PostgreSQL 15 with
tenant schemas); squashkit's applied / pending views equal Django's own ``MigrationLoader`` on each database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from squashkit.graph.django_loader import django_graph
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.history import collect_applied
from squashkit.history.report import history_report
from tests.conftest import SAMPLE_PROJECT
from tests.history.shop import db_env, migrate

pytestmark = [
    pytest.mark.django,
    pytest.mark.skipif(not (SAMPLE_PROJECT / "manage.py").is_file(), reason="sample_project has not landed yet"),
]

SETTINGS = "sample_project.settings"
SQUASH = "0001_squashed_0004_alter_invoice_amount"


def django_view(root: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[set, set]:
    """Django's applied migrations and pending nodes of the project's apps, on the database ``env`` names."""
    with monkeypatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        graph = django_graph(root, SETTINGS, "default", isolate=True)
    assert graph.error is None
    project_apps = set(load_static(root).project_apps)
    applied = {k for k in graph.applied if k.app_label in project_apps}
    pending = {k for k in graph.nodes if k.app_label in project_apps} - applied
    return applied, pending


def test_sqlite_environments_agree_with_django(sample_copy: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    root = sample_copy
    dbs = {"ci": root / "ci.db", "local": root / "local.db", "old": root / "old.db"}
    migrate(root, [("sales_orders", "0005_orderline")], db_env(name=str(dbs["ci"])))
    migrate(root, None, db_env(name=str(dbs["local"])))
    squash = root / "billing/migrations" / f"{SQUASH}.py"
    source = squash.read_text()
    squash.unlink()  # a database that applied billing 0001-0002 before the squash existed
    migrate(root, [("billing", "0002_invoice_amount")], db_env(name=str(dbs["old"])))
    squash.write_text(source)
    (root / "pyproject.toml").write_text(
        "[tool.squashkit.environments]\n" + "".join(f'{name} = "sqlite:///{path.name}"\n' for name, path in dbs.items())
    )
    state = collect_applied(root, all_envs=True)
    assert state.failures == ()
    report = history_report(load_static(root), state)
    for status in report.statuses:
        applied, pending = django_view(root, db_env(name=str(dbs[status.label])), monkeypatch)
        assert set(status.applied) == applied, status.label
        assert set(status.pending) == pending, status.label
    local = report.statuses[1]
    assert local.pending == ()
    assert MigrationKey("billing", SQUASH) in local.applied
    assert [(f.code, f.labels) for f in report.findings] == [("SK402", ("old",))]
    result = run_cli("history", "show", root, "--all-envs", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [s["label"] for s in data["sets"]] == ["ci", "local", "old"]
    row = next(r for r in data["matrix"]["rows"] if r["migration"] == f"billing.{SQUASH}")
    assert row["states"] == {"ci": "pending", "local": "applied", "old": "unused"}


@pytest.mark.postgres
def test_postgresql_staging_and_tenant_schemas_agree_with_django(
    sample_copy: Path, run_cli, pg_cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sample_copy
    pg_cluster.create_database("sample_staging")
    pg_cluster.create_database("sample_tenants")
    migrate(root, [("inventory", "0012_reservation")], pg_cluster.django_env("sample_staging"))
    points = {
        "tenant_a": [("accounts", "0001_initial")],
        "tenant_b": None,
        "tenant_c": [("purchase_orders", "0004_purchaseorder_sales_order")],
    }
    pg_cluster.execute("sample_tenants", "; ".join(f"CREATE SCHEMA {schema}" for schema in points))
    for schema, targets in points.items():
        # libpq's PGOPTIONS puts Django in the tenant schema, the way tenant routers set search_path
        migrate(root, targets, {**pg_cluster.django_env("sample_tenants"), "PGOPTIONS": f"-c search_path={schema}"})
    (root / "pyproject.toml").write_text(
        "[tool.squashkit.environments.staging]\n"
        'dsn_env = "SAMPLE_STAGING_URL"\n'
        "[tool.squashkit.environments.tenants]\n"
        'dsn_env = "SAMPLE_TENANTS_URL"\n'
        'schemas = ["tenant_*"]\n'
    )
    monkeypatch.setenv("SAMPLE_STAGING_URL", pg_cluster.dsn("sample_staging"))
    monkeypatch.setenv("SAMPLE_TENANTS_URL", pg_cluster.dsn("sample_tenants"))
    state = collect_applied(root, all_envs=True)
    assert state.failures == ()
    assert state.labels == ["staging", "tenants/tenant_a", "tenants/tenant_b", "tenants/tenant_c"]
    report = history_report(load_static(root), state)
    for status in report.statuses:
        env = pg_cluster.django_env("sample_staging" if status.label == "staging" else "sample_tenants")
        if status.set.schema:
            env["PGOPTIONS"] = f"-c search_path={status.set.schema}"
        applied, pending = django_view(root, env, monkeypatch)
        assert set(status.applied) == applied, status.label
        assert set(status.pending) == pending, status.label
    assert report.findings == ()
    result = run_cli("history", "show", root, "--env", "tenants", "--format", "markdown", "--app", "accounts")
    assert result.exit_code == 0, result.stderr
    assert "| accounts.0001_initial | ✓ | ✓ | ✓ |" in result.stdout
    assert "| accounts.0002_user_phone | · | ✓ | · |" in result.stdout
    assert pg_cluster.password not in result.stdout + result.stderr
