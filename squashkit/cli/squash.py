"""``squashkit squash``: plan, run and finish squashes (one sub-command per stage of a squash's life)."""

from __future__ import annotations

import click

from squashkit.cli._squash_lifecycle import finalize_command, status_command
from squashkit.cli._squash_plan import plan_command
from squashkit.cli._squash_run import run_command


@click.group("squash")
def command() -> None:
    """Squash migrations safely: plan safe ranges, run (write squashed migrations, proven), status, finalize."""


# One sub-command per stage of a squash's life, each in its own module: add new stages here, in life order.
command.add_command(plan_command)
command.add_command(run_command)
command.add_command(status_command)
command.add_command(finalize_command)
