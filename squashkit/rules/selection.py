"""Which rules are selected: flake8's rule that the more specific prefix wins.

``select`` and ``ignore`` hold codes or code prefixes (``SK2``, ``SK20``, ``SK201``; ``ALL`` is the empty
prefix, as in ruff).  A code is selected when the longest ``select`` prefix it starts with is longer than the
longest ``ignore`` prefix it starts with; at equal length ``ignore`` wins.  An empty ``select`` selects every
code (as ``ALL``).  So ``--select SK2 --ignore SK201`` keeps SK202 and SK203, and
``--ignore SK2 --select SK201`` keeps SK201 alone of the SK2xx rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from squashkit.errors import UsageError
from squashkit.rules.model import Finding

__all__ = ["is_selected", "select_findings", "validate_selectors"]

ALL = "ALL"


def _prefix(selector: str) -> str:
    return "" if selector == ALL else selector


def _longest(code: str, selectors: Iterable[str]) -> int:
    return max((len(p) for p in map(_prefix, selectors) if code.startswith(p)), default=-1)


def is_selected(code: str, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> bool:
    """True when ``code`` is selected by ``select`` and not overridden by a more specific ``ignore``."""
    select = tuple(select)
    chosen = _longest(code, select) if select else 0
    return chosen >= 0 and chosen > _longest(code, ignore)


def select_findings(
    findings: Iterable[Finding], select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[Finding]:
    """The findings whose code is selected (see the module docstring), in their order."""
    select, ignore = tuple(select), tuple(ignore)
    verdict: dict[str, bool] = {}
    kept = []
    for finding in findings:
        keep = verdict.get(finding.code)
        if keep is None:
            keep = verdict[finding.code] = is_selected(finding.code, select, ignore)
        if keep:
            kept.append(finding)
    return kept


def validate_selectors(selectors: Iterable[str], option: str = "--select") -> tuple[str, ...]:
    """``selectors`` upper-cased, each checked to be ``ALL`` or a prefix of at least one registered code.

    A selector may hold several, separated by commas (``--select SK1,SK201`` as in flake8 and ruff).
    Raises :class:`squashkit.errors.UsageError` naming the first one that selects nothing.
    """
    from squashkit.rules.registry import all_rules

    codes = [rule.code for rule in all_rules()]
    out = []
    for raw in (part for item in selectors for part in item.split(",") if part.strip()):
        selector = raw.strip().upper()
        if selector != ALL and not any(code.startswith(selector) for code in codes):
            raise UsageError(
                f"{option} {raw}: no rule code starts with {raw!r}; `squashkit rules` lists every rule",
                option=option,
                selector=raw,
            )
        out.append(selector)
    return tuple(out)
