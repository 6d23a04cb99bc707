"""The HTML report of sample_project in a real headless Chromium (Selenium + Debian's chromium-driver).

One browser for the module; each test loads the page afresh and checks the console stayed clean.  The
screenshot of the search result is kept under pytest's temp dir (its path is printed: ``pytest -s``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from squashkit.graph.static import load_static
from squashkit.report import collect_report
from squashkit.report.html import render_html
from tests.conftest import SAMPLE_PROJECT
from tests.plugins.browser import browser_logs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.graphviz,
    pytest.mark.skipif(shutil.which("dot") is None, reason="the graphviz 'dot' binary is not installed"),
]

TIMEOUT = 10


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "sample_project.html"
    path.write_text(render_html(collect_report(load_static(SAMPLE_PROJECT))), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def page(browser: Any, report_url: str) -> Iterator[Any]:
    """The report loaded and its script run; afterwards, no console message of level SEVERE or WARNING."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser_logs(browser)  # drop what earlier tests left
    browser.get(report_url)
    WebDriverWait(browser, TIMEOUT).until(
        lambda d: d.execute_script("return document.documentElement.dataset.skReady === '1'")
    )
    yield browser
    problems = [entry for entry in browser_logs(browser) if entry["level"] in ("SEVERE", "WARNING")]
    assert problems == []


def _by(css: str) -> Any:
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def _title(element: Any) -> str:
    return str(element.find_element(*_by("title")).get_attribute("textContent"))


def _node(driver: Any, graph_css: str, title: str) -> Any:
    nodes = [g for g in driver.find_elements(*_by(f"{graph_css} g.node")) if _title(g) == title]
    assert len(nodes) == 1, title
    return nodes[0]


def test_loads_without_console_messages(browser: Any, report_url: str) -> None:
    browser_logs(browser)
    browser.get(report_url)
    assert browser.execute_script("return document.documentElement.dataset.skReady") == "1"
    assert browser_logs(browser) == []
    assert browser.title == "squashkit report: sample_project"
    assert browser.find_element(*_by("#sk-app-view")).is_displayed() is False


