"""``squashkit squash status`` and ``squashkit squash finalize`` end to end, on real databases.

A copy of sample_project gets two planted dependents of billing's replaced migrations (the golden diff shows
them rewritten): ``purchase_orders.0013_invoice_link`` depends on ``billing.0003_invoice_customer`` and
``sales_orders.0017_before_billing`` has ``run_before = [("billing", "0004_alter_invoice_amount")]``.
Environments: ``dev`` (a SQLite file) and ``staging`` (the ``tenant_a`` schema of a PostgreSQL database).
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

from squashkit.graph.static import load_static
from tests.history.shop import db_env, manage, migrate

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "finalize"
SQUASH_FILE = "billing/migrations/0001_squashed_0004_alter_invoice_amount.py"
SQUASH_TEXT = (Path(__file__).resolve().parents[2] / "sample_project" / SQUASH_FILE).read_text()
REPLACED = ["0001_initial", "0002_invoice_amount", "0003_invoice_customer", "0004_alter_invoice_amount"]

LINK = """\
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("purchase_orders", "0012_purchaseorder_currency"),
        # the invoice's customer is needed here
        ("billing", "0003_invoice_customer"),
    ]

    operations = []
"""

BEFORE = """\
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("sales_orders", "0016_order_shipped_at")]

    run_before = [
        ("billing", "0004_alter_invoice_amount"),  # before the amount changes
    ]

    operations = []
"""


def plant(root: Path) -> None:
    (root / "purchase_orders/migrations/0013_invoice_link.py").write_text(LINK)
    (root / "sales_orders/migrations/0017_before_billing.py").write_text(BEFORE)


def configure(root: Path, dev_db: Path) -> None:
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [tool.squashkit]
            settings = "sample_project.settings"

            [tool.squashkit.environments.dev]
            dsn = "sqlite:///{dev_db}"

            [tool.squashkit.environments.staging]
            dsn_env = "STAGING_DATABASE_URL"
            schemas = ["tenant_a"]
            """
        )
    )


def recorded(dev_db: Path, app: str) -> list[str]:
    with sqlite3.connect(dev_db) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM django_migrations WHERE app = ? ORDER BY name", (app,))]


@pytest.fixture
def lagging(sample_copy: Path, pg_cluster, pg_database: str, tmp_path: Path):
    """dev fully migrated; staging/tenant_a migrated to billing 0002 before the squash existed."""
    root = sample_copy
    plant(root)
    dev_db = tmp_path / "dev.sqlite3"
    migrate(root, None, db_env(name=str(dev_db)))
    pg_cluster.execute(pg_database, "CREATE SCHEMA tenant_a")
    staging = {**pg_cluster.django_env(pg_database), "SAMPLE_DB_SCHEMA": "tenant_a"}
    squash = root / SQUASH_FILE
    squash.unlink()
    migrate(root, [("billing", "0002_invoice_amount")], staging)
    squash.write_text(SQUASH_TEXT)
    configure(root, dev_db)
    env = {"STAGING_DATABASE_URL": pg_cluster.dsn(pg_database)}
    return root, dev_db, staging, env


