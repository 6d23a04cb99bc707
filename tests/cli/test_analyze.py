"""``squashkit analyze``: output formats, exit codes and exact error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.projects import add_field, build, create, fk, migration

PYTHON = "{}.{}".format(*sys.version_info[:2])  # the interpreter squashkit parses with, named in syntax errors


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return build(
        tmp_path / "small",
        {
            "a": {
                "0001_initial": migration(ops=[create("Order")]),
                "0002_order_x": migration([("a", "0001_initial")], [add_field("Order", "x")]),
                "0003_broken": "class Migration(:\n",
            },
            "b": {
                "0001_initial": migration(
                    [("a", "0002_order_x"), ("a", "0001_initial")], [create("Line", f"('o', {fk('a', 'Order')})")]
                )
            },
        },
    )


def test_json_output(run_cli, small: Path) -> None:
    result = run_cli("analyze", small, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["source"] == "static"
    assert [row["app"] for row in data["apps"]] == ["a", "b"]
    assert data["apps"][0]["migrations"] == 2
    assert data["totals"]["nodes"] == 3
    assert data["totals"]["longest_path"] == ["a.0001_initial", "a.0002_order_x", "b.0001_initial"]
    assert {
        "code": "syntax",
        "location": "a/migrations/0003_broken.py:1",
        "message": f"syntax error: invalid syntax (parsed with Python {PYTHON})",
    } in [{k: p[k] for k in ("code", "location", "message")} for p in data["problems"]]
    codes = [f["code"] for f in data["findings"]]
    assert codes[0] == "SK101"  # errors first
    assert "SK202" in codes


def test_table_fits_80_columns_and_names_broken_file(run_cli, small: Path) -> None:
    result = run_cli("analyze", small)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "SK101 error   a/migrations/0003_broken.py:1" in lines
    assert any(line.split()[:3] == ["a", "2", "0"] for line in lines)


def test_markdown_output(run_cli, small: Path) -> None:
    result = run_cli("analyze", small, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("## squashkit analyze: `small`\n")
    assert "| app | files | sq | in/out | chain | py/sql | irr | red | over | leaf | press |" in result.stdout
    assert (
        "| SK101 | error | `a/migrations/0003_broken.py:1` | syntax error: invalid syntax"
        f" (parsed with Python {PYTHON}) (syntax) |" in result.stdout
    )


def test_app_filter(run_cli, small: Path) -> None:
    data = json.loads(run_cli("analyze", small, "--app", "b", "--format", "json").stdout)
    assert [row["app"] for row in data["apps"]] == ["b"]


def test_unknown_app(run_cli, small: Path) -> None:
    result = run_cli("analyze", small, "--app", "nope")
    assert result.exit_code == 2
    assert result.stderr == "error: No app with label 'nope' (known apps: a, b)\n"


def test_missing_directory(run_cli, tmp_path: Path) -> None:
    result = run_cli("analyze", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'nowhere'}: not a directory\n"


def test_directory_without_migrations(run_cli, tmp_path: Path) -> None:
    result = run_cli("analyze", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path}: no Django app with a migrations package found\n"


def test_django_without_settings(run_cli, small: Path) -> None:
    result = run_cli("analyze", small, "--django")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {small}: --django needs settings: pass --settings MODULE, set [tool.squashkit] settings, "
        "or add a manage.py that sets DJANGO_SETTINGS_MODULE\n"
    )


@pytest.mark.django
def test_python_dash_m(small: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "squashkit", "analyze", str(small), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["apps"] == 2


@pytest.mark.django
def test_entry_point_exit_codes_and_flushed_output(small: Path, tmp_path: Path) -> None:
    """``run`` ends the process with ``os._exit`` after flushing: exit codes, messages and whole outputs
    survive, to a pipe and to a file."""

    def squashkit(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "squashkit", *args], text=True, check=False, **kwargs)

    out = tmp_path / "out.json"
    with out.open("w") as handle:
        assert squashkit("analyze", str(small), "--format", "json", stdout=handle).returncode == 0
    assert json.loads(out.read_text())["totals"]["apps"] == 2
    missing = squashkit("analyze", str(tmp_path / "nope"), capture_output=True)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == f"error: {tmp_path / 'nope'}: not a directory\n"
    assert squashkit("--version", capture_output=True).stdout.startswith("squashkit, version ")
    # A reader that stops early (``| head -c 100``): no traceback, no "Exception ignored" noise.
    shell = f"{sys.executable} -m squashkit analyze {small} --format json | head -c 100 >/dev/null"
    piped = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, check=False)
    assert "Traceback" not in piped.stderr and "Exception ignored" not in piped.stderr


def test_findings_wrap_on_spaces_without_padding(run_cli, sample_project: Path) -> None:
    """At 60 columns a location is printed whole (never split inside a path) and no finding line carries
    rich's padding to the terminal width."""
    result = run_cli("analyze", sample_project, env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.stderr
    findings = result.stdout.split("Findings (12):\n", 1)[1].splitlines()
    locations = [line for line in findings if line.startswith("SK")]
    assert len(locations) == 12
    assert "SK201 warning billing/migrations/0001_squashed_0004_alter_invoice_amount.py:14" in locations
    assert all(line == line.rstrip() for line in findings)
    assert all(line.startswith(("SK", "    ")) for line in findings)
    # The legend and the totals below the table wrap the same way.
    below = result.stdout.split("sq: squashed", 1)[1].split("Findings (12):", 1)[0].splitlines()
    assert below and all(line == line.rstrip() and len(line) <= 60 for line in below)


# -- sample_project (its planted problems are documented in sample_project/README.md) ----------------------


def test_sample_project_json_reports_planted_problems(run_cli, sample_project: Path) -> None:
    result = run_cli("analyze", sample_project, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    counts = {row["app"]: row["migrations"] for row in data["apps"]}
    assert counts == {
        "accounts": 2,
        "billing": 8,
        "customers": 4,
        "inventory": 32,
        "purchase_orders": 12,
        "sales_orders": 16,
    }
    assert data["apps"][1]["squashed"] == 1
    over = {(f["migration"], f["related"][0]) for f in data["findings"] if f["code"] == "SK201"}
    # purchase_orders.0004 -> sales_orders.0016 stays: purchase_orders.0007 (an opaque RunSQL) follows it
    assert ("purchase_orders.0004_purchaseorder_sales_order", "sales_orders.0016_order_shipped_at") not in over
    assert ("inventory.0021_stocklevel_supplier", "purchase_orders.0011_purchaseorder_received_at") in over
    redundant = {(f["migration"], f["related"][0]) for f in data["findings"] if f["code"] == "SK202"}
    assert {
        ("inventory.0012_reservation", "inventory.0009_warehouse_city"),
        ("sales_orders.0014_order_created_by", "sales_orders.0012_orderline_unit_price"),
        ("billing.0006_invoiceline", "sales_orders.0001_initial"),
    } <= redundant
    # the swappable dependency implied through run_before is the right form: not reported
    assert not any(m == "customers.0003_customer_account" for m, _ in redundant)
    totals = data["totals"]
    assert (totals["nodes"], totals["cycles"], totals["conflicts"], totals["dangling"]) == (70, 0, 0, 0)
    assert totals["over_specified"] == 5
    assert totals["longest_path_length"] == 41
    location = next(f["location"] for f in data["findings"] if f["migration"] == "inventory.0012_reservation")
    assert location.startswith("inventory/migrations/0012_reservation.py:")


def test_sample_project_table_is_readable_in_80_columns(run_cli, sample_project: Path) -> None:
    result = run_cli("analyze", sample_project)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    row = next(line for line in lines if line.startswith(" purchase_orders"))
    assert row.split() == ["purchase_orders", "12", "0", "1/2", "12", "1/1", "1", "0", "0", "1", "20"]


@pytest.mark.django
def test_sample_project_cross_check_static_equals_django(sample_project: Path) -> None:
    # in a subprocess: Django is set up with the project's settings there, not in the test process
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "squashkit",
            "analyze",
            str(sample_project),
            "--django",
            "--cross-check",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["source"] == "django"
    assert data["cross_check"] == []
    assert data["totals"]["nodes"] == 70


@pytest.mark.django
def test_analyze_does_not_import_networkx_libcst_or_django(sample_project: Path) -> None:
    """The analysis walks squashkit's own adjacency maps: a whole ``squashkit analyze`` process never imports
    networkx (whose import alone costs about a quarter of the process), libcst or Django."""
    code = (
        "import sys\n"
        "from squashkit.cli import main  # what the entry point runs, before its os._exit\n"
        "try:\n"
        "    main(['analyze', sys.argv[1], '--format', 'json'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'networkx', 'libcst', 'django', 'graphviz'})\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(sample_project)], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout)["totals"]["nodes"] == 70
    assert "LOADED []" in done.stderr


# -- hostile inputs (issue #12) -----------------------------------------------------------------------------

CYCLE_AND_OTHERS = Path(__file__).resolve().parent.parent / "fixtures" / "cycle_and_others"


def test_cycle_says_what_was_skipped_and_still_analyses_other_apps(run_cli) -> None:
    """A cycle between alpha and beta: the longest path and those apps' chains, redundancy, over-specification
    and pressure are skipped (shown as ``-``, not 0); shop and orders are still analysed."""
    result = run_cli("analyze", CYCLE_AND_OTHERS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["skipped"] == [
        {"analysis": "longest_path", "reason": "dependency cycle", "apps": []},
        {"analysis": "longest_chain", "reason": "dependency cycle", "apps": ["alpha", "beta"]},
        {"analysis": "redundant", "reason": "dependency cycle", "apps": ["alpha", "beta"]},
        {"analysis": "over_specified", "reason": "dependency cycle", "apps": ["alpha", "beta"]},
        {"analysis": "pressure", "reason": "dependency cycle", "apps": ["alpha", "beta"]},
    ]
    rows = {row["app"]: row for row in data["apps"]}
    assert (rows["shop"]["longest_chain"], rows["shop"]["migrations"], rows["shop"]["deps_in"]) == (3, 3, 2)
    assert (rows["orders"]["redundant"], rows["orders"]["over_specified"]) == (1, 2)
    assert sorted(f["code"] for f in data["findings"]) == ["SK104", "SK201", "SK201", "SK202"]
    table = run_cli("analyze", CYCLE_AND_OTHERS).stdout
    assert " alpha      2  0    1/1     -    0/0   0   -    -    1     - " in table
    assert "longest path skipped" in table
    assert (
        "Not computed because of a dependency cycle: longest path; chain, redundant,\n"
        "    over-specified, squash pressure of alpha, beta.\n"
    ) in table


def test_acyclic_project_skips_nothing(run_cli, sample_project: Path) -> None:
    data = json.loads(run_cli("analyze", sample_project, "--format", "json").stdout)
    assert data["skipped"] == []
    assert "Not computed" not in run_cli("analyze", sample_project).stdout


def test_empty_secret_key_does_not_stop_django_loads(tmp_path: Path) -> None:
    """An empty SECRET_KEY (common in CI; ``manage.py showmigrations`` works) raised ImproperlyConfigured.

    Run as processes: an in-process Django load would set DJANGO_SETTINGS_MODULE for the rest of the session.
    """
    import shutil

    root = tmp_path / "empty_secret_key"
    shutil.copytree(CYCLE_AND_OTHERS.parent / "empty_secret_key", root)
    for args in (["analyze", root, "--django"], ["analyze", root, "--cross-check"]):
        result = subprocess.run([sys.executable, "-m", "squashkit", *map(str, args)], capture_output=True, text=True)
        assert "ImproperlyConfigured" not in result.stderr, result.stderr
        assert result.returncode == 0, result.stderr
        assert "conflicting migrations in blog" in result.stdout
    graph = [sys.executable, "-m", "squashkit", "graph", str(root), "--django", "-o", str(tmp_path / "blog.dot")]
    result = subprocess.run(graph, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "blog.dot").read_text().startswith("digraph")


def test_markdown_shows_an_empty_location_as_an_empty_cell(sample_project: Path) -> None:
    """A finding with neither file nor migration: an empty cell, not a literal `` ` ` ``."""
    import dataclasses

    from squashkit import load_static
    from squashkit.analysis import analyze
    from squashkit.cli.analyze import render_markdown
    from squashkit.rules.model import Finding, Severity

    report = analyze(load_static(sample_project))
    odd = Finding(code="SK104", severity=Severity.ERROR, message="somewhere")
    text = render_markdown(dataclasses.replace(report, findings=(odd,)), None)
    assert "| SK104 | error |  | somewhere |" in text
    assert "``" not in text
