"""``squashkit squash run``: dry run, --write through the change set after the proof, refusals, real migrate runs.

Every test works on a copy of ``tests/fixtures/squash_shop`` (or sample_project); proofs migrate temporary
SQLite (and PostgreSQL) databases, so each run here costs a few Django processes: they are shared per module.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from squashkit.graph.static import load_static
from tests.graph.helpers import copy_fixture

SQUASH = "shop/migrations/0001_squashed_0006_alter_item_name.py"


def manage(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLE_DB_")}
    return subprocess.run(
        [sys.executable, "-B", "manage.py", *args], cwd=root, capture_output=True, text=True, env=env, check=False
    )


def applied(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT app, name FROM django_migrations WHERE app = 'shop'"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A shop copy migrated to 0003 (kept as before.sqlite3), then `squash run shop 0006 --write`."""
    from squashkit.cli import cli

    root = copy_fixture("squash_shop", tmp_path_factory.mktemp("written"))
    assert manage(root, "migrate", "shop", "0003", "-v0").returncode == 0
    (root / "db.sqlite3").rename(root / "before.sqlite3")
    from click.testing import CliRunner

    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(cli, ["squash", "run", "-C", str(root), "shop", "0006", "--write"])
    second = runner.invoke(cli, ["squash", "run", "-C", str(root), "shop", "0006"])
    return {"root": root, "result": result, "second": second}


def test_write_proves_then_writes(written: dict[str, Any]) -> None:
    result, root = written["result"], written["root"]
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(
        "shop: 0001_initial .. 0006_alter_item_name -> shop/migrations/0001_squashed_0006_alter_item_name.py\n"
        "    (6 migrations, 6 operations -> 5; optimize)\n"
        "    dependencies: none\n"
        "    copied `fill_prices` from shop/migrations/0003_fill_prices.py:16\n"
        "    needs porting: `remember_codes` uses module-level `CACHE`, line 3, which the module modifies\n"
        "      (line 9) (shop/migrations/0005_remember_codes.py)\n\nproof: passed ("
    )
    assert "  fresh migrate on SQLite: ok\n" in out
    assert "  final state on SQLite: ok\n" in out
    assert "  makemigrations --check on SQLite: ok\n" in out
    assert "  migrated to shop.0003_fill_prices before the squash on SQLite: ok\n" in out
    assert out.endswith("\nWrote 1 file(s).\n")
    text = (root / SQUASH).read_text()
    golden = Path(__file__).resolve().parent.parent / "golden" / "squash" / "0001_squashed_0006_alter_item_name.py"
    assert text.split("\n", 1)[1] == golden.read_text().split("\n", 1)[1]


def test_django_migrates_empty_and_earlier_databases(written: dict[str, Any]) -> None:
    root = written["root"]
    fresh = manage(root, "migrate", "-v0")
    assert fresh.returncode == 0, fresh.stderr
    assert ("shop", "0001_squashed_0006_alter_item_name") in applied(root / "db.sqlite3")
    (root / "db.sqlite3").unlink()
    os.replace(root / "before.sqlite3", root / "db.sqlite3")
    later = manage(root, "migrate", "-v0")
    assert later.returncode == 0, later.stderr
    names = {name for _app, name in applied(root / "db.sqlite3")}
    assert {"0004_item_code", "0005_remember_codes", "0006_alter_item_name"} <= names
    assert manage(root, "makemigrations", "--check", "--dry-run").returncode == 0


def test_analyze_shows_the_squash_and_a_second_run_refuses(written: dict[str, Any]) -> None:
    project = load_static(written["root"])
    squash = project.migrations[("shop", "0001_squashed_0006_alter_item_name")]
    assert [k.name for k in squash.replaces][-1] == "0006_alter_item_name"
    second = written["second"]
    assert second.exit_code == 0
    assert second.stdout == (
        "shop: 0001_initial .. 0006_alter_item_name is squashed already\n"
        "    (shop.0001_squashed_0006_alter_item_name): nothing to do\n"
    )


PLANTED_OPERATION = '''from django.db import migrations


class AddFieldFolded(migrations.AddField):
    """Planted bug: claims that an AlterField of its field cancels both, so the optimizer drops the field."""

    def reduce(self, operation, app_label):
        if isinstance(operation, migrations.AlterField) and self.is_same_field_operation(operation):
            return []
        return super().reduce(operation, app_label)
'''


