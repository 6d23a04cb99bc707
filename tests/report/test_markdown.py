"""``squashkit report --format markdown``: the cleanup-PR body, with and without a before/after table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from squashkit.graph.static import load_static
from squashkit.report import collect_report, render
from squashkit.report.markdown import counts


def test_markdown_of_sample_project(sample_project: Path) -> None:
    data = collect_report(load_static(sample_project), graphs=False)
    lines = render(data, "markdown").splitlines()
    assert lines[:13] == [
        "## squashkit report: `sample_project`",
        "",
        "|  | now |",
        "| --- | ---: |",
        "| apps | 6 |",
        "| migration files | 74 |",
        "| graph nodes (what a fresh migrate runs) | 70 |",
        "| dependency edges | 80 |",
        "| cross-app edges | 14 |",
        "| operations in a fresh migrate | 72 |",
        "| errors | 0 |",
        "| warnings | 10 |",
        "| info | 2 |",
    ]
    assert "### Findings left (12)" in lines
    assert "| SK201 | over-specified-dependency | warning | 5 |" in lines
    assert "### Dependency changes still proposed (6)" in lines
    assert (
        "- `inventory.0012_reservation`: remove inventory.0009_warehouse_city (already implied through "
        "inventory.0011_product_weight)" in lines
    )


def test_before_and_after(sample_project: Path) -> None:
    data = collect_report(load_static(sample_project), graphs=False)
    before = {**counts(data), "warnings": 17, "cross_app_edges": 12}
    text = render(dataclasses.replace(data, before=before, before_label="main"), "markdown")
    lines = text.splitlines()
    assert lines[2:5] == [
        "|  | before (main) | now | change |",
        "| --- | ---: | ---: | ---: |",
        "| apps | 6 | 6 | 0 |",
    ]
    assert "| cross-app edges | 12 | 14 | +2 |" in lines
    assert "| warnings | 17 | 10 | -7 |" in lines
