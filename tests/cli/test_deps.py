"""``squashkit deps``: output formats, --diff, --fix, refusals and exit codes, on a throwaway project."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project
from tests.deps.djangoproject import make_project

SALES_0001 = Path("sales/migrations/0001_initial.py")
SALES_0002 = Path("sales/migrations/0002_n.py")

TABLE = """\
{name}: 2 migration(s) with dependencies to change

sales.0001_initial  [{status}]
  - crm.0003_size
      over-specified: needs only crm.0001_initial, which creates crm.customer
  + crm.0001_initial
      provider: creates crm.customer; CreateModel order (line 10) relates to
      crm.customer

sales.0002_n  [{status}]
  - crm.0002_age
      over-specified: nothing of 'crm' is referenced
"""

DIFF = "\n".join(
    [
        "--- a/sales/migrations/0001_initial.py",
        "+++ b/sales/migrations/0001_initial.py",
        "@@ -4,7 +4,7 @@",
        " ",
        " ",
        " class Migration(migrations.Migration):",
        "-    dependencies = [('crm', '0003_size')]",
        "+    dependencies = [('crm', '0001_initial')]",
        " ",
        "     operations = [",
        "         migrations.CreateModel(",
        "--- a/sales/migrations/0002_n.py",
        "+++ b/sales/migrations/0002_n.py",
        "@@ -4,7 +4,7 @@",
        " ",
        " ",
        " class Migration(migrations.Migration):",
        "-    dependencies = [('sales', '0001_initial'), ('crm', '0002_age')]",
        "+    dependencies = [('sales', '0001_initial')]",
        " ",
        "     operations = [",
        "         migrations.AddField(model_name='order', name='n', field=models.IntegerField(default=0)),",
        "",
    ]
)


def mark_applied(root: Path, *keys: tuple[str, str]) -> None:
    with sqlite3.connect(root / "db.sqlite3") as db:
        db.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)")
        for app, name in keys:
            db.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2025-01-01 00:00:00')", (app, name)
            )


@pytest.mark.django
def test_show_is_verified_and_exits_1(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    result = run_cli("deps", root)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == TABLE.format(name="shop", status="verified")
    assert not (root / "db.sqlite3").exists()


@pytest.mark.slow
def test_json_and_markdown(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    data = json.loads(run_cli("deps", root, "--format", "json").stdout)
    assert [p["migration"] for p in data["proposals"]] == ["sales.0001_initial", "sales.0002_n"]
    first = data["proposals"][0]
    assert first["current"] == ["crm.0003_size"]
    assert first["proposed"] == ["crm.0001_initial"]
    assert first["verification"]["status"] == "verified"
    seconds = data["verification_seconds"]
    assert list(seconds) == ["load", "check", "sql", "migrate original", "migrate rewired", "total"]
    assert all(value > 0 for value in seconds.values())
    parts = sum(v for k, v in seconds.items() if k != "total")
    assert seconds["total"] > parts
    assert first["changes"][0] == {
        "dependency": "crm.0003_size",
        "action": "remove",
        "reason_code": "over-specified",
        "reason": "needs only crm.0001_initial, which creates crm.customer",
        "provider": "crm.0001_initial",
        "via": None,
    }
    with_diff = json.loads(run_cli("deps", root, "--format", "json", "--diff", "--assume-unapplied").stdout)
    assert with_diff["proposals"][1]["diff"] == DIFF[DIFF.index("--- a/sales/migrations/0002_n.py") :]
    markdown = run_cli("deps", root, "--format", "markdown").stdout
    assert markdown.splitlines()[:3] == [
        "| migration | action | dependency | reason code | reason | status |",
        "| --- | --- | --- | --- | --- | --- |",
        "| `sales.0001_initial` | remove | `crm.0003_size` | over-specified | needs only crm.0001_initial, which "
        "creates crm.customer | verified |",
    ]


@pytest.mark.slow
def test_diff_then_fix_then_nothing_left(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    before = {p: (root / p).read_bytes() for p in (SALES_0001, SALES_0002)}
    diff = run_cli("deps", root, "--diff", "--assume-unapplied")
    assert diff.exit_code == 1
    assert diff.stdout.endswith(DIFF)
    assert {p: (root / p).read_bytes() for p in before} == before  # --diff writes nothing
    fixed = run_cli("deps", root, "--fix", "--assume-unapplied")
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.endswith("Wrote 2 file(s).\n")
    after = (root / SALES_0001).read_bytes()
    assert after == before[SALES_0001].replace(b"('crm', '0003_size')", b"('crm', '0001_initial')")
    again = run_cli("deps", root, "--fix", "--assume-unapplied")
    assert again.exit_code == 0
    assert again.stdout == "shop: no dependency to change.\nWrote 0 file(s).\n"
    assert (root / SALES_0001).read_bytes() == after


@pytest.mark.django
def test_applied_migration_is_refused(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    mark_applied(root, ("crm", "0001_initial"), ("crm", "0002_age"), ("crm", "0003_size"), ("sales", "0001_initial"))
    original = (root / SALES_0001).read_bytes()
    other = (root / SALES_0002).read_bytes()
    result = run_cli("deps", root, "--fix")
    assert result.exit_code == 1
    assert "sales.0001_initial  [refused: applied in default (sqlite3 db.sqlite3)]" in result.stdout
    assert "sales.0002_n  [written]" in result.stdout
    assert (root / SALES_0001).read_bytes() == original
    assert (root / SALES_0002).read_bytes() == other.replace(b", ('crm', '0002_age')", b"")


def test_without_settings_fix_needs_assume_unapplied(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    (root / "manage.py").unlink()
    refused = run_cli("deps", root, "--fix", "--no-verify")
    assert refused.exit_code == 1
    assert (
        "sales.0001_initial  [refused: no applied-state source (settings, environments or\n"
        "    snapshots); pass --assume-unapplied if no database has applied it]"
    ) in refused.stdout
    shown = run_cli("deps", root)
    assert shown.stdout.endswith(
        "Not verified with Django: no settings found (pass --settings or set\n[tool.squashkit] settings).\n"
    )
    unverified = run_cli("deps", root, "--fix", "--assume-unapplied")
    assert "sales.0002_n  [refused: not verified with Django; pass --settings or\n    --no-verify]" in unverified.stdout
    fixed = run_cli("deps", root, "--fix", "--assume-unapplied", "--no-verify")
    assert fixed.exit_code == 0
    assert fixed.stdout.endswith("Wrote 2 file(s).\n")


@pytest.mark.django
def test_input_errors_exit_2(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    result = run_cli("deps", root, "--app", "nope")
    assert result.exit_code == 2
    assert result.stderr == "error: No app with label 'nope' (known apps: crm, sales)\n"
    bad = run_cli("deps", root, "--settings", "nope.settings")
    assert bad.exit_code == 2
    assert bad.stderr == (
        "error: Django could not load migrations with settings 'nope.settings': "
        "ModuleNotFoundError: No module named 'nope'; verification imports the project with Django, so its "
        "requirements must be installed and its settings importable (run from the folder with manage.py, or pass "
        "--settings); --no-verify gives unverified proposals without Django\n"
    )


@pytest.mark.django
def test_unreachable_default_database_stops_fix(tmp_path: Path, run_cli) -> None:
    from tests.deps.richproject import make_rich_project

    root = make_rich_project(tmp_path / "rich")
    env = {
        "SAMPLE_DB_ENGINE": "django.db.backends.postgresql",
        "SAMPLE_DB_HOST": str(tmp_path / "no-socket"),
        "SAMPLE_DB_NAME": "x",
    }
    result = run_cli("deps", root, "--fix", env=env)
    assert result.exit_code == 2
    socket = tmp_path / "no-socket" / ".s.PGSQL.5432"
    assert result.stderr == (
        "error: cannot read applied migrations with settings 'rich.settings': django.db.utils.OperationalError: "
        f'connection is bad: connection to server on socket "{socket}" failed: No such file or directory\n'
    )
    diff = run_cli("deps", root, "--diff", env=env)
    assert diff.exit_code == 1
    assert "[refused: no applied-state source" in diff.stdout


def write_migrations_table(path: Path, *keys: tuple[str, str]) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)")
        for app, name in keys:
            db.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2025-01-01 00:00:00')", (app, name)
            )


@pytest.mark.django
def test_configured_environments_are_read(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    write_migrations_table(root / "staging.sqlite3", ("crm", "0001_initial"), ("sales", "0001_initial"))
    (root / "pyproject.toml").write_text('[tool.squashkit.environments.staging]\ndsn = "sqlite:///staging.sqlite3"\n')
    original = (root / SALES_0001).read_bytes()
    result = run_cli("deps", root, "--fix")
    assert result.exit_code == 1
    assert "sales.0001_initial  [refused: applied in staging]" in result.stdout
    assert "sales.0002_n  [written]" in result.stdout
    assert (root / SALES_0001).read_bytes() == original


@pytest.mark.django
def test_named_sources_and_unreadable_ones(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    write_migrations_table(tmp_path / "prod.sqlite3", ("sales", "0002_n"))
    result = run_cli("deps", root, "--fix", "--dsn", f"prod=sqlite:///{tmp_path / 'prod.sqlite3'}")
    assert result.exit_code == 1
    assert "sales.0002_n  [refused: applied in prod]" in result.stdout
    assert "sales.0001_initial  [written]" in result.stdout
    missing = run_cli(
        "deps", root, "--fix", "--dsn", f"prod=sqlite:///{tmp_path / 'prod.sqlite3'}", "--dsn", "gone=sqlite:///nope.db"
    )
    assert missing.exit_code == 1
    assert "sales.0002_n  [refused: applied state unknown: gone could not be read]" in missing.stdout
    assert missing.stderr.startswith("warning: gone: database file does not exist: ")


def test_deps_on_a_cycle_is_an_error_not_no_change(run_cli) -> None:
    """Proposals need an acyclic graph: a cycle is said, with exit 2, instead of "no dependency to change"."""
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "cycle_and_others"
    result = run_cli("deps", fixture, "--no-verify")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: dependency cycle (SK104): alpha.0002_author_favourite -> beta.0001_initial -> "
        "alpha.0002_author_favourite; dependency proposals cannot be computed until it is broken: remove one "
        "dependency of the cycle (`squashkit analyze` shows it)\n"
    )


def test_diff_says_verified_like_plain_deps(tmp_path: Path, run_cli) -> None:
    """``deps`` and ``deps --diff`` name the same status for the same proposals (not [verified] vs [offered])."""
    root = make_project(tmp_path / "shop")
    result = run_cli("deps", root, "--diff", "--assume-unapplied")
    assert result.exit_code == 1, result.stderr
    assert "sales.0001_initial  [verified]" in result.stdout
    assert "sales.0002_n  [verified]" in result.stdout


def _unimportable_settings(root: Path) -> None:
    manage = root / "manage.py"
    manage.write_text(manage.read_text().replace("'mysite.settings'", "'nope.settings'"))


def test_diff_no_verify_does_not_load_django(tmp_path: Path, run_cli) -> None:
    """manage.py names settings that cannot be imported: --diff --no-verify never starts Django."""
    root = make_project(tmp_path / "shop")
    _unimportable_settings(root)
    result = run_cli("deps", root, "--diff", "--no-verify", "--assume-unapplied")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    assert "sales.0001_initial  [unverified]" in result.stdout
    assert "+    dependencies = [('crm', '0001_initial')]" in result.stdout


def test_unimportable_project_says_what_verification_needs(tmp_path: Path, run_cli) -> None:
    root = make_project(tmp_path / "shop")
    _unimportable_settings(root)
    result = run_cli("deps", root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: Django could not load migrations with settings 'nope.settings': ModuleNotFoundError: No module "
        "named 'nope'; verification imports the project with Django, so its requirements must be installed and "
        "its settings importable (run from the folder with manage.py, or pass --settings); --no-verify gives "
        "unverified proposals without Django\n"
    )


def test_help_says_what_settings_are_for(run_cli) -> None:
    """deps reads migrations statically: --settings verifies and names the default database."""
    result = run_cli("deps", "--help")
    assert "instead of statically" not in result.stdout
    assert "verify the proposals" in " ".join(result.stdout.split())


# --fix writes through one change set: all or nothing (squashkit.rewrite.changeset).
INTERRUPTED = """
import os, sys
from squashkit.cli import cli
from squashkit.rewrite import changeset

