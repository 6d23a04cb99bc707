"""``squashkit report``: writes the page, says where, same bytes twice, exact error messages."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.graphviz,
    pytest.mark.skipif(shutil.which("dot") is None, reason="the graphviz 'dot' binary is not installed"),
]


def test_writes_the_html_file(run_cli: Callable, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    result = run_cli("report", SAMPLE_PROJECT, "--format", "html", "-o", out)
    assert result.exit_code == 0, result.stderr
    size = out.stat().st_size
    assert result.stderr == f"wrote {out} (HTML, {size / 1024:.0f} KiB)\n"
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n")
    # the same bytes on stdout, and on a second run
    again = run_cli("report", SAMPLE_PROJECT, "-o", "-")
    assert again.exit_code == 0 and again.stdout == text


def test_dsn_passwords_never_reach_the_page(run_cli: Callable, tmp_path: Path) -> None:
    # Nothing listens on port 1: the source fails, is listed without its password, and the page is written.
    out = tmp_path / "report.html"
    dsn = "qa=postgresql://app:hunter2@127.0.0.1:1/shop?connect_timeout=2"
    result = run_cli("report", SAMPLE_PROJECT, "-o", out, "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "hunter2" not in text and "hunter2" not in result.stderr
    assert "<b>qa</b>: " in text and "postgresql://app:***@127.0.0.1:1/shop" in text


def test_unwritable_output_is_a_usage_error(run_cli: Callable, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = run_cli("report", SAMPLE_PROJECT, "-o", blocker / "report.html")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot write {blocker / 'report.html'}: ")


def test_output_is_required(run_cli: Callable) -> None:
    result = run_cli("report", SAMPLE_PROJECT)
    assert result.exit_code == 2
    assert "Missing option '-o' / '--output'." in result.stderr


def test_verify_needs_settings(run_cli: Callable, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns("manage.py", "__pycache__", "*.sqlite3"))
    result = run_cli("report", project, "-o", tmp_path / "r.html", "--verify")
    assert result.exit_code == 2
    assert result.stderr == "error: --verify needs settings: pass --settings MODULE or set [tool.squashkit] settings\n"


def test_environment_matrix_from_real_databases(
    run_cli: Callable, history_shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history_shop)  # relative DSNs resolve against the current folder
    out = tmp_path / "report.html"
    result = run_cli(
        "report", history_shop, "-o", out,
        "--dsn", "sqlite:///partial.db", "--dsn", "sqlite:///full.db", "--dsn", "sqlite:///gone.db",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert str(history_shop) not in text  # the missing file is named relative to the project
    assert "<b>gone</b>: database file does not exist: gone.db (<code>sqlite:///gone.db</code>)" in text
    assert "<td>partial</td><td>3</td><td>4</td><td>0</td><td><code>sqlite:///partial.db</code></td>" in text
    assert "<td>full</td><td>10</td><td>0</td><td>0</td><td><code>sqlite:///full.db</code></td>" in text
    assert "Matrix of the migrations not applied everywhere (7; 3 applied in every set are left out)." in text


@pytest.mark.django
def test_verify_checks_the_proposals_with_django(run_cli: Callable, sample_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", sample_copy, "-o", out, "--verify")
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "static proposals, not verified" not in text
    proposals = text.split('<table id="sk-proposals-table"', 1)[1].split("</table>", 1)[0]
    rows = [row for row in proposals.split("<tr ") if 'data-key="inventory.0021_stocklevel_supplier"' in row]
    assert len(rows) == 2 and all(
        "<td>verified: applies on its new ancestors; final state unchanged" in r for r in rows
    )
