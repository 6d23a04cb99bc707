"""--select / --ignore as flake8 resolves them: the more specific prefix wins, ignore on a tie."""

from __future__ import annotations

import pytest

from squashkit.errors import UsageError
from squashkit.rules import Finding, Severity, is_selected, select_findings, validate_selectors


@pytest.mark.parametrize(
    ("code", "select", "ignore", "expected"),
    [
        ("SK201", (), (), True),
        ("SK201", ("SK2",), (), True),
        ("SK301", ("SK2",), (), False),
        ("SK201", (), ("SK2",), False),
        ("SK201", ("SK2",), ("SK201",), False),  # ignore more specific
        ("SK202", ("SK2",), ("SK201",), True),
        ("SK201", ("SK201",), ("SK2",), True),  # select more specific
        ("SK202", ("SK201",), ("SK2",), False),
        ("SK201", ("SK20",), ("SK20",), False),  # same length: ignore wins
        ("SK201", ("SK2", "SK201"), ("SK20",), True),  # the longest select prefix counts
        ("SK201", ("ALL",), (), True),
        ("SK201", ("ALL",), ("ALL",), False),
        ("SK201", ("SK201",), ("ALL",), True),
        ("SK101", (), ("ALL",), False),
    ],
)
def test_precedence(code: str, select: tuple[str, ...], ignore: tuple[str, ...], expected: bool) -> None:
    assert is_selected(code, select, ignore) is expected


def test_select_findings_keeps_order() -> None:
    findings = [Finding(c, Severity.WARNING, c) for c in ("SK203", "SK201", "SK301", "SK202")]
    kept = select_findings(findings, select=["SK2"], ignore=["SK201"])
    assert [f.code for f in kept] == ["SK203", "SK202"]


def test_validate_selectors() -> None:
    assert validate_selectors(["sk2", "SK201", "ALL"]) == ("SK2", "SK201", "ALL")
    assert validate_selectors(["SK1,sk201", " SK3 ,"]) == ("SK1", "SK201", "SK3")  # flake8's comma lists
    with pytest.raises(UsageError) as info:
        validate_selectors(["SK9"], "--ignore")
    assert info.value.message == "--ignore SK9: no rule code starts with 'SK9'; `squashkit rules` lists every rule"
    with pytest.raises(UsageError) as info:
        validate_selectors(["SK1,SK9"])
    assert info.value.message == "--select SK9: no rule code starts with 'SK9'; `squashkit rules` lists every rule"
