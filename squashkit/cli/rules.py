"""``squashkit rules``: every rule of the registry (code, name, severity, summary, fix command).

``squashkit rule CODE`` prints one rule's explanation.  Exit code 0.
"""

from __future__ import annotations

import click

from squashkit.cli import options
from squashkit.cli.output import echo_json, markdown_table

SCHEMA_VERSION = 1


@click.command("rules")
@options.format_option
@options.handle_errors
def command(fmt: str) -> None:
    """List every rule: code, name, severity and summary (`squashkit rule CODE` explains one)."""
    from squashkit.rules import all_rules

    rules = all_rules()
    if fmt == "json":
        echo_json(
            {
                "schema_version": SCHEMA_VERSION,
                "rules": [{k: v for k, v in rule.to_dict().items() if k != "explanation"} for rule in rules],
            }
        )
        return
    rows = [[r.code, r.name, r.severity.value, r.summary] for r in rules]
    if fmt == "markdown":
        click.echo(markdown_table(["code", "name", "severity", "summary"], rows))
        return
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