def test_clicking_inventory_shows_its_32_migrations(page: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    _node(page, "#sk-apps-graph", "inventory").click()
    WebDriverWait(page, TIMEOUT).until(lambda d: d.find_element(*_by("#sk-app-view")).is_displayed())
    assert page.find_element(*_by("#sk-app-title")).text == "inventory: 32 migrations"
    rows = page.find_elements(*_by("#sk-app-table tbody tr"))
    assert len(rows) == 32
    assert rows[0].find_element(*_by("a.sk-mig")).text == "inventory.0001_initial"
    titles = [_title(g) for g in page.find_elements(*_by("#sk-app-graph g.node"))]
    assert len([t for t in titles if t.startswith("inventory.")]) == 32
    current = page.find_elements(*_by("#sk-apps-graph g.node.sk-current"))
    assert [_title(g) for g in current] == ["inventory"]


def test_search_highlights_the_migration_with_its_ancestors_and_descendants(page: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    page.find_element(*_by("#sk-search")).send_keys("purchase_orders.0004")
    WebDriverWait(page, TIMEOUT).until(lambda d: d.find_element(*_by("#sk-detail")).is_displayed())
    key = "purchase_orders.0004_purchaseorder_sales_order"
    assert page.find_element(*_by("#sk-search")).get_attribute("value") == key
    assert page.find_element(*_by("#sk-detail h2")).text == key
    assert [_title(g) for g in page.find_elements(*_by("#sk-app-graph g.node.sk-hit"))] == [key]
    ancestors = {_title(g) for g in page.find_elements(*_by("#sk-app-graph g.node.sk-anc"))}
    assert {"purchase_orders.0003_purchaseorderline", "sales_orders.0016_order_shipped_at"} <= ancestors
    descendants = {_title(g) for g in page.find_elements(*_by("#sk-app-graph g.node.sk-desc"))}
    assert "purchase_orders.0005_alter_purchaseorder_status" in descendants
    assert (
        "purchase_orders/migrations/0004_purchaseorder_sales_order.py:10"
        in page.find_element(*_by("#sk-detail p")).text
    )
    # Its dependency on sales_orders.0016 is not over-specified: an opaque RunSQL follows it (sound proposals).
    assert page.find_element(*_by("#sk-detail-findings")).text.splitlines() == ["Findings (0)", "None."]
    assert page.find_element(*_by("#sk-detail-proposal")).text.splitlines() == [
        "Proposed minimal dependencies",
        "Same as declared: nothing to change.",
    ]
    hit_row = page.find_elements(*_by("#sk-app-table tr.sk-row-hit"))
    assert len(hit_row) == 1 and key in hit_row[0].text
    # the app graph: its app, the apps of its ancestors and descendants
    assert [_title(g) for g in page.find_elements(*_by("#sk-apps-graph g.node.sk-hit"))] == ["purchase_orders"]


def test_search_shows_the_finding_and_the_proposal(page: Any, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    page.find_element(*_by("#sk-search")).send_keys("inventory.0021")
    WebDriverWait(page, TIMEOUT).until(lambda d: d.find_element(*_by("#sk-detail")).is_displayed())
    key = "inventory.0021_stocklevel_supplier"
    assert [_title(g) for g in page.find_elements(*_by("#sk-app-graph g.node.sk-hit"))] == [key]
    assert "inventory/migrations/0021_stocklevel_supplier.py:10" in page.find_element(*_by("#sk-detail p")).text
    findings = page.find_element(*_by("#sk-detail-findings")).text
    assert "Findings (2)" in findings and "SK201" in findings and "SK202" in findings
    assert "needs only purchase_orders.0001_initial" in findings
    proposal = page.find_element(*_by("#sk-detail-proposal")).text.splitlines()
    assert proposal[:3] == [
        "Proposed minimal dependencies",
        "unverified: squashkit deps --diff shows the rewrite",
        "purchase_orders.0001_initial",
    ]
    assert (
        "\N{MINUS SIGN} purchase_orders.0011_purchaseorder_received_at over-specified: needs only "
        "purchase_orders.0001_initial, which creates purchase_orders.supplier" in "\n".join(proposal)
    )
    shot = tmp_path / "report-search.png"
    page.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_search_lists_candidates_and_enter_picks_the_first(page: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    box = page.find_element(*_by("#sk-search"))
    box.send_keys("0002")
    matches = [a.text for a in page.find_elements(*_by("#sk-matches a"))]
    assert matches == [
        "accounts.0002_user_phone",
        "billing.0002_invoice_amount",
        "customers.0002_customer_email",
        "inventory.0002_product_description",
        "purchase_orders.0002_purchaseorder_status",
        "sales_orders.0002_order_status",
    ]
    box.send_keys(Keys.ENTER)
    assert page.find_element(*_by("#sk-detail h2")).text == matches[0]
    assert page.find_element(*_by("#sk-matches")).is_displayed() is False


def test_wheel_zooms_and_drag_pans_without_opening_an_app(page: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    svg = page.find_element(*_by("#sk-apps-graph svg"))
    before = svg.get_dom_attribute("viewBox")
    page.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "arguments[0].dispatchEvent(new WheelEvent('wheel', {deltaY: -400, clientX: r.x + r.width / 2,"
        " clientY: r.y + r.height / 2, bubbles: true, cancelable: true}));",
        page.find_element(*_by("#sk-apps-graph")),
    )
    zoomed = svg.get_dom_attribute("viewBox")
    assert zoomed != before
    assert float(zoomed.split()[2]) < float(before.split()[2])  # narrower: zoomed in
    viewport = page.find_element(*_by("#sk-apps-graph"))  # from its centre (an app's node or not)
    ActionChains(page).move_to_element(viewport).click_and_hold().move_by_offset(80, 30).release().perform()
    panned = svg.get_dom_attribute("viewBox")
    assert panned != zoomed and panned.split()[2:] == zoomed.split()[2:]  # moved, same size
    assert page.find_element(*_by("#sk-app-view")).is_displayed() is False  # a drag is not a click
    page.find_element(*_by("#sk-graph button[data-zoom='fit']")).click()
    assert [float(v) for v in svg.get_dom_attribute("viewBox").split()] == [float(v) for v in before.split()]


def test_tables_sort_on_their_headers(page: Any) -> None:
    header = next(th for th in page.find_elements(*_by("#sk-apps-table th")) if th.text == "pressure")
    header.click()
    first = page.find_element(*_by("#sk-apps-table tbody tr td")).text
    assert first == "accounts"  # lowest pressure first
    header.click()
    first = page.find_element(*_by("#sk-apps-table tbody tr td")).text
    assert first == "inventory"  # highest first
    link = page.find_element(*_by("#sk-apps-table a[data-app='billing']"))
    link.click()
    assert page.find_element(*_by("#sk-app-title")).text == "billing: 8 migrations"


def test_edges_wrapped_in_tooltip_links_keep_their_style(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past APP_EDGE_LABELS_MAX apps the counts are tooltips: graphviz wraps each edge's shapes in <a>.
    monkeypatch.setattr("squashkit.report.graphs.APP_EDGE_LABELS_MAX", 0)
    path = tmp_path / "report.html"
    path.write_text(render_html(collect_report(load_static(SAMPLE_PROJECT))), encoding="utf-8")
    browser_logs(browser)
    browser.get(path.as_uri())
    styles = browser.execute_script(
        "return Array.from(document.querySelectorAll('#sk-apps-graph g.edge path'))"
        ".map(p => [p.closest('a') !== null, getComputedStyle(p).fill, getComputedStyle(p).stroke]);"
    )
    assert styles and all(wrapped for wrapped, _, _ in styles)
    assert {fill for _, fill, _ in styles} == {"none"}
    assert "rgb(0, 0, 0)" not in {stroke for _, _, stroke in styles}
    assert browser_logs(browser) == []


def test_without_dot_the_page_works_from_its_tables(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot binary there
    path = tmp_path / "report.html"
    path.write_text(render_html(collect_report(load_static(SAMPLE_PROJECT))), encoding="utf-8")
    browser_logs(browser)
    browser.get(path.as_uri())
    assert "graphviz 'dot' binary is not on PATH" in browser.find_element(*_by("#sk-graph .sk-note")).text
    browser.find_element(*_by("#sk-apps-table a[data-app='inventory']")).click()
    assert browser.find_element(*_by("#sk-app-title")).text == "inventory: 32 migrations"
    assert len(browser.find_elements(*_by("#sk-app-table tbody tr"))) == 32
    browser.find_element(*_by("#sk-search")).send_keys("inventory.0021")
    assert "SK201" in browser.find_element(*_by("#sk-detail-findings")).text
    assert browser_logs(browser) == []


def test_a_fragment_opens_a_migration_and_the_search_keeps_it(page: Any, report_url: str) -> None:
    page.find_element(*_by("#sk-search")).send_keys("inventory.0012")
    assert page.current_url == report_url + "#m=inventory.0012_reservation"
    page.get(report_url + "#m=purchase_orders.0004_purchaseorder_sales_order")
    page.refresh()  # a fragment-only navigation does not reload the page
    assert page.find_element(*_by("#sk-detail h2")).text == "purchase_orders.0004_purchaseorder_sales_order"
    assert page.find_element(*_by("#sk-app-title")).text == "purchase_orders: 12 migrations"


EVERYTHING = """
document.querySelectorAll("#sk-apps-table a.sk-app").forEach(a => a.click());
const data = JSON.parse(document.getElementById("sk-data").textContent);
const box = document.getElementById("sk-search");
data.m.forEach(m => { box.value = m.k; box.dispatchEvent(new Event("input")); });
document.querySelectorAll("#sk-detail details").forEach(d => { d.open = true; });
return data.m.length;
"""


@pytest.mark.parametrize("fixture", ["cycle", "odd_files", "squash_shop", "dangling"])
def test_odd_projects_every_app_and_migration_opens_cleanly(browser: Any, tmp_path: Path, fixture: str) -> None:
    from tests.conftest import FIXTURES

    path = tmp_path / "report.html"
    path.write_text(render_html(collect_report(load_static(FIXTURES / fixture))), encoding="utf-8")
    browser_logs(browser)
    browser.get(path.as_uri())
    assert browser.execute_script(EVERYTHING) > 0
    assert browser.find_element(*_by("#sk-detail")).is_displayed()
    assert browser_logs(browser) == []
