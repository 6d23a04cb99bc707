"""Output helpers: JSON (stable key order), rich tables that fit 80 columns, markdown tables."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # rich is imported when a table is printed, not by every command run
    from rich.console import Console
    from rich.table import Table

__all__ = ["console", "echo_json", "markdown_table", "print_table", "wrap"]


def wrap(text: str, width: int, indent: str = "", subsequent: str | None = None) -> str:
    """``text`` wrapped at ``width`` on spaces only: names and paths are never split, no trailing spaces."""
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines)


def console() -> Console:
    """A console writing to the current stdout; width from the terminal, else $COLUMNS, else 80."""
    from rich.console import Console

    width = shutil.get_terminal_size((int(os.environ.get("COLUMNS", "80") or 80), 24)).columns
    return Console(file=sys.stdout, width=width, soft_wrap=False, highlight=False)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def print_table(table: Table) -> None:
    console().print(table)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A GitHub-flavoured markdown table; ``align`` is one char per column (``l`` or ``r``)."""

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    align = align or "l" * len(headers)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