def _plant(root: Path) -> None:
    (root / "shop" / "operations.py").write_text(PLANTED_OPERATION)
    migrations = root / "shop" / "migrations"
    (migrations / "0007_item_sold.py").write_text(
        "from django.db import migrations, models\n\nimport shop.operations\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = [('shop', '0006_alter_item_name')]\n"
        "    operations = [shop.operations.AddFieldFolded(model_name='item', name='sold', "
        "field=models.BooleanField(default=False))]\n"
    )
    (migrations / "0008_alter_item_sold.py").write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = [('shop', '0007_item_sold')]\n"
        "    operations = [migrations.AlterField(model_name='item', name='sold', "
        "field=models.BooleanField(default=True))]\n"
    )
    models = root / "shop" / "models.py"
    models.write_text(models.read_text() + "    sold = models.BooleanField(default=True)\n")


def test_planted_wrong_fold_is_refused_by_the_proof(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    root = copy_fixture("squash_shop", tmp_path)
    _plant(root)
    assert manage(root, "makemigrations", "--check", "--dry-run").returncode == 0
    result = run_cli("squash", "run", "-C", root, "shop", "0004", "0008", "--write")
    assert result.exit_code == 1
    out = result.stdout
    assert "proof: FAILED" in out
    assert "  fresh migrate on SQLite: differs\n    - shop_item.sold: bool not null\n" in out
    assert "    - shop.item field sold: models.BooleanField(default=True)\n" in out
    assert "makemigrations would write: shop: Add field sold to item" in out
    assert out.endswith("\nNothing written: the proof failed.\n")
    assert not (root / "shop" / "migrations" / "0004_item_code_squashed_0008_alter_item_sold.py").exists()


def test_dry_run_json(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    root = copy_fixture("squash_shop", tmp_path)
    result = run_cli("squash", "run", "-C", root, "shop", "0002", "0004", "--no-proof", "--format", "json")
    assert result.exit_code == 1  # pending
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["proof"] is None and data["written"] == []
    (squash,) = data["squashes"]
    assert squash["squash"] == "shop.0002_item_price_squashed_0004_item_code"
    assert squash["dependencies"] == ["shop.0001_initial"]
    assert squash["ports"] == [
        {"function": "fill_prices", "source": "shop.0003_fill_prices", "status": "copied", "reason": "",
         "path": "shop/migrations/0003_fill_prices.py", "line": 16},
    ]  # fmt: skip
    assert data["diff"].startswith("--- /dev/null\n+++ b/shop/migrations/0002_item_price_squashed_0004_item_code.py\n")
    assert not (root / "shop" / "migrations" / "0002_item_price_squashed_0004_item_code.py").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: squash run needs APP [START] END, or --plan\n"),
        (("--plan", "a", "b"), "error: squash run --plan takes at most the project folder\n"),
        (("nope", "0001"), "error: No app with label 'nope' (known apps: shop)\n"),
    ],
)
def test_usage_errors(tmp_path: Path, run_cli: Callable[..., Any], args: tuple[str, ...], message: str) -> None:
    root = copy_fixture("squash_shop", tmp_path)
    result = run_cli("squash", "run", "-C", root, *args)
    assert (result.exit_code, result.stderr) == (2, message)


@pytest.mark.postgres
def test_proof_on_postgresql(tmp_path: Path, run_cli: Callable[..., Any], pg_cluster: Any) -> None:
    root = copy_fixture("squash_shop", tmp_path)
    result = run_cli("squash", "run", "-C", root, "shop", "0006", "--proof-dsn", pg_cluster.dsn("postgres"))
    assert result.exit_code == 1, result.output  # a dry run: pending
    assert f"  fresh migrate on PostgreSQL {pg_cluster.host}:{pg_cluster.port}: ok\n" in result.stdout
    assert "proof: passed" in result.stdout
    assert pg_cluster.password not in result.stdout


@pytest.mark.postgres
def test_proof_on_a_local_cluster(tmp_path: Path, run_cli: Callable[..., Any], pg_cluster: Any) -> None:
    """No server given: --local-postgres starts one for the proof (SQLite and PostgreSQL both proven)."""
    root = copy_fixture("squash_shop", tmp_path)
    result = run_cli("squash", "run", "-C", root, "shop", "0006", "--local-postgres")
    assert result.exit_code == 1, result.output  # a dry run: pending
    assert "  fresh migrate on PostgreSQL 127.0.0.1:" in result.stdout
    assert "  fresh migrate on SQLite" in result.stdout
    assert "proof: passed" in result.stdout