@pytest.mark.postgres
@pytest.mark.django
def test_status_then_finalize_end_to_end(lagging, run_cli, pg_cluster, pg_database: str, tmp_path: Path) -> None:
    root, dev_db, staging, env = lagging
    assert "0001_squashed_0004_alter_invoice_amount" in recorded(dev_db, "billing")

    result = run_cli("squash", "status", root, env=env)
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines()[:6] == [
        "billing.0001_squashed_0004_alter_invoice_amount  NOT READY",
        "  replaces 4 migration(s): billing.0001_initial ...",
        "  billing.0004_alter_invoice_amount",
        "  dev: recorded",
        "  staging/tenant_a: partly applied: 0001_initial, 0002_invoice_amount applied;",
        "      0003_invoice_customer, 0004_alter_invoice_amount not",
    ]
    refused = run_cli("squash", "finalize", root, "--write", env=env)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "refused: billing.0001_squashed_0004_alter_invoice_amount: not ready:\n"
        "    staging/tenant_a: partly applied: 0001_initial, 0002_invoice_amount applied;\n"
        "    0003_invoice_customer, 0004_alter_invoice_amount not\n"
    )
    assert refused.stdout == "Nothing finalized.\n"
    assert (root / "billing/migrations/0001_initial.py").exists()

    migrate(root, None, staging)  # the lagging schema catches up; Django records the squash there
    result = run_cli("squash", "status", root, "--format", "json", env=env)
    assert result.exit_code == 0, result.stdout
    assert '"all_ready": true' in result.stdout

    dry = run_cli("squash", "finalize", root, env=env)
    assert dry.exit_code == 1  # pending changes
    diff = dry.stdout[: dry.stdout.index("Would finalize")]
    assert diff == (GOLDEN / "sample_project.diff").read_text()

    done = run_cli("squash", "finalize", root, "--write", env=env)
    assert done.exit_code == 0, done.stderr
    assert "Finalized 1 squash(es): 4 replaced file(s) deleted, 4 file(s) rewritten." in done.stdout
    assert "  dev: python manage.py --settings sample_project.settings migrate billing --prune" in done.stdout
    assert (
        "      or SQL: DELETE FROM \"tenant_a\".django_migrations WHERE app = 'billing' AND name IN "
        "('0001_initial', '0002_invoice_amount', '0003_invoice_customer', '0004_alter_invoice_amount');"
    ) in done.stdout
    for name in REPLACED:
        assert not (root / f"billing/migrations/{name}.py").exists()
    for path in (root / "billing/migrations/0001_squashed_0004_alter_invoice_amount.py",):
        assert "replaces" not in path.read_text()
    names = "\n".join(p.read_text() for p in root.glob("*/migrations/0*.py"))
    assert not any(f"'{n}'" in names or f'"{n}"' in names for n in REPLACED[1:])

    # Existing databases and an empty one migrate; the printed prune leaves no stale row.
    migrate(root, None, db_env(name=str(dev_db)))
    migrate(root, None, staging)
    migrate(root, None, db_env(name=str(tmp_path / "empty.sqlite3")))
    manage(root, "migrate", "billing", "--prune", "--noinput", env=db_env(name=str(dev_db)))
    manage(root, "migrate", "billing", "--prune", "--noinput", env=staging)
    assert recorded(dev_db, "billing") == [
        "0001_squashed_0004_alter_invoice_amount",
        "0005_invoice_paid_at",
        "0006_invoiceline",
        "0007_mark_paid_invoices",
    ]
    history = run_cli("history", "show", root, "--all-envs", env=env)
    assert history.exit_code == 0, history.stdout + history.stderr
    assert "SK403" not in history.stdout
    cross = run_cli("analyze", root, "--cross-check", env=env)
    assert cross.exit_code == 0, cross.stdout + cross.stderr

    again = run_cli("squash", "finalize", root, "--write", env=env)
    assert again.exit_code == 0
    assert again.stdout == "No squashed migration (with replaces) in the project.\n"


@pytest.mark.django
def test_applied_unrecorded_with_a_real_database(sample_copy: Path, run_cli, tmp_path: Path) -> None:
    """Every replaced migration applied before the squash existed: Django records the squash at the next migrate."""
    root = sample_copy
    dev_db = tmp_path / "dev.sqlite3"
    squash = root / SQUASH_FILE
    squash.unlink()
    migrate(root, None, db_env(name=str(dev_db)))
    squash.write_text(SQUASH_TEXT)
    (root / "pyproject.toml").write_text(f'[tool.squashkit.environments.dev]\ndsn = "sqlite:///{dev_db}"\n')
    result = run_cli("squash", "status", root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[3:5] == [
        "  dev: every replaced migration applied, the squash not recorded: run `manage.py",
        "      migrate` once there",
    ]
    migrate(root, None, db_env(name=str(dev_db)))
    result = run_cli("squash", "status", root)
    assert result.exit_code == 0, result.stdout
    assert "  dev: recorded" in result.stdout


def test_no_source_cannot_tell(sample_copy: Path, run_cli) -> None:
    (sample_copy / "manage.py").unlink()  # no settings: no default database either
    result = run_cli("squash", "status", sample_copy)
    assert result.exit_code == 1
    assert "  not ready: no applied-state source: squashkit cannot tell where it is applied" in result.stdout
    assert result.stdout.rstrip().endswith("makes an environment mandatory.")


def test_finalize_unknown_name(sample_copy: Path, run_cli) -> None:
    (sample_copy / "manage.py").unlink()
    result = run_cli("squash", "finalize", sample_copy, "billing.9999")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: billing.9999: no squashed migration of that name (squashes: "
        "billing.0001_squashed_0004_alter_invoice_amount)\n"
    )


def recorded_everywhere(root: Path, tmp_path: Path) -> Path:
    """A real SQLite database whose django_migrations says billing's squash is recorded (no migrate needed)."""
    db = tmp_path / "prod.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)")
        conn.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('billing', ?, '2026-01-01 00:00:00')",
            [(n,) for n in [*REPLACED, "0001_squashed_0004_alter_invoice_amount"]],
        )
    (root / "manage.py").unlink()
    (root / "pyproject.toml").write_text(f'[tool.squashkit.environments.prod]\ndsn = "sqlite:///{db}"\n')
    return db


