"""The HTML report builder: deterministic bytes, nothing absolute, nothing fetched, every section's content.

The page of sample_project is built once per module (graphviz renders its seven graphs); the browser tests
(tests/report/test_browser.py) drive the same page in Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from squashkit.errors import UsageError
from squashkit.graph.model import MigrationKey as K
from squashkit.graph.static import load_static
from squashkit.history.model import AppliedRow, AppliedSet, AppliedState, SourceFailure
from squashkit.report import FORMATS, collect_report, needs_graphs, render
from squashkit.report.html import render_html
from tests.conftest import SAMPLE_PROJECT

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="the graphviz 'dot' binary is not installed")
pytestmark = pytest.mark.graphviz


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(collect_report(load_static(SAMPLE_PROJECT, cache=False)))


def _data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="sk-data">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))


def _rows(page: str, table_id: str) -> list[str]:
    found = re.search(rf'<table id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', page, re.DOTALL)
    assert found is not None, table_id
    return re.findall(r"<tr[ >].*?</tr>", found.group(1), re.DOTALL)


@needs_dot
def test_two_builds_are_byte_identical(page: str, sample_copy: Path) -> None:
    # A second build, of a copy elsewhere, with a fresh load: the same bytes (nothing depends on the path).
    again = render_html(collect_report(load_static(sample_copy, cache=False)))
    assert again.encode("utf-8") == page.encode("utf-8")


@needs_dot
def test_no_absolute_path_and_no_timestamp(page: str) -> None:
    assert str(SAMPLE_PROJECT) not in page
    assert str(SAMPLE_PROJECT.parent) not in page
    assert "file://" not in page
    assert re.search(r"\b20\d\d-\d\d-\d\d", page) is None  # no date
    data = _data(page)
    assert data["project"] == "sample_project"
    paths = [m["f"] for m in data["m"] if "f" in m] + [a["dir"] for a in data["apps"]]
    assert all(not p.startswith("/") for p in paths)
    assert "inventory/migrations/0021_stocklevel_supplier.py:10" in page


@needs_dot
def test_nothing_fetched_from_the_network(page: str) -> None:
    assert "http://" not in page
    assert "https://" not in page
    assert "//" not in re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL).replace("://", "")
    # every src/href is a fragment: no file, stylesheet, script or image loaded from anywhere
    assert re.findall(r'\b(?:src|href)="(?!#)[^"]*"', page) == []
    assert re.findall(r"<(?:link|img|iframe|object|embed)\b", page) == []
    assert "default-src 'none'" in page  # the Content-Security-Policy forbids requests


@needs_dot
def test_summary_apps_findings_and_proposals(page: str) -> None:
    assert '<div class="sk-card-value">70</div><div class="sk-card-label">migrations</div>' in page
    assert '<div class="sk-card-value">6</div><div class="sk-card-label">apps</div>' in page
    assert '<div class="sk-card-value">10</div><div class="sk-card-label">warnings</div>' in page
    assert "1 high, 2 medium" in page
    apps = _rows(page, "sk-apps-table")
    assert len(apps) == 6
    assert 'data-app="inventory">inventory</a></td><td>32</td>' in apps[3]
    findings = _rows(page, "sk-findings-table")
    assert len(findings) == 12
    sk201 = [row for row in findings if "inventory.0021_stocklevel_supplier" in row and "<td>SK201</td>" in row]
    assert len(sk201) == 1 and "<td>SK201</td>" in sk201[0]
    assert "<code>inventory/migrations/0021_stocklevel_supplier.py:10</code>" in sk201[0]
    proposals = _rows(page, "sk-proposals-table")
    mine = [row for row in proposals if 'data-key="inventory.0021_stocklevel_supplier"' in row]
    assert [re.search(r'class="sk-act-(\w+)"', row).group(1) for row in mine] == ["remove", "add"]  # type: ignore[union-attr]
    assert "<code>purchase_orders.0011_purchaseorder_received_at</code>" in mine[0]
    assert "<code>purchase_orders.0001_initial</code>" in mine[1]
    assert "6 migration(s) with dependencies to change (static proposals" in page
    assert "No environment configured" in page


@needs_dot
def test_script_data_and_graphs(page: str) -> None:
    data = _data(page)
    keys = [m["k"] for m in data["m"]]
    assert keys == sorted(keys, key=lambda k: tuple(k.split(".", 1)))
    inventory = [m for m in data["m"] if m["k"].startswith("inventory.")]
    assert len(inventory) == 32
    i = keys.index("inventory.0021_stocklevel_supplier")
    mine = data["m"][i]
    assert [keys[p] for p in mine["p"]] == [
        "inventory.0020_stocklevel_updated",
        "purchase_orders.0011_purchaseorder_received_at",
    ]
    assert [[keys[d] if isinstance(d, int) else d, line] for d, line in mine["d"]] == [
        ["purchase_orders.0011_purchaseorder_received_at", 10],
        ["inventory.0020_stocklevel_updated", 11],
    ]
    assert [keys[d] for d in data["proposals"][str(i)]["pr"]] == [
        "purchase_orders.0001_initial",
        "inventory.0020_stocklevel_updated",
    ]
    assert [f["code"] for f in data["findings"] if f["m"] == i] == ["SK201", "SK202"]
    # one inline SVG for the apps, one script text per project app; edges name their ends by index
    assert page.count('<svg viewBox="') == 7
    assert page.count('<script type="text/x-svg" id=') == 6
    found = re.search(r'<script type="text/x-svg" id="sk-svg-inventory">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    template = found.group(1)
    assert template.count('<g class="node">') == 32 + 2  # and the two other apps' migrations it depends on
    assert template.count("<title>inventory.") == 32
    first, second = keys.index("inventory.0001_initial"), keys.index("inventory.0002_product_description")
    assert f'<g class="edge" data-e="{first} {second}">' in template
    assert "<title>inventory.0032_remove_warehouse_city</title>" in template


def test_formats_registry() -> None:
    assert FORMATS["html"] == "squashkit.report.html"
    assert needs_graphs("html") is True
    assert needs_graphs("markdown") is False
    with pytest.raises(UsageError) as caught:
        render(collect_report(load_static(SAMPLE_PROJECT), graphs=False), "pdf")
    assert caught.value.message == "unknown report format 'pdf' (choose from html, markdown)"


def test_without_dot_a_note_and_the_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot binary there
    page = render_html(collect_report(load_static(SAMPLE_PROJECT)))
    assert (
        "Graphs are left out: the graphviz &#x27;dot&#x27; binary is not on PATH (install graphviz, e.g. apt-get "
        "install graphviz, to draw them). The tables below are complete." in page
    )
    assert "<svg" not in page and "text/x-svg" not in page
    assert len(_rows(page, "sk-findings-table")) == 12
    assert all(not app["svg"] for app in _data(page)["apps"])


def test_graphs_not_asked_for() -> None:
    page = render_html(collect_report(load_static(SAMPLE_PROJECT), graphs=False))
    assert "Graphs were not rendered for this report." in page
    assert len(_rows(page, "sk-apps-table")) == 6


def test_environment_matrix_and_masked_sources() -> None:
    project = load_static(SAMPLE_PROJECT)
    everything = tuple(AppliedRow(k.app_label, k.name) for k in project.migrations if project.in_project(k))
    recent = K("inventory", "0032_remove_warehouse_city")
    applied = AppliedState.of(
        [
            AppliedSet("prod", None, "postgresql://app:hunter2@db.internal:5432/shop", everything),
            AppliedSet("staging", None, "sqlite:///staging.db", tuple(r for r in everything if r.key != recent)),
        ],
        [SourceFailure("qa", "postgresql://qa:s3cret@qa.internal/shop", "connection refused; password=s3cret")],
    )
    page = render_html(collect_report(project, applied=applied, graphs=False))
    assert "hunter2" not in page and "s3cret" not in page
    assert "<code>postgresql://app:***@db.internal:5432/shop</code>" in page
    assert "<b>qa</b>: connection refused; password=*** (<code>postgresql://qa:***@qa.internal/shop</code>)" in page
    summary = _rows(page, "sk-env-table")
    assert [re.findall(r"<td>([^<]*)</td>", row)[:4] for row in summary] == [
        ["prod", "74", "0", "0"],  # 70 nodes and the 4 migrations billing's squash replaces
        ["staging", "73", "1", "0"],
    ]
    matrix = _rows(page, "sk-matrix-table")
    assert len(matrix) == 1 and 'data-key="inventory.0032_remove_warehouse_city"' in matrix[0]
    assert "(1; 73 applied in every set are left out)" in page
    data = _data(page)
    assert data["envs"] == ["prod", "staging"]
    mine = next(m for m in data["m"] if m["k"] == str(recent))
    assert mine["s"] == ["applied", "pending"]


@needs_dot
def test_squash_plan_section(page: str) -> None:
    rows = _rows(page, "sk-plan-table")
    assert "<p>6 range(s) to squash; <code>squashkit squash plan</code> explains each.</p>" in page
    assert len(rows) == 6
    assert 'data-key="inventory.0001_initial"' in rows[0] and 'data-key="inventory.0011_product_weight"' in rows[0]
    assert "the next migration would close a cycle" in rows[0]