def test_local_postgres_is_for_the_proof(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    root = copy_fixture("squash_shop", tmp_path)
    result = run_cli("squash", "run", "-C", root, "shop", "0006", "--local-postgres", "--no-proof")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --local-postgres is for the proof: it cannot be combined with --no-proof\n",
    )


# -- acceptance on sample_project: squash run --plan --write ------------------------------------------------


@pytest.fixture(scope="module")
def sample_squashed(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A sample_project copy with its dependencies narrowed (``deps --fix``: while replaced files remain,
    Django re-points their dependencies to the squash), two databases migrated before the squash (fully, and
    inventory to 0016), then ``squash run --plan --write`` (proven on SQLite, and PostgreSQL when available)."""
    plan_squashes = pytest.importorskip("squashkit.squash.plan").plan_squashes
    from click.testing import CliRunner

    from squashkit.cli import cli
    from tests.conftest import SAMPLE_PROJECT, copy_project

    root = copy_project(SAMPLE_PROJECT, tmp_path_factory.mktemp("sample") / "sample_project")
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    fixed = runner.invoke(cli, ["deps", str(root), "--fix", "--assume-unapplied"])
    assert fixed.exit_code == 0, fixed.output
    assert manage(root, "migrate", "-v0").returncode == 0
    os.replace(root / "db.sqlite3", root / "full.sqlite3")
    assert manage(root, "migrate", "inventory", "0016", "-v0").returncode == 0
    os.replace(root / "db.sqlite3", root / "partial.sqlite3")
    planned = plan_squashes(load_static(root)).ranges
    args = ["squash", "run", "-C", str(root), "--plan", "--write"]
    pg = None
    try:
        pg = request.getfixturevalue("pg_cluster")
        args += ["--proof-dsn", pg.dsn("postgres")]
    except pytest.skip.Exception:
        pass
    result = runner.invoke(cli, args)
    second = runner.invoke(cli, ["squash", "run", "-C", str(root), "--plan"])
    return {"root": root, "planned": planned, "result": result, "second": second, "pg": pg}


def test_plan_write_squashes_every_planned_range(sample_squashed: dict[str, Any]) -> None:
    result, planned = sample_squashed["result"], sample_squashed["planned"]
    assert result.exit_code == 0, result.output
    assert len(planned) >= 3
    assert result.stdout.endswith(f"\nWrote {len(planned)} file(s).\n")
    assert "proof: passed" in result.stdout
    assert "  fresh migrate on SQLite: ok\n" in result.stdout
    pg = sample_squashed["pg"]
    if pg is not None:
        assert f"  fresh migrate on PostgreSQL {pg.host}:{pg.port}: ok\n" in result.stdout
    root = sample_squashed["root"]
    for squash_range in planned:
        assert (root / squash_range.app / "migrations" / f"{squash_range.name}.py").exists() or any(
            p.name == f"{squash_range.name}.py" for p in root.glob("*/migrations/*.py")
        )


def test_django_migrates_sample_databases_after_the_squash(sample_squashed: dict[str, Any]) -> None:
    root = sample_squashed["root"]
    assert manage(root, "migrate", "-v0").returncode == 0  # an empty database
    for name in ("full.sqlite3", "partial.sqlite3"):
        os.replace(root / name, root / "db.sqlite3")
        migrated = manage(root, "migrate", "-v0")
        assert migrated.returncode == 0, (name, migrated.stderr)
        plan = manage(root, "showmigrations", "--plan")
        assert "[ ]" not in plan.stdout, (name, plan.stdout)
    assert manage(root, "makemigrations", "--check", "--dry-run").returncode == 0


def test_analyze_shows_the_squashes_and_a_second_run_plans_nothing(
    sample_squashed: dict[str, Any], run_cli: Callable[..., Any]
) -> None:
    root, planned = sample_squashed["root"], sample_squashed["planned"]
    analyzed = json.loads(run_cli("analyze", root, "--format", "json").stdout)
    squashed = {a["app"]: a["squashed"] for a in analyzed["apps"]}
    for app in {r.app for r in planned}:
        assert squashed[app] == sum(1 for r in planned if r.app == app) + (1 if app == "billing" else 0)
    second = sample_squashed["second"]
    assert (second.exit_code, second.stdout) == (0, "sample_project: nothing to squash.\n")


def test_run_help_says_what_settings_are_for(run_cli) -> None:
    """squash run reads migrations statically: --settings writes and proves the squash with Django."""
    text = " ".join(run_cli("squash", "run", "--help").stdout.split())
    assert "instead of statically" not in text
    assert "to write and prove the squash with Django and to read the default database" in text
