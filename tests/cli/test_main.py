"""The ``squashkit`` entry point as a process: what every command does when its output cannot be written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_project"


def _database(tmp_path: Path) -> Path:
    db = tmp_path / "prod.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE django_migrations (id integer PRIMARY KEY, app text, name text, applied text)")
        conn.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('accounts', '0001_initial', '')")
    return db


COMMANDS = [
    ["--help"],
    ["analyze", str(SAMPLE)],
    ["analyze", str(SAMPLE), "--format", "json"],
    ["deps", str(SAMPLE), "--no-verify"],
    ["deps", str(SAMPLE), "--no-verify", "--diff"],
    ["graph", str(SAMPLE)],
    ["history", "show", str(SAMPLE), "--dsn", "prod=sqlite:///{db}"],
    ["history", "snapshot", "prod", str(SAMPLE), "--dsn", "prod=sqlite:///{db}", "-o", "-"],
    ["squash", "status", str(SAMPLE), "--dsn", "prod=sqlite:///{db}"],
]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_stdout_on_a_full_disk_is_a_clean_error(tmp_path: Path, args: list[str]) -> None:
    """``squashkit ... > /dev/full``: ``error: cannot write output: ...`` and exit 2, never a traceback."""
    db = _database(tmp_path)
    argv = [a.replace("{db}", str(db)) for a in args]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "squashkit", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == "error: cannot write output: No space left on device", result.stderr
    assert "Traceback" not in result.stderr


def _json_commands(db: Path) -> list[list[str]]:
    dsn = f"prod=sqlite:///{db}"
    return [
        ["analyze", str(SAMPLE), "--format", "json"],
        ["deps", str(SAMPLE), "--no-verify", "--format", "json"],
        ["history", "show", str(SAMPLE), "--dsn", dsn, "--format", "json"],
        ["squash", "status", str(SAMPLE), "--dsn", dsn, "--format", "json"],
        ["squash", "finalize", str(SAMPLE), "--dsn", dsn, "--format", "json"],
        ["rules", "--format", "json"],
        ["rule", "SK101", "--format", "json"],
    ]


def test_every_json_output_carries_schema_version(tmp_path: Path, run_cli) -> None:
    """Scripts parse these: each JSON output says which shape it has (README: a JSON section per command)."""
    import json

    for args in _json_commands(_database(tmp_path)):
        result = run_cli(*args)
        assert result.exception is None, (args, result.exception)
        data = json.loads(result.stdout)
        assert data.get("schema_version") == 1, args


def test_shared_options_are_offered_alike() -> None:
    """--app and --no-cache mean the same wherever a command loads the project's migrations."""
    import click

    from squashkit.cli import cli

    ctx = click.Context(cli)
    history = cli.get_command(ctx, "history")
    assert isinstance(history, click.Group)
    squash = cli.get_command(ctx, "squash")
    assert isinstance(squash, click.Group)
    commands = {
        "squash plan": squash.get_command(ctx, "plan"),
        "squash run": squash.get_command(ctx, "run"),
        "squash status": squash.get_command(ctx, "status"),
        "squash finalize": squash.get_command(ctx, "finalize"),
        "analyze": cli.get_command(ctx, "analyze"),
        "deps": cli.get_command(ctx, "deps"),
        "graph": cli.get_command(ctx, "graph"),
        "history show": history.get_command(ctx, "show"),
        "verify": cli.get_command(ctx, "verify"),
    }
    for name, command in commands.items():
        assert command is not None
        flags = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"--app", "--no-cache", "--settings"} <= flags, name
        helps = {p.opts[0]: p.help for p in command.params if isinstance(p, click.Option)}
        assert helps["--no-cache"].startswith("Parse every migration file"), name
        assert helps["--app"] == "Restrict to this app label (repeatable).", name
