"""``squashkit history show`` / ``snapshot``: formats, exit codes, exact error messages, no password shown."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

# the shop fixtures are databases migrated by Django
pytestmark = pytest.mark.django

CONFIG = """
[tool.squashkit.environments.ci]
dsn = "sqlite:///partial.db"

[tool.squashkit.environments.production]
snapshot = "snapshots/production.json"
"""

MARKDOWN = """\
## Applied state

| set | applied | pending | stale | source |
| --- | ---: | ---: | ---: | --- |
| partial | 2 | 1 | 0 | sqlite:///partial.db |
| full | 3 | 0 | 0 | sqlite:///full.db |

| migration | partial | full |
| --- | --- | --- |
| crm.0001_initial | ✓ | ✓ |
| crm.0002_customer_age | ✓ | ✓ |
| crm.0003_customer_size | · | ✓ |

_✓ applied, · pending, ✗ stale (recorded, no file), ~ not in the graph (replaced by a squash in use, or a squash \
not used because partly applied), blank: not recorded_

### Findings

No inconsistency found.
"""


@pytest.fixture(autouse=True)
def _run_from_the_project(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the project folder, as a user would: relative --dsn/--snapshot paths resolve against the
    current folder (``test_command_line_paths_are_relative_to_the_current_folder`` runs from elsewhere)."""
    if "history_shop" in request.fixturenames:
        monkeypatch.chdir(request.getfixturevalue("history_shop"))


def words(text: str) -> list[str]:
    """Lines with runs of spaces collapsed (column widths depend on the content)."""
    return [" ".join(line.split()) for line in text.splitlines()]


def test_markdown_matrix(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "show", history_shop, "--dsn", "sqlite:///partial.db", "--dsn", "sqlite:///full.db",
                     "--format", "markdown", "--app", "crm")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == MARKDOWN


def test_table(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "show", history_shop, "--dsn", "sqlite:///partial.db", "--dsn", "sqlite:///empty.db")
    assert result.exit_code == 0, result.stderr
    lines = words(result.stdout)
    assert lines[:3] == ["Applied state", "", "set applied pending stale source"]
    assert "partial 3 4 0 sqlite:///partial.db" in lines
    assert "empty 0 7 0 sqlite:///empty.db" in lines
    assert "migration partial empty" in lines
    assert "crm.0003_customer_size · ·" in lines
    assert "sales.0001_initial ✓ ·" in lines
    assert "billing.0001_initial ~ ~" in lines
    assert lines[-1] == "No inconsistency found."


