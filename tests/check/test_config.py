"""``[tool.squashkit.check]``: defaults, values, exact errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.check import CheckConfig, load_check_config, run_check
from squashkit.errors import ConfigError
from squashkit.graph.static import load_static
from squashkit.rules import Severity
from tests.projects import build, create, migration


def test_defaults(tmp_path: Path) -> None:
    assert load_check_config(tmp_path) == CheckConfig()


def test_values(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.squashkit.check]\nselect = ["sk2"]\nignore = ["SK202"]\nfail-on = "error"\nmax-migrations = 40\n'
        'baseline = "base.json"\n[tool.squashkit.check.per-path-ignores]\n"legacy/*" = ["SK2"]\n'
    )
    assert load_check_config(tmp_path) == CheckConfig(
        select=("SK2",),
        ignore=("SK202",),
        fail_on=Severity.ERROR,
        max_migrations=40,
        baseline=tmp_path / "base.json",
        per_path_ignores=(("legacy/*", ("SK2",)),),
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('fail-on = "fatal"', "check.fail-on must be error, warning or info, got 'fatal'"),
        ("max-migrations = 0", "check.max-migrations must be a positive integer, got 0"),
        ('select = "SK2"', "check.select must be a list of rule codes or prefixes"),
        ("colour = 1", "check: unknown key 'colour' (known: baseline, fail-on, ignore, max-migrations, "
         "per-path-ignores, select)"),
    ],
)  # fmt: skip
def test_errors(tmp_path: Path, body: str, reason: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.squashkit.check]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_check_config(tmp_path)
    assert info.value.message == f"{tmp_path / 'pyproject.toml'}: [tool.squashkit]: {reason}"


def test_per_path_ignores(tmp_path: Path) -> None:
    source = migration([("a", "__latest__")], [create("Line")])
    root = build(tmp_path, {"a": {"0001_initial": migration(ops=[create("Order")])}, "b": {"0001_initial": source}})
    config = CheckConfig(select=("SK203",), per_path_ignores=(("b/*", ("SK2",)),))
    result = run_check(load_static(root), config)
    assert (result.findings, result.ignored_by_path) == ((), 1)
