"""``squashkit report``: one file gathering analyze, deps, the squash plan and the environments.

Examples::

    squashkit report sample_project --format html -o report.html
    squashkit report . --format html -o report.html --all-envs     # with the environment matrix
    squashkit report . --format html -o - > report.html
    squashkit report . --format markdown -o pr.md --before origin/main    # a cleanup PR's body

The HTML page is self-contained (inline CSS, JS and SVG; it loads nothing) and deterministic: the same
project and graphviz give the same bytes, with paths relative to the project and no timestamp.  Graphs need
graphviz's ``dot``; without it the page says so and keeps every table.  Environments: the applied-state
options, else every configured environment (``[tool.squashkit.environments]``), else none.

Exit codes: 0 written, 2 usage or input error.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from squashkit.cli import options
from squashkit.errors import UsageError
from squashkit.report import FORMATS, collect_report, needs_graphs, render


def _applied(project_dir: Path, settings: str | None, opts: dict[str, Any]) -> Any:
    """The applied state the options name, else that of every configured environment, else None."""
    from squashkit.history import load_environments

    if not options.has_applied_sources(**opts):
        if not load_environments(project_dir):
            return None
        opts = {**opts, "all_envs": True}
    return options.collect_from_options(project_dir, settings=settings, require=False, **opts)


def _plan_applied(project_dir: Path, settings: str | None, opts: dict[str, Any]) -> Any:
    """The applied state bounding the squash plan (the same sources), None without the planner or sources."""
    from squashkit.history import load_environments
    from squashkit.report.data import plan_available

    if not plan_available():
        return None
    if not options.has_applied_sources(**opts):
        if not load_environments(project_dir):
            return None
        opts = {**opts, "all_envs": True}
    from squashkit.history.applied import collect_applied_state

    return collect_applied_state(
        project_dir,
        settings=settings,
        envs=opts.get("envs", ()),
        all_envs=opts.get("all_envs", False),
        dsns=opts.get("dsns", ()),
        snapshots=opts.get("snapshots", ()),
        schemas=opts.get("schemas", ()),
        databases=opts.get("databases", ()),
        all_schemas=opts.get("all_schemas", False),
        require_readable=False,
    )


@click.command("report")
@options.project_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="html",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    metavar="FILE",
    help="Write the report here (- for stdout).",
)
@options.settings_option
@options.django_option
@click.option("--verify", is_flag=True, help="Verify the dependency proposals with Django (needs settings).")
@click.option(
    "--before",
    "before",
    default=None,
    metavar="REF",
    help="markdown: compare with the project at this git ref (a before/after table of counts).",
)
@options.cache_option
@options.applied_state_options
@options.handle_errors
def command(
    project_dir: Path,
    fmt: str,
    output: Path,
    settings: str | None,
    use_django: bool,
    verify: bool,
    before: str | None,
    no_cache: bool,
    **sources: Any,
) -> None:
    """Write a report of PROJECT_DIR (default: .): summary, graphs, apps, findings, proposals, environments.

    HTML: one self-contained page to explore: pan and zoom the app graph, click an app for its migration
    graph and table, search a migration for its ancestors, descendants, dependencies and findings.
    """
    settings = options.resolve_settings(project_dir, settings, use_django)
    project = options.load_project(project_dir, settings, cache=not no_cache)
    proposals = None
    note = ""
    if verify:
        from squashkit.deps.propose import propose
        from squashkit.deps.verify import find_settings
        from squashkit.deps.verify import verify as verify_proposals

        found = find_settings(project.root, settings)
        if found is None:
            raise UsageError("--verify needs settings: pass --settings MODULE or set [tool.squashkit] settings")
        proposals = propose(project)
        if any(p.pending for p in proposals):
            proposals = verify_proposals(project, proposals, settings=found, root=project.root)
        if not proposals and not project.graph().is_acyclic:
            note = "No proposal: the graph has a dependency cycle."
    applied = _applied(project_dir, settings, sources)
    data = collect_report(
        project,
        applied=applied,
        proposals=proposals,
        proposals_note=note,
        graphs=needs_graphs(fmt),
        plan_applied=_plan_applied(project_dir, settings, sources),
    )
    if before is not None:
        if fmt != "markdown":
            raise UsageError("--before needs --format markdown")
        from squashkit.report.before import counts_at

        data = dataclasses.replace(data, before=counts_at(project_dir, before), before_label=before)
    text = render(data, fmt)
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    size = len(text.encode("utf-8"))
    click.echo(f"wrote {output} ({fmt.upper()}, {size / 1024:.0f} KiB)", err=True)
    if data.graphs is not None and data.graphs.note:
        click.echo(f"note: {data.graphs.note}", err=True)
