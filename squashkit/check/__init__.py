"""``squashkit check``: the CI gate over the rule registry.

>>> from squashkit.check import load_check_config, run_check
>>> result = run_check(load_static("sample_project"), load_check_config(Path("sample_project")))  # doctest: +SKIP
>>> result.exit_code                                                                                # doctest: +SKIP
1

Every analysis rule (SK1xx-SK3xx), the rules only ``check`` runs (SK108, SK204, SK303, SK502, SK503), and with
an applied state the history rules (SK4xx) and the squash-state rules (SK501, SK504).  Selection, per-path
ignores, inline ``# squashkit: noqa: CODE`` comments and a baseline decide what is shown; findings at or above
``fail_on`` make the exit code 1.
"""

from __future__ import annotations

from squashkit.check.baseline import BaselineError, baseline_dict, fingerprint, new_findings, read_baseline
from squashkit.check.config import CheckConfig, load_check_config
from squashkit.check.run import CheckResult, run_check

__all__ = [
    "BaselineError",
    "CheckConfig",
    "CheckResult",
    "baseline_dict",
    "fingerprint",
    "load_check_config",
    "new_findings",
    "read_baseline",
    "run_check",
]
