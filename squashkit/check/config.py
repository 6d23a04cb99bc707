"""``[tool.squashkit.check]``: the defaults of ``squashkit check`` for a project.

::

    [tool.squashkit.check]
    select = ["SK1", "SK2"]          # codes or prefixes (default: every rule)
    ignore = ["SK301"]               # the more specific of select/ignore wins, as flake8
    fail-on = "warning"              # error | warning | info: the lowest severity that fails (exit 1)
    max-migrations = 100             # SK108: an app with more migration files than this
    baseline = "squashkit-baseline.json"   # findings accepted when the baseline was written

    [tool.squashkit.check.per-path-ignores]
    "legacy/*" = ["SK2"]            # glob on the finding's path, relative to the project
    "*/migrations/0001_*.py" = ["SK301", "SK302"]

Command-line options override these (``--select`` replaces ``select``, ``--ignore`` adds to ``ignore``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from squashkit.config import Config, load_config
from squashkit.errors import ConfigError
from squashkit.rules import Severity

__all__ = ["DEFAULT_MAX_MIGRATIONS", "CheckConfig", "load_check_config"]

DEFAULT_MAX_MIGRATIONS = 100
_KEYS = {"select", "ignore", "fail-on", "max-migrations", "baseline", "per-path-ignores"}


@dataclass(frozen=True)
class CheckConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.WARNING
    max_migrations: int = DEFAULT_MAX_MIGRATIONS
    baseline: Path | None = None
    #: ``(glob, codes)`` pairs, in file order
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _codes(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, f"check.{key} must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def load_check_config(root: Path, config: Config | None = None) -> CheckConfig:
    """Read ``[tool.squashkit.check]`` of ``root/pyproject.toml`` (absent: the defaults)."""
    config = config if config is not None else load_config(root)
    table = config.raw.get("check", {})
    path = config.path or root / "pyproject.toml"
    if not isinstance(table, dict):
        raise ConfigError(path, "check must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(path, f"check: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    fail_on = table.get("fail-on", Severity.WARNING.value)
    if fail_on not in {s.value for s in Severity}:
        raise ConfigError(path, f"check.fail-on must be error, warning or info, got {fail_on!r}")
    maximum = table.get("max-migrations", DEFAULT_MAX_MIGRATIONS)
    if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < 1:
        raise ConfigError(path, f"check.max-migrations must be a positive integer, got {maximum!r}")
    baseline = table.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise ConfigError(path, "check.baseline must be a path string")
    ignores = table.get("per-path-ignores", {})
    if not isinstance(ignores, dict):
        raise ConfigError(path, "check.per-path-ignores must be a table of glob = [codes]")
    return CheckConfig(
        select=_codes(path, "select", table.get("select", [])),
        ignore=_codes(path, "ignore", table.get("ignore", [])),
        fail_on=Severity(fail_on),
        max_migrations=maximum,
        baseline=root / baseline if baseline else None,
        per_path_ignores=tuple((glob, _codes(path, f"per-path-ignores.{glob}", v)) for glob, v in ignores.items()),
    )
