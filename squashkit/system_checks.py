"""The ``squashkit`` Django system checks: ``squashkit check``'s findings as ``squashkit.SK201`` messages.

Run by ``manage.py check --tag squashkit`` (see :mod:`squashkit.apps`).  The project is read statically from
``SQUASHKIT_PROJECT_DIR``, else ``BASE_DIR``, else the current folder; ``[tool.squashkit.check]`` applies
(select, ignore, per-path ignores, baseline, noqa comments), without applied-state sources.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["check_migrations", "requested"]

TAG = "squashkit"


def requested(argv: Sequence[str] | None = None) -> bool:
    """True when ``check`` was asked for the ``squashkit`` tag (``--tag squashkit``, ``-t squashkit``)."""
    args = list(sys.argv if argv is None else argv)
    for i, arg in enumerate(args):
        if arg in ("--tag", "-t") and i + 1 < len(args) and args[i + 1] == TAG:
            return True
        if arg in (f"--tag={TAG}", f"-t{TAG}"):
            return True
    return False


def _root(settings: Any) -> Path:
    for name in ("SQUASHKIT_PROJECT_DIR", "BASE_DIR"):
        value = getattr(settings, name, None)
        if value:
            return Path(value)
    return Path.cwd()


def check_migrations(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.conf import settings
    from django.core import checks

    if not (getattr(settings, "SQUASHKIT_CHECKS", False) or requested()):
        return []
    from squashkit.check import load_check_config, read_baseline, run_check
    from squashkit.errors import SquashkitError
    from squashkit.graph.static import load_static
    from squashkit.rules import Severity

    root = _root(settings)
    try:
        config = load_check_config(root)
        baseline = read_baseline(config.baseline) if config.baseline else None
        result = run_check(load_static(root), config, baseline=baseline)
    except SquashkitError as exc:
        return [checks.Error(exc.message, id="squashkit.E001")]
    kinds = {Severity.ERROR: checks.Error, Severity.WARNING: checks.Warning, Severity.INFO: checks.Info}
    return [
        kinds[f.severity](
            f"{f.location(root) or '.'}: {f.message}",
            hint=f.hint or None,
            obj=str(f.migration) if f.migration else root.name,
            id=f"squashkit.{f.code}",
        )
        for f in result.findings
    ]
