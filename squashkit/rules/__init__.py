"""The one rule registry: every finding squashkit reports is a :class:`Finding` of a registered :class:`Rule`.

>>> from squashkit.rules import get_rule, select_findings
>>> get_rule("SK201").name
'over-specified-dependency'
>>> [rule.code for rule in all_rules()][:3]
['SK101', 'SK102', 'SK103']

Codes: ``SK1xx`` graph and files, ``SK2xx`` dependencies, ``SK3xx`` operations, ``SK4xx`` applied history,
``SK5xx`` squashes, ``SK6xx`` verification on a real database.  Rules are data in
:mod:`squashkit.rules.catalog`; :func:`select_findings` applies ``--select``/``--ignore`` as flake8 does (the
more specific prefix wins, ``ignore`` on a tie).
"""

from __future__ import annotations

from squashkit.rules.model import Finding, Rule, Severity
from squashkit.rules.registry import UnknownRuleError, all_rules, get_rule, register_rule
from squashkit.rules.selection import is_selected, select_findings, validate_selectors

__all__ = [
    "Finding",
    "Rule",
    "Severity",
    "UnknownRuleError",
    "all_rules",
    "get_rule",
    "is_selected",
    "register_rule",
    "select_findings",
    "validate_selectors",
]