def test_json_and_findings_exit_1(history_shop: Path, run_cli) -> None:
    with sqlite3.connect(history_shop / "full.db") as conn:
        conn.execute("DELETE FROM django_migrations WHERE app = 'crm' AND name = '0002_customer_age'")
    conn.close()
    result = run_cli("history", "show", history_shop, "--dsn", "prod=sqlite:///full.db", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [s["label"] for s in data["sets"]] == ["prod"]
    assert data["sets"][0]["pending"] == ["crm.0002_customer_age"]
    assert [(f["code"], f["where"], f["migrations"]) for f in data["findings"]] == [
        ("SK401", ["prod"], ["crm.0003_customer_size", "crm.0002_customer_age"]),
        ("SK401", ["prod"], ["sales.0001_initial", "crm.0002_customer_age"]),
    ]
    assert data["matrix"]["rows"][5] == {"migration": "crm.0001_initial", "states": {"prod": "applied"}}
    assert data["exit_code"] == 1
    only_sales = json.loads(run_cli("history", "show", history_shop, "--dsn", "prod=sqlite:///full.db",
                                    "--format", "json", "--app", "sales").stdout)  # fmt: skip
    assert only_sales["sets"][0]["applied"] == ["sales.0001_initial", "sales.0002_order_n"]
    assert only_sales["sets"][0]["pending"] == []
    assert [r["migration"] for r in only_sales["matrix"]["rows"]] == ["sales.0001_initial", "sales.0002_order_n"]
    assert [f["migrations"] for f in only_sales["findings"]] == [["sales.0001_initial", "crm.0002_customer_age"]]
    table = run_cli("history", "show", history_shop, "--dsn", "prod=sqlite:///full.db", "--no-matrix")
    assert table.exit_code == 1
    assert "error SK401 applied-before-dependency in prod:" in table.stdout
    assert "fix: if the changes of crm.0002_customer_age are already in the database, record it in" in " ".join(
        table.stdout.split()
    )
    # Findings wrap on spaces with their indent kept, without padding: no name is split across lines.
    narrow = run_cli("history", "show", history_shop, "--dsn", "prod=sqlite:///full.db", "--no-matrix",
                     env={"COLUMNS": "40"}).stdout  # fmt: skip
    tail = [line for line in narrow.split("error SK401", 1)[1].splitlines()[1:] if not line.startswith("error ")]
    assert tail and all(line.startswith("  ") and line == line.rstrip() for line in tail if line)
    assert any("crm.0002_customer_age" in line for line in tail)


def test_environments_and_snapshot_round_trip(history_shop: Path, run_cli) -> None:
    (history_shop / "pyproject.toml").write_text(CONFIG)
    snapshot = history_shop / "snapshots/production.json"
    result = run_cli("history", "snapshot", "production", history_shop, "-o", snapshot, "--dsn", "sqlite:///full.db")
    assert result.exit_code == 0, result.stderr
    assert (
        result.stderr == f"wrote {history_shop / 'snapshots/production.json'} (production: 1 set(s), 10 applied rows)\n"
    )
    data = json.loads((history_shop / "snapshots/production.json").read_text())
    assert data["env"] == "production"
    assert all(len(row["hash"]) == 64 for row in data["sets"][0]["rows"])
    shown = run_cli("history", "show", history_shop, "--format", "json")  # no source option: every environment
    assert shown.exit_code == 0, shown.stderr
    assert [s["label"] for s in json.loads(shown.stdout)["sets"]] == ["ci", "production"]
    again = run_cli("history", "snapshot", "ci", history_shop, "-o", "-")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["sets"][0]["source"] == "sqlite:///partial.db"
    edited = history_shop / "crm/migrations/0001_initial.py"
    edited.write_text(edited.read_text() + "\n# edited\n")
    result = run_cli("history", "show", history_shop, "--env", "production", "--format", "json")
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["SK404"]


def test_labels_are_not_markup(history_shop: Path, run_cli) -> None:
    sets = [{"schema": "[bold]t1", "source": "[red]src", "rows": [{"app": "crm", "name": "0001_initial"}]}]
    snapshot = {"format": "squashkit-history-snapshot", "version": 1, "env": "prod", "sets": sets}
    (history_shop / "prod.json").write_text(json.dumps(snapshot))
    result = run_cli("history", "show", history_shop, "--snapshot", "prod.json", "--app", "crm")
    assert result.exit_code == 0, result.stderr
    assert "prod/[bold]t1" in result.stdout
    assert "of [red]src)" in " ".join(result.stdout.split())


def test_one_source_fails_others_report(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "show", history_shop, "--dsn", "sqlite:///full.db", "--dsn", "sqlite:///gone.db")
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: gone: database file does not exist: {history_shop / 'gone.db'} (sqlite:///gone.db)\n"
    )
    markdown = run_cli("history", "show", history_shop, "--dsn", "sqlite:///full.db", "--dsn", "sqlite:///gone.db",
                       "--format", "markdown")  # fmt: skip
    assert (
        f"- **gone**: database file does not exist: {history_shop / 'gone.db'} (`sqlite:///gone.db`)" in markdown.stdout
    )


def test_every_source_fails_exit_2(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "show", history_shop, "--dsn", "sqlite:///gone.db", "--snapshot", "prod=none.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: no applied-state source could be read:\n"
        f"  gone: database file does not exist: {history_shop / 'gone.db'} (sqlite:///gone.db)\n"
        f"  prod: {history_shop / 'none.json'}: snapshot file does not exist (snapshot none.json)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "prod"], "No environment 'prod' (known environments: none configured)"),
        (["--all-schemas", "--schema", "x", "--dsn", "sqlite:///full.db"], "--all-schemas and --schema are exclusive"),
        (["--app", "nope", "--dsn", "sqlite:///full.db"], "No app with label 'nope' (known apps: billing, crm, sales)"),
    ],
)
def test_usage_errors(history_shop: Path, run_cli, args: list[str], message: str) -> None:
    result = run_cli("history", "show", history_shop, *args)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")


