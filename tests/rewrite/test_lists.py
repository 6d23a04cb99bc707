"""Golden before/after files for the list rewriter, idempotence, and exact error messages.

Each case under ``tests/golden/rewrite/<case>/`` has ``before.py``, ``edit.json`` (the desired entries per
attribute; ``{"setting": ..., "app": ...}`` is a swappable dependency) and ``after.py``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from squashkit.graph.model import Dependency, DependencyForm, MigrationKey
from squashkit.rewrite.lists import RewriteError, rewrite_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "rewrite"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _dep(item: list[str] | dict[str, str]) -> Dependency:
    if isinstance(item, dict):
        return Dependency(MigrationKey(item["app"], "__first__"), DependencyForm.SWAPPABLE, item["setting"])
    return Dependency.of(*item)


def _load(case: str) -> tuple[str, dict[str, list[Dependency]], dict[str, str], str]:
    spec = json.loads((GOLDEN / case / "edit.json").read_text())
    edits = {name: [_dep(i) for i in items] for name, items in spec["edits"].items()}
    before = (GOLDEN / case / "before.py").read_text()
    after = (GOLDEN / case / "after.py").read_text()
    return before, edits, spec["settings"], after


def test_cases_cover_the_required_shapes() -> None:
    assert {
        "comments_inside_list",
        "single_quotes_in_place",
        "double_quotes_append",
        "one_line_list",
        "swappable_dependency",
        "first_marker",
        "annotated_assignment",
    } <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    before, edits, settings, expected = _load(case)
    after = rewrite_source(before, edits, settings=settings)
    assert after == expected
    ast.parse(after)
    assert rewrite_source(after, edits, settings=settings) == after  # a second run changes nothing


@pytest.mark.parametrize("case", CASES)
def test_only_the_list_lines_change(case: str) -> None:
    """Every line outside the edited lists is byte-identical."""
    before, _edits, _settings, after = _load(case)

    def outside(text: str) -> list[str]:
        tree = ast.parse(text)
        skip: set[int] = set()
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if isinstance(node, ast.Assign | ast.AnnAssign) and any(
                isinstance(t, ast.Name) and t.id in ("dependencies", "run_before") for t in targets
            ):
                skip.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        return [line for i, line in enumerate(text.splitlines(keepends=True), 1) if i not in skip]

    assert outside(before) == outside(after)


def test_unchanged_when_desired_equals_current() -> None:
    before, _edits, settings, _after = _load("comments_inside_list")
    current = [
        Dependency.of("sales_orders", "0002_order_total"),
        Dependency.of("customers", "0004_customer_vip"),
        Dependency.of("inventory", "0003_item_sku"),
        Dependency.of("billing", "0002_invoice_due"),
    ]
    assert rewrite_source(before, {"dependencies": current}, settings=settings) == before


def test_crlf_line_endings_are_kept() -> None:
    source = 'class Migration:\r\n    dependencies = [\r\n        ("a", "1"),\r\n        ("b", "2"),\r\n    ]\r\n'
    after = rewrite_source(source, {"dependencies": [Dependency.of("a", "1")]})
    assert after == 'class Migration:\r\n    dependencies = [\r\n        ("a", "1"),\r\n    ]\r\n'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "class Migration:\n    dependencies = BASE + [('a', '1')]\n",
            "dependencies is not a literal list; not rewritten",
        ),
        (
            "class Migration:\n    dependencies = [('a', '1'), *EXTRA]\n",
            "dependencies entry '*EXTRA' cannot be evaluated; not rewritten",
        ),
        (
            "class Migration:\n    dependencies = [('a', '1'), make('b')]\n",
            "dependencies entry \"make('b')\" cannot be evaluated; not rewritten",
        ),
        (
            "class Other:\n    dependencies = [('a', '1')]\n",
            "the Migration class has no dependencies list; not rewritten",
        ),
        (
            "class Migration:\n    dependencies = []\n    dependencies = [('a', '1')]\n",
            "dependencies is assigned more than once; not rewritten",
        ),
        ("class Migration(:\n", "cannot parse: "),
        (
            # Python parses it, libcst's recursion does not reach the end (found on a generated default).
            "X = " + " + ".join(['"x"'] * 900) + "\nclass Migration:\n    dependencies = [('a', '2')]\n",
            "too deeply nested for libcst (beyond Python's recursion limit); not rewritten",
        ),
    ],
)
def test_errors(source: str, message: str) -> None:
    with pytest.raises(RewriteError) as info:
        rewrite_source(source, {"dependencies": [Dependency.of("a", "1")]})
    assert info.value.message.startswith(message)
    if message != "cannot parse: ":
        assert info.value.message == message


def test_expected_current_list_is_checked() -> None:
    source = "class Migration:\n    dependencies = [('a', '1')]\n"
    with pytest.raises(RewriteError) as info:
        rewrite_source(source, {"dependencies": []}, expected={"dependencies": [Dependency.of("a", "2")]})
    assert info.value.message == "dependencies changed since it was analysed; not rewritten"
    after = rewrite_source(source, {"dependencies": []}, expected={"dependencies": [Dependency.of("a", "1")]})
    assert after == "class Migration:\n    dependencies = []\n"


def test_replaces_is_rewritten_like_dependencies() -> None:
    source = "class Migration:\n    replaces = [\n        ('a', '0001'),  # one\n        ('a', '0002'),\n    ]\n"
    after = rewrite_source(source, {"replaces": [Dependency.of("a", "0002")]})
    assert after == "class Migration:\n    replaces = [\n        ('a', '0002'),\n    ]\n"


@pytest.mark.parametrize(
    ("source", "desired", "expected"),
    [
        (
            'class Migration:\n    dependencies = [("a", "1"), ("b", "2")]\n',
            [("n", "0"), ("a", "1"), ("b", "2")],
            'class Migration:\n    dependencies = [("n", "0"), ("a", "1"), ("b", "2")]\n',
        ),
        (
            'class Migration:\n    dependencies = [("a", "1"), ("b", "2")]\n',
            [("a", "1"), ("n", "0"), ("b", "2")],
            'class Migration:\n    dependencies = [("a", "1"), ("n", "0"), ("b", "2")]\n',
        ),
        (
            'class Migration:\n    dependencies = [\n        ("a", "1"),  # a\n'
            '        # about b\n        ("b", "2"),\n    ]\n',
            [("a", "1"), ("n", "9"), ("b", "2")],
            'class Migration:\n    dependencies = [\n        ("a", "1"),  # a\n        ("n", "9"),\n'
            '        # about b\n        ("b", "2"),\n    ]\n',
        ),
        (
            "class Migration:\n    dependencies = [\n        # first\n        ('a', '1'),\n    ]\n",
            [("n", "0"), ("a", "1")],
            "class Migration:\n    dependencies = [\n        ('n', '0'),\n"
            "        # first\n        ('a', '1'),\n    ]\n",
        ),
    ],
)
def test_insertions_keep_neighbours_and_their_comments(
    source: str, desired: list[tuple[str, str]], expected: str
) -> None:
    after = rewrite_source(source, {"dependencies": [Dependency.of(*d) for d in desired]})
    assert after == expected
    assert rewrite_source(after, {"dependencies": [Dependency.of(*d) for d in desired]}) == after