root, signum, nth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
written = []

def hook(stage, path):
    if stage == "written":
        written.append(path)
        if len(written) == nth:
            os.kill(os.getpid(), signum)

changeset._stage_hook = hook
cli(["deps", root, "--fix", "--no-verify", "--assume-unapplied"])
"""


def sources(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts
    }


def interrupted_fix(root: Path, signum: int, nth: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-c", INTERRUPTED, str(root), str(signum), str(nth)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_fix_with_a_read_only_migration_writes_nothing(sample_copy: Path, run_cli) -> None:
    (sample_copy / "manage.py").unlink()
    locked = sample_copy / "inventory" / "migrations" / "0012_reservation.py"
    locked.chmod(0o444)
    before = sources(sample_copy)
    result = run_cli("deps", sample_copy, "--fix", "--no-verify", "--assume-unapplied")
    assert result.exit_code == 2
    assert result.stderr == f"error: {locked}: read-only; nothing was written\n"
    assert result.stdout == ""
    assert sources(sample_copy) == before


@pytest.mark.django  # a Python subprocess
def test_fix_interrupted_by_sigterm_restores_everything(sample_copy: Path) -> None:
    (sample_copy / "manage.py").unlink()
    before = sources(sample_copy)
    result = interrupted_fix(sample_copy, signal.SIGTERM, 2)
    assert result.returncode == 128 + signal.SIGTERM
    assert result.stderr == (
        "error: interrupted by SIGTERM while writing; the 2 file(s) already written were restored, "
        "nothing was changed\n"
    )
    assert sources(sample_copy) == before


@pytest.mark.django  # a Python subprocess
def test_fix_killed_then_the_next_fix_rolls_back_first(sample_copy: Path, tmp_path: Path, run_cli) -> None:
    (sample_copy / "manage.py").unlink()
    clean = copy_project(sample_copy, tmp_path / "clean")
    before = sources(sample_copy)
    result = interrupted_fix(sample_copy, signal.SIGKILL, 3)
    assert result.returncode == -signal.SIGKILL
    after_kill = sources(sample_copy)
    changed = sorted(name for name in before if after_kill[name] != before[name])
    assert len(changed) == 3  # the others untouched, none truncated
    assert all(after_kill[name].startswith(b"# Generated by Django") for name in changed)
    fixed = run_cli("deps", sample_copy, "--fix", "--no-verify", "--assume-unapplied")
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stderr.startswith(f"note: Rolled back an interrupted write to {sample_copy} (started ")
    assert fixed.stderr.endswith(f"restored 3 file(s): {', '.join(str(sample_copy / name) for name in changed)}.\n")
    reference = run_cli("deps", clean, "--fix", "--no-verify", "--assume-unapplied")
    assert reference.exit_code == 0
    assert fixed.stdout.splitlines()[1:] == reference.stdout.splitlines()[1:]  # the first line names the folder
    assert sources(sample_copy) == sources(clean)


# -- how much deps trusted: kept migrations, --explain ----------------------------------------------------


def test_kept_migrations_are_listed_with_the_reason(run_cli) -> None:
    from tests.conftest import FIXTURES

    result = run_cli("deps", FIXTURES / "unsound_deps", "--no-verify")
    assert result.exit_code == 1
    kept = result.stdout.split("Kept as written, what they need is not fully known (6):\n", 1)[1]
    assert kept == (
        "  accessors.0001_initial  kept: RunPython (line 21): follows a relation:\n"
        "      item.tags.exists (line 7)\n"
        "  computed.0001_initial  kept: operations are computed (line 29): not analysed\n"
        "  imports.0002_normalize  kept: RunPython (line 20): imports project code\n"
        "      catalog.services (line 5)\n"
        "  lookups.0002_tagged  kept: RunPython (line 17): follows relations: tags__name\n"
        "      (line 6)\n"
        "  mixed.0002_fill  kept: what it references in legacy is not provided by any\n"
        "      migration it depends on; kept as written\n"
        "  rawsql.0002_fill_codes  kept: RunPython (line 18): runs raw SQL (line 7)\n"
    )
    data = json.loads(run_cli("deps", FIXTURES / "unsound_deps", "--no-verify", "--format", "json").stdout)
    assert "verification_seconds" not in data  # nothing was verified
    assert data["kept"][-1] == {
        "migration": "rawsql.0002_fill_codes",
        "reason_code": "opaque",
        "reason": "RunPython (line 18): runs raw SQL (line 7)",
    }


def test_explain_prints_needs_providers_and_lost_ancestors(run_cli, sample_project: Path) -> None:
    result = run_cli("deps", sample_project, "--explain", "inventory.0021", "--no-verify")
    assert result.exit_code == 0, result.stderr
    head, lost = result.stdout.split("Ancestors lost once every proposal is applied:\n")
    assert head == (
        "inventory.0021_stocklevel_supplier  [unverified]\n"
        "Needs from other apps and own removals:\n"
        "  exists purchase_orders.supplier: AddField stocklevel.supplier (line 15)\n"
        "      relates to purchase_orders.supplier\n"
        "Cannot see:\n"
        "  (none)\n"
        "Providers:\n"
        "  purchase_orders.0001_initial: creates purchase_orders.supplier; AddField\n"
        "      stocklevel.supplier (line 15) relates to purchase_orders.supplier\n"
        "Kept as written:\n"
        "  (none)\n"
        "Dependencies:\n"
        "  - purchase_orders.0011_purchaseorder_received_at  over-specified: needs only\n"
        "      purchase_orders.0001_initial, which creates purchase_orders.supplier\n"
        "  + purchase_orders.0001_initial  provider: creates purchase_orders.supplier;\n"
        "      AddField stocklevel.supplier (line 15) relates to purchase_orders.supplier\n"
        "    inventory.0020_stocklevel_updated  same-app: same-app predecessor\n"
    )
    lost_keys = [line.strip() for line in lost.splitlines()]
    assert len(lost_keys) == 18
    assert lost_keys[:3] == [
        "accounts.0001_initial",
        "auth.0012_alter_user_first_name_max_length",
        "purchase_orders.0002_purchaseorder_status",
    ]
    assert "purchase_orders.0011_purchaseorder_received_at" in lost_keys


def test_explain_json_and_an_unknown_migration(run_cli, sample_project: Path) -> None:
    data = json.loads(
        run_cli("deps", sample_project, "--explain", "sales_orders.0008", "--no-verify", "--format", "json").stdout
    )
    assert data["kept"]["reason_code"] == "descendant"
    assert data["lost_ancestors"] == []
    assert data["status"] == "no change"
    missing = run_cli("deps", sample_project, "--explain", "crm.0099")
    assert missing.exit_code == 2
    assert "'crm.0099' names 0 migrations (matches: none)" in missing.stderr


@pytest.mark.django
def test_fix_on_a_fresh_clone_without_the_dev_database_refuses(tmp_path: Path, run_cli) -> None:
    """The default database is a SQLite file that does not exist: no applied-state source, not "nothing applied"."""
    root = make_project(tmp_path / "shop")
    before = sources(root)
    result = run_cli("deps", root, "--fix")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout == (
        "shop: 2 migration(s) with dependencies to change\n"
        "\n"
        "sales.0001_initial  [refused: no applied-state source: default (sqlite3\n"
        "    db.sqlite3) does not exist; pass --assume-unapplied if no database has\n"
        "    applied it]\n"
        "  - crm.0003_size\n"
        "      over-specified: needs only crm.0001_initial, which creates crm.customer\n"
        "  + crm.0001_initial\n"
        "      provider: creates crm.customer; CreateModel order (line 10) relates to\n"
        "      crm.customer\n"
        "\n"
        "sales.0002_n  [refused: no applied-state source: default (sqlite3 db.sqlite3)\n"
        "    does not exist; pass --assume-unapplied if no database has applied it]\n"
        "  - crm.0002_age\n"
        "      over-specified: nothing of 'crm' is referenced\n"
        "Wrote 0 file(s).\n"
    )
    assert sources(root) == before
    assert not (root / "db.sqlite3").exists()
