"""The one registry of rules.

Rules are data, declared in the modules of :mod:`squashkit.rules.catalog` (one module per code range), each
calling :func:`register_rule` at import.  The catalog is imported the first time a rule is looked up, so
adding a rule is adding it to a catalog module (or adding a module there).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from squashkit.errors import SquashkitError
from squashkit.rules.model import Rule

__all__ = ["UnknownRuleError", "all_rules", "get_rule", "register_rule"]

CODE = re.compile(r"SK[1-9][0-9]{2}")
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

_RULES: dict[str, Rule] = {}
_NAMES: dict[str, str] = {}
_loaded = False


class UnknownRuleError(SquashkitError):
    """A rule code (or name) no rule is registered under."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown rule {code!r}; `squashkit rules` lists every rule", code=code)
        self.code = code


def register_rule(rule: Rule) -> Rule:
    """Add ``rule`` to the registry and return it.

    Raises :class:`ValueError` for a malformed code or name, a summary on several lines, or a code or name
    registered twice with different data (registering the same rule again, as a re-import does, is fine).
    """
    if not CODE.fullmatch(rule.code):
        raise ValueError(f"rule code {rule.code!r} is not SK followed by three digits (SK101)")
    if not NAME.fullmatch(rule.name):
        raise ValueError(f"rule {rule.code}: name {rule.name!r} is not kebab-case")
    if not rule.summary or "\n" in rule.summary:
        raise ValueError(f"rule {rule.code}: the summary must be one line")
    known = _RULES.get(rule.code)
    if known is not None and known != rule:
        raise ValueError(f"rule code {rule.code} registered twice")
    owner = _NAMES.get(rule.name)
    if owner is not None and owner != rule.code:
        raise ValueError(f"rule name {rule.name!r} registered twice ({owner} and {rule.code})")
    _RULES[rule.code] = rule
    _NAMES[rule.name] = rule.code
    return rule


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from squashkit.rules import catalog

    for module in pkgutil.iter_modules(catalog.__path__):
        importlib.import_module(f"{catalog.__name__}.{module.name}")


def get_rule(code: str) -> Rule:
    """The rule registered under ``code`` (or under that kebab-case name); :class:`UnknownRuleError` else."""
    rule = _RULES.get(code)
    if rule is not None:
        return rule
    _load()
    rule = _RULES.get(code) or _RULES.get(_NAMES.get(code, ""))
    if rule is None:
        raise UnknownRuleError(code)
    return rule


def all_rules() -> list[Rule]:
    """Every registered rule, by code."""
    _load()
    return [_RULES[code] for code in sorted(_RULES)]
