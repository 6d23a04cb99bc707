"""The check registry: stable codes, selection, and a clash of codes refused."""

from __future__ import annotations

import pytest

from squashkit.analysis.findings import Severity, load_checks, register


def test_registered_codes_are_stable() -> None:
    checks = load_checks()
    assert list(checks) == [
        "SK101", "SK102", "SK103", "SK104", "SK105", "SK106", "SK107", "SK201", "SK202", "SK203", "SK301", "SK302",
    ]  # fmt: skip
    assert checks["SK104"].name == "cycle"
    assert checks["SK104"].severity is Severity.ERROR


def test_code_registered_twice_is_refused() -> None:
    load_checks()

    with pytest.raises(ValueError, match="check code SK104 registered twice"):

        @register("SK104", "other", Severity.INFO, "clash")
        def other(context):  # type: ignore[no-untyped-def]
            return []
