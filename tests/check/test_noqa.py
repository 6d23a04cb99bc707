"""Inline ``# squashkit: noqa`` comments: on a line, or on a line of its own for the whole file."""

from __future__ import annotations

from pathlib import Path

from squashkit.check import CheckConfig, run_check
from squashkit.check.noqa import parse_noqa
from squashkit.graph.static import load_static
from tests.projects import build, create, migration


def test_parse() -> None:
    found = parse_noqa(
        "x = 1  # squashkit: noqa: SK201\n"
        "# squashkit: noqa: SK3, sk108\n"
        "y = 2  # squashkit: noqa\n"
        "z = 3  # noqa: SK201\n"
    )
    assert found.lines == {1: ("SK201",), 3: ("",)}
    assert found.file == ("SK3", "SK108")


def _latest(tmp_path: Path, comment: str) -> Path:
    source = migration([("a", "__latest__")], [create("Line")]).replace(
        "dependencies = [('a', '__latest__')]", f"dependencies = [('a', '__latest__')]{comment}"
    )
    return build(tmp_path, {"a": {"0001_initial": migration(ops=[create("Order")])}, "b": {"0001_initial": source}})


def _codes(root: Path) -> list[str]:
    result = run_check(load_static(root), CheckConfig(select=("SK203",)))
    return [f.code for f in result.findings]


def test_line_noqa(tmp_path: Path) -> None:
    assert _codes(_latest(tmp_path / "plain", "")) == ["SK203"]
    assert _codes(_latest(tmp_path / "coded", "  # squashkit: noqa: SK203")) == []
    assert _codes(_latest(tmp_path / "prefix", "  # squashkit: noqa: SK2")) == []
    assert _codes(_latest(tmp_path / "other", "  # squashkit: noqa: SK201")) == ["SK203"]
    result = run_check(load_static(tmp_path / "coded"), CheckConfig(select=("SK203",)))
    assert result.suppressed == 1


def test_file_noqa(tmp_path: Path) -> None:
    root = _latest(tmp_path, "")
    path = root / "b/migrations/0001_initial.py"
    path.write_text("# squashkit: noqa: SK203\n" + path.read_text())
    assert _codes(root) == []
