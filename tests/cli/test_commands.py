"""Every squashkit command named to the user exists: in a finding's hint or any source text, a rule's fix or
explanation, and every command's --help."""

from __future__ import annotations

import re
from pathlib import Path

import click

from squashkit.cli import cli
from squashkit.rules import all_rules

SOURCE = Path(__file__).resolve().parents[2] / "squashkit"
NAMED = re.compile(r"`squashkit ([a-z][\w-]*)(?: ([a-z][\w-]*))?")

# Commands named before they land, each by the issue building it. Remove an entry once its command is on main.
PENDING = {
    ("squash", "plan"),  # issue #13 (squashkit/squash/plan.py): named by SK106's hint and fix
}


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}  # type: ignore[misc]


def _help_texts() -> list[str]:
    texts = []
    for name, command in _commands().items():
        texts.append(command.get_help(click.Context(command, info_name=f"squashkit {name}")))
        if isinstance(command, click.Group):
            for sub in command.list_commands(click.Context(command)):
                subcommand = command.get_command(click.Context(command), sub)
                assert subcommand is not None
                texts.append(subcommand.get_help(click.Context(subcommand, info_name=sub)))
    return texts


def _named() -> set[tuple[str, str | None]]:
    texts = [p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py")]
    texts += [f"`{rule.fix}`" for rule in all_rules() if rule.fix]
    texts += [rule.explanation for rule in all_rules()]
    texts += _help_texts()
    return {(m.group(1), m.group(2)) for text in texts for m in NAMED.finditer(text)}


def test_every_named_command_exists() -> None:
    commands = _commands()
    missing = []
    for name, sub in sorted(_named(), key=str):
        command = commands.get(name)
        if isinstance(command, click.Group) and sub is not None:
            exists = sub in command.list_commands(click.Context(command))
        else:
            exists = command is not None
        if not exists and (name, sub) not in PENDING and (name, None) not in PENDING:
            missing.append(f"{name} {sub or ''}".strip())
    assert missing == []


def test_the_scan_finds_commands() -> None:
    named = _named()
    assert {"deps", "rules", "history"} <= {name for name, _ in named}


def _all_commands() -> list[tuple[str, click.Command]]:
    from squashkit.cli import cli

    found: list[tuple[str, click.Command]] = []
    context = click.Context(cli)

    def walk(group: click.Group, prefix: str) -> None:
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None
            found.append((f"{prefix}{name}", command))
            if isinstance(command, click.Group):
                walk(command, f"{prefix}{name} ")

    walk(cli, "")
    return found


def test_every_option_says_what_it_does() -> None:
    """`--help` of every command and sub-command explains each of its options."""
    missing = [
        f"{name} {param.opts[0]}"
        for name, command in _all_commands()
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == []
