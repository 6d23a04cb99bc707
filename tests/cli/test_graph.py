"""``squashkit graph``: output files and formats, exact error messages, golden DOT files for sample_project.

Golden files live in ``tests/golden/graph/`` (one per case in ``GOLDEN``).  When sample_project or the graph
style changes on purpose, regenerate them and review the diff::

    SQUASHKIT_UPDATE_GOLDEN=1 pytest tests/cli/test_graph.py -k golden

Tests marked ``graphviz`` render through the ``dot`` binary and are skipped only when it is not installed.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from squashkit.graph.static import load_static
from tests.export.shop import make_shop

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DIR = REPO / "tests" / "golden" / "graph"
UPDATE = os.environ.get("SQUASHKIT_UPDATE_GOLDEN") == "1"
HAS_DOT = shutil.which("dot") is not None
SVG = "{http://www.w3.org/2000/svg}"

GOLDEN = {
    "sample_project_full.dot": [],
    "sample_project_apps.dot": ["--level", "app"],
    "sample_project_inventory_with_deps.dot": ["--app", "inventory", "--with-deps"],
}

needs_sample = pytest.mark.skipif(
    not (REPO / "sample_project").is_dir() or not any((REPO / "sample_project").rglob("migrations/0001_*.py")),
    reason="sample_project has not landed yet",
)
graphviz = pytest.mark.graphviz
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="the graphviz 'dot' binary is not installed")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_shop(tmp_path / "shop")


def svg_clusters(data: bytes) -> list[str]:
    """Titles of the ``<g class="cluster">`` groups of an SVG (graphviz names them after the subgraph)."""
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return sorted(g.findtext(f"{SVG}title") or "" for g in root.iter(f"{SVG}g") if g.get("class") == "cluster")


# -- output ---------------------------------------------------------------------------------------------


def test_dot_on_stdout_by_default(run_cli, shop: Path) -> None:
    result = run_cli("graph", shop)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('digraph "migrations" {\n')
    assert result.stdout.endswith("}\n")
    assert result.stderr == ""


def test_output_file_format_from_suffix(run_cli, shop: Path, tmp_path: Path) -> None:
    for name in ("g.dot", "g.gv"):
        out = tmp_path / "out" / name
        result = run_cli("graph", shop, "-o", out)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == f"wrote {out} (DOT)\n"
        assert out.read_text() == run_cli("graph", shop).stdout


def test_same_project_same_bytes(run_cli, shop: Path, tmp_path: Path) -> None:
    """What a PR diff relies on: exporting twice (and from a copy) gives byte-identical DOT."""
    copy = shutil.copytree(shop, tmp_path / "copy" / "shop")
    outputs = {run_cli("graph", where).stdout for where in (shop, copy, shop)}
    assert len(outputs) == 1
    app_outputs = {run_cli("graph", where, "--level", "app").stdout for where in (shop, copy)}
    assert len(app_outputs) == 1


def test_filters(run_cli, shop: Path) -> None:
    result = run_cli("graph", shop, "--app", "shop", "--since", "0002", "--no-legend")
    assert result.exit_code == 0, result.stderr
    assert 'subgraph "cluster_shop"' in result.stdout
    assert '"shop.0001_initial" [label="shop.0001_initial", style="dashed"' in result.stdout
    assert "legend" not in result.stdout
    assert "app shop; since shop.0002_order_total" in result.stdout
    apps = run_cli("graph", shop, "--app", "billing", "--with-deps", "--level", "app").stdout
    # billing.0001's over-specified shop.0002 stays: billing.0002 (an opaque RunSQL) follows it
    assert '"shop" -> "billing" [label="2 (1 redundant)", fontsize="9"];' in apps
    plain = run_cli("graph", shop, "--level", "app", "--no-proposals").stdout
    assert '"shop" -> "billing" [label="2 (1 redundant)", fontsize="9"];' in plain


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--with-deps"], "error: --with-deps needs --app\n"),
        (["--app", "nope"], "error: No app with label 'nope' (known apps: billing, customers, shop)\n"),
        (["--since", "0001"], "error: --since 0001: give APP.NAME, or NAME together with exactly one --app\n"),
        (
            ["--max-nodes", "4"],
            "error: the migration-level graph has 9 nodes, more than --max-nodes 4; narrow it with --app (and "
            "--since), draw one node per app with --level app, or raise --max-nodes\n",
        ),
        (
            ["--level", "app", "--max-nodes", "2"],
            "error: the app-level graph has 4 nodes, more than --max-nodes 2; narrow it with --app, or raise "
            "--max-nodes\n",
        ),
        (
            ["-o", "graph.txt"],
            "error: cannot tell the output format of 'graph.txt' from its suffix; use one of .dot, .gv, .pdf, "
            ".png, .svg or give --format-out\n",
        ),
    ],
)
def test_errors(run_cli, shop: Path, args: list[str], message: str) -> None:
    result = run_cli("graph", shop, *args)
    assert (result.exit_code, result.stderr, result.stdout) == (2, message, "")


@pytest.mark.django
def test_missing_dot_binary(shop: Path, tmp_path: Path) -> None:
    """A whole process whose PATH has no ``dot``: DOT still works, SVG fails naming the binary."""
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "PYTHONPATH": str(REPO)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "squashkit", "graph", str(shop), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    ok = run("-o", str(tmp_path / "g.dot"))
    assert ok.returncode == 0, ok.stderr
    failed = run("-o", str(tmp_path / "g.svg"))
    assert failed.returncode == 2
    assert failed.stderr == (
        "error: rendering SVG needs the graphviz 'dot' binary, which is not on PATH; install graphviz "
        "(e.g. apt-get install graphviz, brew install graphviz) or write DOT instead (-o FILE.dot)\n"
    )
    assert not (tmp_path / "g.svg").exists()


# -- rendering (graphviz binary) ------------------------------------------------------------------------


@graphviz
@needs_dot
def test_svg_is_xml_with_one_cluster_per_app(run_cli, shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "shop.svg"
    result = run_cli("graph", shop, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert svg_clusters(out.read_bytes()) == ["cluster_billing", "cluster_customers", "cluster_shop"]


@graphviz
@needs_dot
def test_png_pdf_and_format_out(run_cli, shop: Path, tmp_path: Path) -> None:
    assert run_cli("graph", shop, "-o", tmp_path / "g.png").exit_code == 0
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert run_cli("graph", shop, "-o", tmp_path / "g.pdf", "--level", "app").exit_code == 0
    assert (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    result = run_cli("graph", shop, "--format-out", "svg")
    assert result.exit_code == 0, result.stderr
    assert svg_clusters(result.stdout.encode()) == ["cluster_billing", "cluster_customers", "cluster_shop"]


@graphviz
@needs_dot
@needs_sample
def test_sample_project_svg_has_one_cluster_per_app(run_cli, sample_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "sample.svg"
    result = run_cli("graph", sample_project, "-o", out)
    assert result.exit_code == 0, result.stderr
    apps = load_static(sample_project).project_apps
    assert svg_clusters(out.read_bytes()) == sorted(f"cluster_{app}" for app in apps)


# -- golden files ---------------------------------------------------------------------------------------


@needs_sample
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_sample_project(run_cli, sample_project: Path, name: str) -> None:
    result = run_cli("graph", sample_project, *GOLDEN[name])
    assert result.exit_code == 0, result.stderr
    path = GOLDEN_DIR / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.stdout)
    assert path.exists(), f"{path} is missing: run with SQUASHKIT_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text()
    if result.stdout != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), result.stdout.splitlines(keepends=True), str(path), "now", n=1
            )
        )
        pytest.fail(f"{name} differs (review, then SQUASHKIT_UPDATE_GOLDEN=1):\n{diff}", pytrace=False)


@pytest.mark.django
def test_settings_loads_through_django(tmp_path: Path) -> None:
    """``--settings`` draws Django's view: the contrib dependency is the migration Django resolved it to."""
    root = shutil.copytree(REPO / "tests" / "fixtures" / "odd_files", tmp_path / "odd_files")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "squashkit", "graph", str(root), "--no-legend", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    static, django = run("--no-proposals"), run("--no-proposals", "--settings", "settings")
    assert '"contenttypes.__latest__" -> "people.0001_initial"' in static
    assert '"contenttypes.0002_remove_content_type_name" -> "people.0001_initial"' in django
    assert static.replace("contenttypes.__latest__", "contenttypes.0002_remove_content_type_name") == django


