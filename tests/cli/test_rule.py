"""``squashkit rule CODE``: the explanation of one rule, as ``ruff rule`` prints it; unknown codes exit 2."""

from __future__ import annotations

import json

import pytest

from squashkit.rules import all_rules


def test_explanation(run_cli) -> None:
    result = run_cli("rule", "SK201")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "# over-specified-dependency (SK201)",
        "",
        "Cross-app dependency wider than needed.",
        "",
        "Severity: warning. Fix: `squashkit deps --fix`.",
        "",
    ]
    assert [line for line in lines if line.startswith("## ")] == [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## How to fix",
    ]


def test_lower_case_code_and_name(run_cli) -> None:
    assert run_cli("rule", "sk201").stdout == run_cli("rule", "over-specified-dependency").stdout


def test_rule_without_fix_command(run_cli) -> None:
    lines = run_cli("rule", "SK105").stdout.splitlines()
    assert lines[4] == "Severity: error. Fix: none in squashkit (the finding's hint says what to do)."


@pytest.mark.parametrize("code", [r.code for r in all_rules()])
def test_every_rule_is_explained(run_cli, code: str) -> None:
    data = json.loads(run_cli("rule", code, "--format", "json").stdout)
    assert data["schema_version"] == 1
    assert data["code"] == code
    assert data["explanation"].startswith("## What it does\n")


def test_unknown_code(run_cli) -> None:
    result = run_cli("rule", "SK999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: unknown rule 'SK999'; `squashkit rules` lists every rule\n"


def test_sk201_explains_every_case_it_reports(run_cli) -> None:
    """SK201 also fires for an unreferenced app and beside a provider already listed, not only "later"."""
    text = " ".join(run_cli("rule", "SK201").stdout.split())
    assert "nothing of which is referenced" in text
    assert "already listed" in text


def test_summary_in_the_command_list(run_cli) -> None:
    """click cuts a command's summary at its first full stop: '(e.g.' left 'Explain the rule CODE (e.g.'."""
    result = run_cli("--help")
    assert "  rule     Explain the rule CODE (like SK201): what it does, why, an...\n" in result.stdout
