"""The checks only ``squashkit check`` runs (``squashkit analyze`` keeps its findings): one module per rule.

Each module registers its function with :func:`register` (same :class:`~squashkit.analysis.findings.Check`
as the analysis checks, in a separate table); :func:`load_check_checks` imports them all.  Squash rules that
need the applied state (SK501, SK504) are not here: :mod:`squashkit.check.run` derives them from
:func:`squashkit.squash.lifecycle.squash_status`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from squashkit.analysis.findings import Check, CheckFunction
from squashkit.rules import get_rule

__all__ = ["CHECK_CHECKS", "load_check_checks", "register"]

CHECK_CHECKS: dict[str, Check] = {}


def register(code: str) -> Callable[[CheckFunction], CheckFunction]:
    rule = get_rule(code)

    def decorate(function: CheckFunction) -> CheckFunction:
        if code in CHECK_CHECKS and CHECK_CHECKS[code].function is not function:
            raise ValueError(f"check code {code} registered twice")
        CHECK_CHECKS[code] = Check(rule, function)
        return function

    return decorate


def load_check_checks() -> dict[str, Check]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(CHECK_CHECKS.items()))
