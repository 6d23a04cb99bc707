"""``squashkit check`` output formats, as text: text (as ruff), json, github (workflow commands), sarif
(SARIF 2.1.0, for code scanning) and markdown.  Nothing is printed here: the CLI writes what these return.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from squashkit.check.baseline import fingerprint
from squashkit.check.run import CheckResult
from squashkit.rules import Finding, Severity, get_rule

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "github", "sarif", "markdown")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _where(finding: Finding, root: Path) -> str:
    """``path:line`` (relative), the path, the migration, else ``.`` (the project)."""
    return finding.location(root) or "."


def _summary(result: CheckResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    if result.findings:
        parts = [f"{counts[s]} {s.value}" for s in Severity if counts[s]]
        text = f"Found {len(result.findings)} finding(s): {', '.join(parts)}"
    else:
        text = "All checks passed"
    left_out = [
        f"{n} {what}"
        for n, what in (
            (result.suppressed, "suppressed by noqa"),
            (result.ignored_by_path, "ignored by path"),
            (result.baselined, "in the baseline"),
        )
        if n
    ]
    if left_out:
        text += f" ({'; '.join(left_out)})"
    return text + "."


def text(result: CheckResult) -> str:
    root = result.project.root
    lines = [f"{_where(f, root)}: {f.code} {f.message}" for f in result.findings]
    lines += [f"warning: source not read: {source}" for source in result.unreadable_sources]
    lines.append(_summary(result))
    return "\n".join(lines)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(result: CheckResult) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on its file and line when known."""
    root = result.project.root
    lines = []
    for f in result.findings:
        props = []
        if f.path is not None:
            try:
                props.append(f"file={_escape_property(f.path.relative_to(root).as_posix())}")
            except ValueError:
                props.append(f"file={_escape_property(f.path.as_posix())}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        message = f.message + (f" ({f.hint})" if f.hint else "")
        lines.append(f"::{_GITHUB_LEVELS[f.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)


def sarif_dict(result: CheckResult) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: the rules that have results, and one result per finding."""
    from squashkit import __version__

    root = result.project.root
    codes = sorted({f.code for f in result.findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = get_rule(code)
        entry: dict[str, Any] = {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {"text": rule.explanation, "markdown": rule.explanation},
            "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        }
        rules.append(entry)
    results = []
    for f in result.findings:
        item: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVELS[f.severity],
            "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")},
            "partialFingerprints": {"squashkit/v1": fingerprint(f, root)},
        }
        if f.path is not None:
            try:
                uri = f.path.relative_to(root).as_posix()
                location: dict[str, Any] = {"uri": uri, "uriBaseId": "%SRCROOT%"}
            except ValueError:
                location = {"uri": f.path.as_uri()}
            physical: dict[str, Any] = {"artifactLocation": location}
            if f.line:
                physical["region"] = {"startLine": f.line}
            item["locations"] = [{"physicalLocation": physical}]
        if f.migration is not None:
            item["properties"] = {"migration": str(f.migration), "related": [str(k) for k in f.related]}
        results.append(item)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "squashkit",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/squashkit/",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def markdown(result: CheckResult) -> str:
    root = result.project.root
    lines = [f"## squashkit check: `{root.name}`", "", _summary(result)]
    if result.findings:
        rows = [[f.code, f.severity.value, f"`{_where(f, root)}`", f.message] for f in result.findings]
        lines += ["", "| code | severity | location | message |", "| --- | --- | --- | --- |"]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def render(result: CheckResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2)
    if fmt == "sarif":
        return json.dumps(sarif_dict(result), indent=2)
    if fmt == "github":
        return github(result)
    if fmt == "markdown":
        return markdown(result)
    return text(result)
