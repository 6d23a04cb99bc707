"""``squashkit graph``: export the migration graph as DOT (always) or SVG/PNG/PDF (needs graphviz's ``dot``).

Examples::

    squashkit graph sample_project                          # DOT on stdout
    squashkit graph sample_project -o graph.svg             # format from the suffix: .dot .gv .svg .png .pdf
    squashkit graph sample_project --level app -o apps.svg  # one node per app, edges carry counts
    squashkit graph sample_project --app inventory --with-deps -o inventory.dot
    squashkit graph sample_project --app inventory --since 0003 -o recent.png
    squashkit graph sample_project --all-envs -o state.svg  # fill by applied state (see squashkit history)
    squashkit graph . --dsn prod=postgresql://... --snapshot staging=staging.json -o state.svg

Exit codes: 0 written, 2 usage or input error (unknown app, too many nodes, missing ``dot`` binary).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from squashkit.cli import options
from squashkit.errors import UsageError
from squashkit.export.dot import LEVELS, TooManyNodesError, declared_edges, resolve_since, to_dot
from squashkit.export.render import FORMATS, format_for, render
from squashkit.graph.graph import MigrationGraph
from squashkit.graph.model import MigrationKey, Project

DEFAULT_MAX_NODES = 2000


def _removable(project: Project, graph: MigrationGraph, apps: list[str] | None) -> frozenset:
    """Edges that ``squashkit deps`` proposes to remove (static proposals, no Django)."""
    try:
        from squashkit.deps.propose import propose
    except ImportError:  # pragma: no cover - deps ships with squashkit
        return frozenset()
    removed: list[tuple[MigrationKey, MigrationKey]] = []
    kept: list[tuple[MigrationKey, MigrationKey]] = []
    for proposal in propose(project, apps=apps, graph=graph):
        for change in proposal.changes:
            if change.action in ("remove", "keep"):
                (removed if change.action == "remove" else kept).append((change.dependency, proposal.migration))
    # Two declared dependencies can be one edge (both re-pointed to a squash): removable only if none is kept.
    return declared_edges(graph, removed) - declared_edges(graph, kept)


def _write(data: bytes, output: Path | None, fmt: str) -> None:
    if output is None or str(output) == "-":
        if fmt == "dot" or fmt == "svg":
            click.echo(data.decode("utf-8"), nl=False)
        else:
            stream = sys.stdout.buffer  # click.get_binary_stream is deprecated in click 8.3+
            stream.write(data)
            stream.flush()
        return
    blocking = next((p for p in (output.parent, *output.parent.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:  # mkdir would say "File exists"
        raise UsageError(f"cannot write {output}: {blocking} is a file, not a directory")
    if output.is_dir():
        raise UsageError(f"cannot write {output}: it is a directory; give a file name (-o {output / 'graph.dot'})")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


@click.command("graph")
@options.project_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write here; the suffix picks the format (.dot/.gv, .svg, .png, .pdf). Default: DOT on stdout.",
)
@click.option(
    "--format-out",
    "format_out",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format, whatever the suffix of -o.",
)
@options.settings_option
@options.django_option
@options.app_option
@click.option("--with-deps", is_flag=True, help="With --app: also draw the other apps' migrations they need.")
@click.option(
    "--since",
    metavar="NAME",
    default=None,
    help="Only this migration and what comes after it: APP.NAME, or NAME (or a unique prefix) with one --app.",
)
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="migration",
    show_default=True,
    help="migration: one node per migration, clustered by app; app: one node per app, edges carry counts.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_NODES,
    show_default=True,
    help="Refuse to draw more nodes than this.",
)
@click.option(
    "--proposals/--no-proposals",
    default=True,
    show_default=True,
    help="Style the dependencies that `squashkit deps` proposes to remove (static proposals).",
)
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@options.cache_option
@options.applied_state_options
@options.handle_errors
def command(
    project_dir: Path,
    output: Path | None,
    format_out: str | None,
    settings: str | None,
    use_django: bool,
    apps: tuple[str, ...],
    with_deps: bool,
    since: str | None,
    level: str,
    max_nodes: int,
    proposals: bool,
    no_legend: bool,
    no_cache: bool,
    **sources: Any,
) -> None:
    """Export the migration graph of PROJECT_DIR (default: .) as graphviz DOT, SVG, PNG or PDF.

    One cluster per app; cross-app, redundant and proposed-removable dependencies, squashes and what they
    replace, RunPython/RunSQL migrations, leaf conflicts and cycles are drawn distinctly (see the legend).
    The DOT text is deterministic: the same project gives byte-identical output.
    """
    fmt = format_for(output, format_out)
    if with_deps and not apps:
        raise UsageError("--with-deps needs --app")
    settings = options.resolve_settings(project_dir, settings, use_django)
    project = options.load_project(project_dir, settings, cache=not no_cache)
    selected = options.check_apps(project, apps)
    applied = None
    if options.has_applied_sources(**sources):
        applied = options.collect_from_options(project_dir, settings=settings, **sources).by_label()
    # One source: Django's replacement rules for that database (a partly applied squash is not used).
    # Several: squashes are drawn as in use; each node's fill still tells where it is applied.
    graph = project.graph(next(iter(applied.values())) if applied and len(applied) == 1 else ())
    since_key = resolve_since(graph, since, selected) if since else None
    removable = _removable(project, graph, selected) if proposals else frozenset()
    try:
        text = to_dot(
            graph,
            apps=selected,
            with_deps=with_deps,
            since=since_key,
            level=level,
            max_nodes=max_nodes,
            applied=applied,
            removable=removable,
            legend=not no_legend,
        )
    except TooManyNodesError as exc:
        hints = "narrow it with --app (and --since), draw one node per app with --level app"
        if level == "app":
            hints = "narrow it with --app"
        raise UsageError(
            f"the {exc.level}-level graph has {exc.count} nodes, more than --max-nodes {exc.limit}; "
            f"{hints}, or raise --max-nodes"
        ) from exc
    _write(render(text, fmt), output, fmt)
    if output is not None and str(output) != "-":
        click.echo(f"wrote {output} ({fmt.upper()})", err=True)
    sys.stdout.flush()
