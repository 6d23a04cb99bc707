"""``squashkit check`` output formats: text as ruff, GitHub annotations, SARIF valid against the 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from squashkit.check import CheckConfig, run_check
from squashkit.check.formats import render, sarif_dict
from squashkit.graph.static import load_static
from tests.conftest import SAMPLE_PROJECT

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return run_check(load_static(SAMPLE_PROJECT), CheckConfig())


def test_sarif_is_valid_sarif_2_1_0(result) -> None:  # type: ignore[no-untyped-def]
    log = sarif_dict(result)
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted({f.code for f in result.findings})
    assert len(run["results"]) == len(result.findings)
    first = run["results"][0]
    assert first["ruleId"] == "SK201"
    assert first["level"] == "warning"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {
            "uri": "billing/migrations/0001_squashed_0004_alter_invoice_amount.py",
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": 14},
    }
    # an app-wide finding (squash pressure) is located at the app's migrations folder, without a region
    pressure = next(r for r in run["results"] if r["ruleId"] == "SK106")
    assert pressure["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "inventory/migrations", "uriBaseId": "%SRCROOT%"}}}
    ]


def test_an_invalid_log_is_refused_by_the_schema(result) -> None:  # type: ignore[no-untyped-def]
    log = sarif_dict(result)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)


def test_text(result) -> None:  # type: ignore[no-untyped-def]
    lines = render(result, "text").splitlines()
    assert lines[0] == (
        "billing/migrations/0001_squashed_0004_alter_invoice_amount.py:14: SK201 "
        "billing.0001_squashed_0004_alter_invoice_amount depends on customers.0004_alter_customer_email: needs only "
        "customers.0001_initial, which creates customers.customer"
    )
    assert (
        "inventory/migrations: SK106 inventory: squash pressure 59 (32 migrations since the last squash, "
        "27 foldable operations, 1 RunPython/RunSQL barriers)" in lines
    )
    assert lines[-1] == "Found 13 finding(s): 11 warning, 2 info."


def test_github(result) -> None:  # type: ignore[no-untyped-def]
    lines = render(result, "github").splitlines()
    assert lines[0].startswith(
        "::warning file=billing/migrations/0001_squashed_0004_alter_invoice_amount.py,line=14,"
        "title=SK201 over-specified-dependency::billing.0001_squashed_0004_alter_invoice_amount depends on "
    )
    assert [line.split(" ", 1)[0] for line in lines].count("::notice") == 2


def test_json_and_markdown(result) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(result, "json"))
    assert data["schema_version"] == 1
    assert data["counts"] == {"error": 0, "warning": 11, "info": 2}
    assert data["exit_code"] == 1
    assert data["findings"][0]["name"] == "over-specified-dependency"
    assert data["findings"][0]["line"] == 14
    markdown = render(result, "markdown").splitlines()
    assert markdown[:3] == ["## squashkit check: `sample_project`", "", "Found 13 finding(s): 11 warning, 2 info."]
    assert markdown[4] == "| code | severity | location | message |"
