"""``squashkit rule CODE``: what a rule checks, why, an example and how to fix it (as ``ruff rule`` does).

CODE is a rule code (``SK201``, any case) or a rule name (``over-specified-dependency``).  Exit 0, or 2 for an
unknown rule.
"""

from __future__ import annotations

import click

from squashkit.cli import options
from squashkit.cli.output import echo_json

SCHEMA_VERSION = 1


@click.command("rule")
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="Output format.",
)
@options.handle_errors
def command(code: str, fmt: str) -> None:
    """Explain the rule CODE (like SK201): what it does, why, an example and the fix."""
    from squashkit.rules import get_rule

    rule = get_rule(code.upper() if code[:2].lower() == "sk" else code)
    if fmt == "json":
        echo_json({"schema_version": SCHEMA_VERSION, **rule.to_dict()})
        return
    fix = f"`{rule.fix}`" if rule.fix else "none in squashkit (the finding's hint says what to do)"
    click.echo(f"# {rule.name} ({rule.code})\n")
    click.echo(f"{rule.summary}.\n")
    click.echo(f"Severity: {rule.severity.value}. Fix: {fix}.\n")
    click.echo(rule.explanation.rstrip("\n"))
