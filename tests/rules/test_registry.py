"""The rule registry: every rule complete, codes and names unique, lookups and refusals with exact messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from squashkit.rules import Finding, Rule, Severity, UnknownRuleError, all_rules, get_rule, register_rule

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## How to fix"]


def test_every_rule_is_complete() -> None:
    rules = all_rules()
    assert [r.code for r in rules] == sorted(r.code for r in rules)
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert re.fullmatch(r"SK[1-9]\d\d", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.code
        assert isinstance(rule.severity, Severity)
        assert rule.summary and "\n" not in rule.summary and not rule.summary.endswith("."), rule.code
        assert rule.fix == "" or rule.fix.startswith("squashkit "), rule.code
        positions = [rule.explanation.find(section) for section in SECTIONS]
        assert -1 not in positions and positions == sorted(positions), rule.code


def test_the_analysis_and_history_rules() -> None:
    codes = {r.code: (r.name, r.severity.value) for r in all_rules()}
    assert {code: codes[code] for code in codes if code < "SK505"} == {
        "SK101": ("unreadable-file", "error"),
        "SK102": ("computed-dependencies", "warning"),
        "SK103": ("dangling-dependency", "error"),
        "SK104": ("cycle", "error"),
        "SK105": ("conflicting-leaves", "error"),
        "SK106": ("squash-pressure", "info"),
        "SK107": ("external-app", "info"),
        "SK108": ("too-many-migrations", "warning"),
        "SK201": ("over-specified-dependency", "warning"),
        "SK202": ("redundant-dependency", "warning"),
        "SK203": ("latest-dependency", "warning"),
        "SK204": ("dependency-generated-later", "warning"),
        "SK301": ("irreversible-operation", "info"),
        "SK302": ("custom-operation", "info"),
        "SK303": ("not-null-without-default", "warning"),
        "SK401": ("applied-before-dependency", "error"),
        "SK402": ("partial-squash", "warning"),
        "SK403": ("stale-row", "warning"),
        "SK404": ("edited-after-apply", "warning"),
        "SK405": ("squash-not-recorded", "info"),
        "SK501": ("squash-ready", "info"),
        "SK502": ("unported-reference", "error"),
        "SK503": ("depends-on-replaced", "warning"),
        "SK504": ("replaced-files-needed", "error"),
    }


def test_lookup_by_code_or_name() -> None:
    assert get_rule("SK201") is get_rule("over-specified-dependency")
    assert get_rule("SK201").fix == "squashkit deps --fix"


def test_unknown_rule() -> None:
    with pytest.raises(UnknownRuleError) as info:
        get_rule("SK999")
    assert info.value.message == "unknown rule 'SK999'; `squashkit rules` lists every rule"
    assert info.value.exit_code == 2


def test_registering_again_is_idempotent_and_clashes_are_refused() -> None:
    rule = get_rule("SK104")
    assert register_rule(rule) is rule
    with pytest.raises(ValueError, match=r"^rule code SK104 registered twice$"):
        register_rule(Rule("SK104", "other-cycle", Severity.INFO, "Another"))
    with pytest.raises(ValueError, match=r"^rule name 'cycle' registered twice \(SK104 and SK199\)$"):
        register_rule(Rule("SK199", "cycle", Severity.INFO, "Another"))
    with pytest.raises(ValueError, match=r"^rule code 'X1' is not SK followed by three digits"):
        register_rule(Rule("X1", "x", Severity.INFO, "X"))
    with pytest.raises(ValueError, match=r"^rule SK198: name 'Not_Kebab' is not kebab-case$"):
        register_rule(Rule("SK198", "Not_Kebab", Severity.INFO, "X"))
    with pytest.raises(ValueError, match=r"^rule SK198: the summary must be one line$"):
        register_rule(Rule("SK198", "two-lines", Severity.INFO, "a\nb"))
    assert "SK198" not in {r.code for r in all_rules()} and "SK199" not in {r.code for r in all_rules()}


def test_a_finding_of_an_unregistered_code_is_refused() -> None:
    with pytest.raises(UnknownRuleError, match="unknown rule 'SK998'"):
        Finding("SK998", Severity.ERROR, "message")


def test_rule_finding_uses_the_default_severity() -> None:
    rule = get_rule("SK402")
    assert rule.finding("m").severity is Severity.WARNING
    assert rule.finding("m", severity=Severity.ERROR).severity is Severity.ERROR
    assert rule.finding("m").name == "partial-squash"


def _emitted_codes() -> set[str]:
    """Every SKnnn literal in squashkit's source outside the catalog (what modules can emit or name)."""
    root = Path(__file__).resolve().parents[2] / "squashkit"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "catalog" in path.parts:
            continue
        found.update(re.findall(r"\bSK\d\d\d\b", path.read_text(encoding="utf-8")))
    return found


def test_every_code_named_in_the_source_is_registered() -> None:
    registered = {r.code for r in all_rules()}
    emitted = _emitted_codes()
    assert {"SK101", "SK201", "SK401", "SK405"} <= emitted
    assert emitted - registered == set()