def test_no_source_at_all(history_shop: Path, run_cli) -> None:
    (history_shop / "manage.py").unlink()
    result = run_cli("history", "show", history_shop)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no applied-state source: pass --env, --all-envs, --dsn, --snapshot or --database, or configure "
        "[tool.squashkit.environments] in pyproject.toml\n"
    )


def test_default_alias_from_manage_py(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "show", history_shop, "--format", "json")
    assert result.exit_code == 0, result.stderr
    [applied_set] = json.loads(result.stdout)["sets"]
    assert applied_set["source"] == "alias 'default' of shopsite.settings (sqlite db.sqlite3)"


def test_snapshot_errors(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "snapshot", "prod", history_shop, "-o", history_shop / "s.json")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: No environment 'prod' (known environments: none configured)\n",
    )
    result = run_cli(
        "history", "snapshot", "prod", history_shop, "-o", history_shop / "s.json", "--dsn", "sqlite:///gone.db"
    )
    assert result.exit_code == 2
    assert not (history_shop / "s.json").exists()


@pytest.mark.postgres
def test_passwords_never_shown(history_shop: Path, run_cli, pg_cluster, pg_database: str) -> None:
    secret = "Sup3r-Secret_pw"
    wrong = pg_cluster.dsn(pg_database, password=secret)
    down = f"postgresql://app:{secret}@127.0.0.1:1/shop"
    for fmt in ("table", "json", "markdown"):
        result = run_cli("history", "show", history_shop, "--dsn", wrong, "--dsn", down, "--dsn", "sqlite:///full.db",
                         "--format", fmt)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert secret not in result.stdout + result.stderr
        assert "password authentication failed" in result.stdout + result.stderr
    result = run_cli("history", "show", history_shop, "--dsn", wrong, "--dsn", down)
    assert result.exit_code == 2
    assert secret not in result.stdout + result.stderr
    assert f"postgresql://postgres:***@127.0.0.1:{pg_cluster.port}/{pg_database}" in result.stderr
    result = run_cli("history", "snapshot", "x", history_shop, "-o", history_shop / "x.json", "--dsn", wrong)
    assert result.exit_code == 2 and secret not in result.stderr
    pg_cluster.execute(
        pg_database, "CREATE TABLE django_migrations (id serial, app text, name text, applied timestamptz)"
    )
    result = run_cli(
        "history", "snapshot", "x", history_shop, "-o", history_shop / "x.json", "--dsn", pg_cluster.dsn(pg_database)
    )
    assert result.exit_code == 0, result.stderr
    written = (history_shop / "x.json").read_text()
    assert pg_cluster.password not in written + result.stderr
    assert f"postgresql://postgres:***@127.0.0.1:{pg_cluster.port}/{pg_database}" in written


