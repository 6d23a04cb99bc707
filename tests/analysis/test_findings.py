"""The check registry: one check per analysis rule, stable codes, and a clash of codes refused."""

from __future__ import annotations

import pytest

from squashkit.analysis.findings import Severity, load_checks, register
from squashkit.rules import UnknownRuleError


def test_registered_codes_are_stable() -> None:
    checks = load_checks()
    assert list(checks) == [
        "SK101", "SK102", "SK103", "SK104", "SK105", "SK106", "SK107", "SK201", "SK202", "SK203", "SK301", "SK302",
    ]  # fmt: skip
    assert checks["SK104"].name == "cycle"
    assert checks["SK104"].severity is Severity.ERROR
    assert checks["SK104"].summary == "Circular dependency between migrations"


def test_code_registered_twice_is_refused() -> None:
    load_checks()

    with pytest.raises(ValueError, match="check code SK104 registered twice"):

        @register("SK104")
        def other(context):  # type: ignore[no-untyped-def]
            return []


def test_check_of_an_unregistered_rule_is_refused() -> None:
    with pytest.raises(UnknownRuleError, match="unknown rule 'SK999'"):
        register("SK999")
