"""``squashkit squash``: plan, run and finish squashes (one sub-command per stage of a squash's life)."""

from __future__ import annotations

import click

from squashkit.cli._squash_lifecycle import finalize_command, status_command


@click.group("squash")
def command() -> None:
    """Squash migrations safely: status of existing squashes, finalize those recorded everywhere."""


command.add_command(status_command)
command.add_command(finalize_command)