def _database(path: Path, applied: list[tuple[str, str]]) -> str:
    """A SQLite file with a ``django_migrations`` table holding ``applied``; returns its DSN."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE django_migrations (id integer PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL,"
            " name varchar(255) NOT NULL, applied datetime NOT NULL)"
        )
        db.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2025-01-01 00:00:00')", applied
        )
    db.close()
    return f"sqlite:///{path}"


def test_applied_state_from_databases(run_cli, shop: Path, tmp_path: Path) -> None:
    prod = _database(tmp_path / "prod.sqlite3", [("shop", "0001_initial"), ("shop", "0002_order_total")])
    staging = _database(
        tmp_path / "staging.sqlite3",
        [("shop", "0001_initial"), ("customers", "0001_initial"), ("customers", "0002_customer_name")],
    )
    result = run_cli("graph", shop, "--dsn", f"prod={prod}", "--dsn", f"staging={staging}")
    assert result.exit_code == 0, result.stderr
    dot = result.stdout
    assert "applied state: prod, staging" in dot
    assert (
        '"shop.0001_initial" [label="0001_initial", style="filled", fillcolor="#a1d99b", '
        'tooltip="shop.0001_initial: applied in prod, staging"];' in dot
    )
    assert 'fillcolor="#fdd49e", tooltip="shop.0002_order_total: applied in prod"];' in dot
    assert 'fillcolor="#ffffff", tooltip="billing.0001_initial: pending"];' in dot
    # One database where the squash is partly applied: Django's rules for it, the squash is not used.
    partly = _database(tmp_path / "partly.sqlite3", [("customers", "0001_initial")])
    one = run_cli("graph", shop, "--dsn", f"partly={partly}", "--app", "customers").stdout
    assert "(squash not used: partly applied)" in one
    assert 'tooltip="customers.0001_initial: applied in partly"' in one


def test_unreadable_applied_state_source(run_cli, shop: Path, tmp_path: Path) -> None:
    result = run_cli("graph", shop, "--dsn", f"prod=sqlite:///{tmp_path / 'nothing.sqlite3'}")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no applied-state source could be read:\n  prod: ")
    assert result.stdout == ""


def test_output_under_a_file_is_a_clean_message(run_cli, tmp_path: Path, sample_project: Path) -> None:
    (tmp_path / "FILE").write_text("")
    result = run_cli("graph", sample_project, "-o", tmp_path / "FILE" / "x.dot")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"error: cannot write {tmp_path / 'FILE' / 'x.dot'}: {tmp_path / 'FILE'} is a file, not a directory\n"
    )
