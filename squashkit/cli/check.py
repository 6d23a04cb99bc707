"""``squashkit check``: fail CI on migration problems that matter, as a linter does.

Examples::

    squashkit check                               # every rule; exit 1 on warnings or errors
    squashkit check --select SK2 --ignore SK202   # the more specific prefix wins, as flake8
    squashkit check --format github               # annotations in a GitHub Actions run
    squashkit check --format sarif > squashkit.sarif
    squashkit check --write-baseline squashkit-baseline.json    # accept what is there today
    squashkit check --baseline squashkit-baseline.json          # then only new findings fail

With environments configured ([tool.squashkit.environments]) or sources given (--env, --dsn, --snapshot,
--database), the history rules (SK4xx) and the squash-state rules (SK501, SK504) are checked too.  Inline
``# squashkit: noqa: SK201`` on a line (or on a line of its own, for the whole file) suppresses findings;
[tool.squashkit.check] holds the defaults (select, ignore, fail-on, max-migrations, baseline,
per-path-ignores).

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from squashkit.cli import options
from squashkit.errors import UsageError


@click.command("check")
@options.project_argument
@options.settings_option
@options.django_option
@options.app_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json", "github", "sarif", "markdown")),
    default="text",
    show_default=True,
    help="Output format (text: path:line: CODE message, as ruff).",
)
@click.option(
    "--select", "select", multiple=True, metavar="CODE", help="Rule codes or prefixes to check (repeatable, or A,B)."
)
@click.option(
    "--ignore", "ignore", multiple=True, metavar="CODE", help="Rule codes or prefixes to skip (repeatable, or A,B)."
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(("error", "warning", "info")),
    default=None,
    help="Lowest severity that fails (exit 1); default: [tool.squashkit.check] fail-on, else warning.",
)
@click.option(
    "--baseline",
    "baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Findings recorded in FILE are accepted: only new ones are shown and fail.",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Record every current finding in FILE (then exit 0).",
)
@options.cache_option
@options.applied_state_options
@options.handle_errors
def command(
    project_dir: Path,
    settings: str | None,
    use_django: bool,
    apps: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    baseline: Path | None,
    write_baseline: Path | None,
    no_cache: bool,
    **source_opts: Any,
) -> None:
    """Check PROJECT_DIR (default: .) against every rule; exit 1 on findings at or above --fail-on."""
    from squashkit.check import baseline_dict, load_check_config, read_baseline, run_check
    from squashkit.history.environments import load_environments
    from squashkit.rules import Severity, validate_selectors

    if baseline is not None and write_baseline is not None:
        raise UsageError("--baseline and --write-baseline are exclusive")
    config = load_check_config(project_dir)
    changes: dict[str, Any] = {}
    if select:
        changes["select"] = validate_selectors(select, "--select")
    if ignore:
        changes["ignore"] = config.ignore + validate_selectors(ignore, "--ignore")
    if fail_on:
        changes["fail_on"] = Severity(fail_on)
    config = dataclasses.replace(config, **changes)
    project = options.load_project(project_dir, settings, use_django, cache=not no_cache)
    options.check_apps(project, apps)
    opts = source_opts
    if not options.has_applied_sources(**opts) and load_environments(project_dir):
        opts = {**opts, "all_envs": True}
    state = None
    if options.has_applied_sources(**opts):
        state = options.collect_from_options(project_dir, settings=settings, warn=fmt == "text", **opts)
    path = baseline if baseline is not None else config.baseline if write_baseline is None else None
    accepted = read_baseline(path) if path is not None else None
    result = run_check(project, config, apps=apps or None, applied=state, baseline=accepted)
    if write_baseline is not None:
        data = baseline_dict(result.before_baseline, project.root)
        write_baseline.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        click.echo(f"wrote {write_baseline} ({len(data['findings'])} finding(s) accepted)", err=True)
        return
    from squashkit.check.formats import render

    output = render(result, fmt)
    if output:
        click.echo(output)
    sys.stdout.flush()
    sys.exit(result.exit_code)
