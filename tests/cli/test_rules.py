"""``squashkit rules``: every rule listed, in each format."""

from __future__ import annotations

import json

from squashkit.rules import all_rules


def test_table_lists_every_rule(run_cli) -> None:
    result = run_cli("rules")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(all_rules())
    # columns padded to the longest name: one space-run separates each of the first three columns
    assert lines[0].split(maxsplit=3) == ["SK101", "unreadable-file", "error", "A migration file could not be parsed"]
    width = max(len(r.name) for r in all_rules())
    assert lines[0].startswith("SK101  " + "unreadable-file".ljust(width) + "  error    A migration")
    assert any(line.split(maxsplit=3)[:3] == ["SK201", "over-specified-dependency", "warning"] for line in lines)


def test_json(run_cli) -> None:
    result = run_cli("rules", "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert [r["code"] for r in data["rules"]] == [r.code for r in all_rules()]
    assert data["rules"][0] == {
        "code": "SK101",
        "name": "unreadable-file",
        "severity": "error",
        "summary": "A migration file could not be parsed",
        "fix": "",
    }


def test_markdown(run_cli) -> None:
    result = run_cli("rules", "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "| code | name | severity | summary |",
        "| --- | --- | --- | --- |",
        "| SK101 | unreadable-file | error | A migration file could not be parsed |",
    ]