def _finalize_plan(root: Path):
    from squashkit.history import collect_applied
    from squashkit.squash.lifecycle import plan_finalize, squash_status

    project = load_static(root, cache=False)
    state = collect_applied(root, all_envs=True)
    return plan_finalize(project, squash_status(project, state), state)


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.glob("*/migrations/*.py"))}


def test_finalize_interrupted_by_sigterm_restores_then_completes(sample_copy: Path, tmp_path: Path, run_cli) -> None:
    import os
    import signal

    from squashkit.rewrite import changeset

    root = sample_copy
    recorded_everywhere(root, tmp_path)
    before = tree(root)
    calls: list[Path] = []

    def stop_on_third_write(stage: str, path: Path) -> None:
        if stage == "written":
            calls.append(path)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGTERM)

    changeset._stage_hook = stop_on_third_write
    try:
        result = run_cli("squash", "finalize", root, "--write")
    finally:
        changeset._stage_hook = None
    assert result.exit_code == 128 + signal.SIGTERM
    assert result.stderr == (
        "error: interrupted by SIGTERM while writing; the 3 file(s) already written were restored, nothing was "
        "changed\n"
    )
    assert tree(root) == before
    done = run_cli("squash", "finalize", root, "--write")
    assert done.exit_code == 0, done.stderr
    assert not (root / "billing/migrations/0001_initial.py").exists()
    assert (
        run_cli("squash", "finalize", root, "--write").stdout
        == "No squashed migration (with replaces) in the project.\n"
    )


KILLED = """
import sys, time
from pathlib import Path
from squashkit.rewrite import changeset
from squashkit.cli import main

marker = Path(sys.argv[2])
seen = []

def pause(stage, path):
    if stage == "written":
        seen.append(path)
        if len(seen) == 3:
            marker.write_text("paused")
            time.sleep(120)

changeset._stage_hook = pause
main(["squash", "finalize", sys.argv[1], "--write"])
"""