@pytest.mark.postgres
def test_all_schemas_matrix_groups_states(history_shop: Path, run_cli, pg_cluster, pg_database: str) -> None:
    statements = []
    for i in range(12):
        schema = f"tenant_{i:02d}"
        statements.append(
            f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.django_migrations (id bigserial PRIMARY KEY, "
            "app varchar(255), name varchar(255), applied timestamptz)"
        )
        names = ["0001_initial", "0002_customer_age", "0003_customer_size"][: 1 + i % 3]
        statements += [
            f"INSERT INTO {schema}.django_migrations (app, name, applied) VALUES ('crm', '{n}', now())" for n in names
        ]
    pg_cluster.execute(pg_database, ";\n".join(statements))
    result = run_cli("history", "show", history_shop, "--dsn", f"t={pg_cluster.dsn(pg_database)}", "--all-schemas",
                     "--app", "crm")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = words(result.stdout)
    assert "migration A (4) B (4) C (4)" in lines
    assert "crm.0003_customer_size · · ✓" in lines
    assert "state A: t/tenant_00, t/tenant_03, t/tenant_06, t/tenant_09" in lines
    dsn = f"t={pg_cluster.dsn(pg_database)}"
    data = json.loads(
        run_cli("history", "show", history_shop, "--dsn", dsn, "--all-schemas", "--format", "json").stdout
    )
    assert len(data["sets"]) == 12
    assert data["sets"][2]["applied"] == ["crm.0001_initial", "crm.0002_customer_age", "crm.0003_customer_size"]


def test_many_states_show_counts(history_shop: Path, run_cli) -> None:
    """A snapshot of 10 tenant schemas at 10 different points: past 8 states the matrix counts sets."""
    c1, c2, c3 = ("crm", "0001_initial"), ("crm", "0002_customer_age"), ("crm", "0003_customer_size")
    s1, s2 = ("sales", "0001_initial"), ("sales", "0002_order_n")
    points = [[], [c1], [c1, c2], [c1, c2, c3], [c1, c2, c3, s1], [c1, c2, c3, s1, s2], [c2], [c3], [s2], [c1, s1]]
    sets = [
        {"schema": f"t{i}", "source": "test", "rows": [{"app": a, "name": n} for a, n in rows]}
        for i, rows in enumerate(points)
    ]
    snapshot = {"format": "squashkit-history-snapshot", "version": 1, "env": "prod", "sets": sets}
    (history_shop / "prod.json").write_text(json.dumps(snapshot))
    result = run_cli("history", "show", history_shop, "--snapshot", "prod.json", "--app", "crm", "--app", "sales")
    assert result.exit_code == 1  # t6 to t9 are inconsistent
    lines = words(result.stdout)
    assert "set applied pending stale source" in lines  # one summary row per set up to 50 sets
    assert lines[lines.index("migration applied pending stale unused") + 2 :][:5] == [
        "crm.0001_initial 6 4",
        "crm.0002_customer_age 5 5",
        "crm.0003_customer_size 4 6",
        "sales.0001_initial 3 7",
        "sales.0002_order_n 2 8",
    ]
    markdown = run_cli(
        "history", "show", history_shop, "--snapshot", "prod.json", "--app", "crm", "--format", "markdown"
    )
    assert "| migration | applied | pending | stale | unused |\n| --- | ---: | ---: | ---: | ---: |" in markdown.stdout
    assert "| crm.0002_customer_age | 5 | 5 |  |  |" in markdown.stdout


def test_command_line_paths_are_relative_to_the_current_folder(
    history_shop: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dsn sqlite:///x.db and --snapshot resolve against the current folder (as -o does); paths in
    [tool.squashkit] against the project's pyproject.toml."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (history_shop / "full.db").rename(elsewhere / "full.db")
    monkeypatch.chdir(elsewhere)
    result = run_cli("history", "show", history_shop, "--dsn", "prod=sqlite:///full.db", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (missing := run_cli("history", "show", history_shop, "--dsn", "prod=sqlite:///partial.db"))
    assert missing.exit_code == 2
    assert f"database file does not exist: {elsewhere / 'partial.db'}" in missing.stderr
    (history_shop / "pyproject.toml").write_text(CONFIG)
    configured = run_cli("history", "show", history_shop, "--env", "ci", "--format", "json")
    assert configured.exit_code in (0, 1), configured.stderr  # sqlite:///partial.db next to pyproject.toml


def test_all_envs_without_environments_says_how_to_configure(history_shop: Path, run_cli) -> None:
    result = run_cli("history", "show", history_shop, "--all-envs")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: --all-envs: no environment is configured for {history_shop}; add one per environment to "
        'pyproject.toml, e.g. [tool.squashkit.environments.production] with dsn_env = "PROD_DATABASE_URL" '
        "(or dsn, database, snapshot), or name sources with --dsn, --snapshot or --database\n"
    )


@pytest.mark.parametrize(
    ("dsn", "message"),
    [
        (
            "mysql://u:secret@h/db",
            "mysql: unsupported DSN scheme mysql:// (expected sqlite:///path or postgresql://...) (mysql://u:***@h/db)",
        ),
        (
            "/tmp/x.db",
            "x: not a DSN: a SQLite file is written sqlite:///relative.db or sqlite:////absolute.db (/tmp/x.db)",
        ),
        ("sqlite:////tmp", "tmp: /tmp is a directory, not a SQLite database file (sqlite:////tmp)"),
    ],
)
def test_unsupported_dsns_are_named_for_what_they_are(history_shop: Path, run_cli, dsn: str, message: str) -> None:
    result = run_cli("history", "show", history_shop, "--dsn", dsn)
    assert result.exit_code == 2
    assert result.stderr == f"error: no applied-state source could be read:\n  {message}\n"