def test_finalize_killed_then_rerun_completes(sample_copy: Path, tmp_path: Path, run_cli) -> None:
    import os
    import subprocess
    import sys
    import time

    root = sample_copy
    recorded_everywhere(root, tmp_path)
    before = tree(root)
    planned = {
        str(c.path.relative_to(root)): c.new_text
        for c in _finalize_plan(root).changes.changes
        if c.new_text is not None
    }
    marker = tmp_path / "paused"
    process = subprocess.Popen([sys.executable, "-c", KILLED, str(root), str(marker)], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, "finalize ended without pausing"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    for name, text in tree(root).items():  # every file old or new, never truncated
        assert name in before
        assert text in (before[name], planned.get(name))
    done = run_cli("squash", "finalize", root, "--write")
    assert done.exit_code == 0, done.stderr
    assert done.stderr.startswith(f"Rolled back an interrupted write to {root.resolve()}")
    assert "Finalized 1 squash(es): 4 replaced file(s) deleted, 2 file(s) rewritten." in done.stdout
    assert not (root / "billing/migrations/0004_alter_invoice_amount.py").exists()
    assert "replaces" not in (root / SQUASH_FILE).read_text()


@pytest.mark.django
def test_whole_cycle_plan_run_migrate_status_finalize(sample_copy: Path, run_cli, tmp_path: Path) -> None:
    """The README's cycle: plan -> run --write -> migrate every environment -> status -> finalize --write."""
    root = sample_copy
    dev_db = tmp_path / "dev.sqlite3"
    migrate(root, None, db_env(name=str(dev_db)))
    configure_dev = '[tool.squashkit]\nsettings = "sample_project.settings"\n\n[tool.squashkit.environments.dev]\n'
    (root / "pyproject.toml").write_text(configure_dev + f'dsn = "sqlite:///{dev_db}"\n')

    plan = run_cli("squash", "plan", root, "--app", "sales_orders")
    assert plan.exit_code == 0, plan.stderr
    assert "sales_orders: 0001_initial .. 0016_order_shipped_at (16 migrations) ->" in plan.stdout

    run = run_cli("squash", "run", "--plan", "-C", root, "--app", "sales_orders", "--write")
    assert run.exit_code == 0, run.stdout + run.stderr
    squash = root / "sales_orders/migrations/0001_squashed_0016_order_shipped_at.py"
    assert squash.exists()

    status = run_cli("squash", "status", root)
    assert status.exit_code == 1
    assert "sales_orders.0001_squashed_0016_order_shipped_at  NOT READY" in status.stdout

    migrate(root, None, db_env(name=str(dev_db)))  # deploy: Django records the new squash
    status = run_cli("squash", "status", root)
    assert status.exit_code == 0, status.stdout
    assert "sales_orders.0001_squashed_0016_order_shipped_at  READY" in status.stdout

    done = run_cli("squash", "finalize", root, "--write")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Finalized 2 squash(es): 20 replaced file(s) deleted,")
    assert sorted(p.name for p in (root / "sales_orders/migrations").glob("0*.py")) == [squash.name]
    assert "replaces" not in squash.read_text()

    migrate(root, None, db_env(name=str(dev_db)))
    manage(root, "migrate", "sales_orders", "--prune", "--noinput", env=db_env(name=str(dev_db)))
    manage(root, "migrate", "billing", "--prune", "--noinput", env=db_env(name=str(dev_db)))
    assert recorded(dev_db, "sales_orders") == [squash.stem]
    migrate(root, None, db_env(name=str(tmp_path / "empty.sqlite3")))
    cross = run_cli("analyze", root, "--cross-check")
    assert cross.exit_code == 0, cross.stdout + cross.stderr
    again = run_cli("squash", "plan", root, "--app", "sales_orders")
    assert "sales_orders: 0 migrations to squash, below squash_min_migrations (10)" in again.stdout


def test_status_names_a_single_replaced_migration_once(sample_copy: Path, run_cli) -> None:
    """A squash replacing one migration (a large open-source project has several) is not shown as 'X ... X'."""
    (sample_copy / "manage.py").unlink()
    squash = sample_copy / SQUASH_FILE
    text = squash.read_text()
    start = text.index("    replaces = [")
    end = text.index("\n", start)
    squash.write_text(text[:start] + "    replaces = [('billing', '0004_alter_invoice_amount')]" + text[end:])
    result = run_cli("squash", "status", sample_copy)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "billing.0001_squashed_0004_alter_invoice_amount  NOT READY",
        "  replaces billing.0004_alter_invoice_amount",
    ]


def test_a_missing_default_database_is_named_relative_to_the_project(sample_copy: Path, run_cli) -> None:
    """The settings' NAME is absolute (BASE_DIR / 'db.sqlite3'); files inside the project are shown relative to it."""
    result = run_cli("squash", "status", sample_copy)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[3:7] == [
        "  not ready: no applied-state source: squashkit cannot tell where it is applied",
        "      (configure [tool.squashkit.environments] or pass",
        "      --env/--dsn/--snapshot/--database); default (sqlite3 db.sqlite3) does not",
        "      exist",
    ]
    markdown = run_cli("squash", "status", sample_copy, "--format", "markdown")
    assert "; default (sqlite3 db.sqlite3) does not exist |" in markdown.stdout
    refused = run_cli("squash", "finalize", sample_copy)
    assert refused.exit_code == 1
    assert refused.stderr.endswith("    default (sqlite3 db.sqlite3) does not exist\n")
    assert str(sample_copy) not in result.stdout + markdown.stdout + refused.stdout + refused.stderr


@pytest.mark.parametrize("command", ["status", "finalize"])
def test_help_says_what_settings_are_for(run_cli, command: str) -> None:
    """status and finalize read migrations statically: --settings only names the default database."""
    text = " ".join(run_cli("squash", command, "--help").stdout.split())
    assert "instead of statically" not in text
    assert "to read the project's default database" in text


def test_app_restricts_the_squashes(sample_copy: Path, run_cli) -> None:
    (sample_copy / "manage.py").unlink()
    result = run_cli("squash", "status", sample_copy, "--app", "inventory", "--no-cache")
    assert (result.exit_code, result.stdout) == (0, "No squashed migration (with replaces) in the project.\n")
    result = run_cli("squash", "status", sample_copy, "--app", "billing")
    assert result.exit_code == 1
    assert result.stdout.startswith("billing.0001_squashed_0004_alter_invoice_amount  NOT READY\n")
    result = run_cli("squash", "finalize", sample_copy, "--app", "ghost")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: No app with label 'ghost' (known apps: accounts, billing, customers,")
