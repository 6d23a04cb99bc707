"""``squashkit analyze``: per-app migration metrics, project totals and findings.

Exit codes: 0 when the analysis ran (findings are reported, not failed on: use ``squashkit check`` in CI),
1 with ``--cross-check`` when the static and Django views disagree, 2 on input errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from squashkit.analysis import AppMetrics, Report, analyze
from squashkit.cli import options
from squashkit.cli.output import console, echo_json, markdown_table, wrap

COLUMNS = [
    # (header, cell, legend); pairs share a column so the table fits an 80-column terminal
    ("files", lambda r: f"{r.migrations}", "migration files"),
    ("sq", lambda r: f"{r.squashed}", "squashed migrations (with replaces)"),
    (
        "in/out",
        lambda r: f"{r.deps_in}/{r.deps_out}",
        "cross-app dependencies on the app (others need it) / of the app",
    ),
    ("chain", lambda r: f"{r.longest_chain}", "longest chain within the app"),
    ("py/sql", lambda r: f"{r.run_python}/{r.run_sql}", "RunPython/RunSQL operations"),
    ("irr", lambda r: f"{r.irreversible}", "irreversible operations"),
    ("red", lambda r: f"{r.redundant}", "transitively redundant dependencies"),
    ("over", lambda r: f"{r.over_specified}", "over-specified cross-app dependencies"),
    ("leaf", lambda r: f"{r.leaves}", "leaf nodes (more than 1: conflict)"),
    ("press", lambda r: f"{r.pressure}", "squash pressure 0-100 (20 medium, 50 high)"),
]
_PRESSURE_STYLE = {"high": "bold red", "medium": "yellow", "low": ""}
#: column header -> the analysis (:class:`squashkit.analysis.Skipped`) it shows; a skipped one prints "-"
_ANALYSIS_OF = {"chain": "longest_chain", "red": "redundant", "over": "over_specified", "press": "pressure"}


def _cells(report: Report, row: AppMetrics) -> list[str]:
    return [
        "-" if report.is_skipped(_ANALYSIS_OF.get(header, ""), row.app) else cell(row) for header, cell, _ in COLUMNS
    ]


def _code(text: str) -> str:
    """``text`` as inline code, or an empty cell (never a literal `` ` ` ``)."""
    return f"`{text}`" if text else ""


def _totals_line(report: Report) -> str:
    t = report.totals
    longest = "skipped" if report.is_skipped("longest_path") else str(len(t.longest_path))
    return (
        f"{t.apps} apps, {t.nodes} migrations, {t.edges} edges ({t.cross_app_edges} cross-app), "
        f"longest path {longest}, cycles {t.cycles}, conflicts {t.conflicts}, dangling {t.dangling}, "
        f"redundant {t.redundant}, over-specified {t.over_specified}, unreadable files {t.file_problems}"
    )


def _skipped_lines(report: Report) -> list[str]:
    """One sentence per reason: what was not computed, project-wide and for which apps."""
    names = {"longest_chain": "chain", "over_specified": "over-specified", "pressure": "squash pressure"}
    lines = []
    for reason in dict.fromkeys(s.reason for s in report.skipped):
        parts: dict[tuple[str, ...], list[str]] = {}
        for s in report.skipped:
            if s.reason == reason:
                parts.setdefault(s.apps, []).append(names.get(s.analysis, s.analysis.replace("_", " ")))
        said = [f"{', '.join(what)}{' of ' + ', '.join(apps) if apps else ''}" for apps, what in parts.items()]
        lines.append(f"Not computed because of a {reason}: {'; '.join(said)}.")
    return lines


def render_table(report: Report, cross_check: list[str] | None) -> None:
    # rich is imported only here: JSON and markdown runs never pay for it.
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = console()
    root = report.project.root
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0), title=f"{root.name}: migrations per app")
    table.add_column("app", no_wrap=True, overflow="ellipsis")
    for header, _, _ in COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    for row in report.apps:
        cells = _cells(report, row)
        cells[-1] = (
            f"[{_PRESSURE_STYLE[row.pressure_level]}]{cells[-1]}[/]"
            if row.pressure_level != "low" and cells[-1] != "-"
            else cells[-1]
        )
        table.add_row(row.app, *cells)
    out.print(table)
    legend = "; ".join(f"{h}: {text}" for h, _, text in COLUMNS[1:])
    out.print(Text(wrap(legend, out.width), style="dim"), soft_wrap=True)
    out.print()
    out.print(Text(wrap(f"Totals: {_totals_line(report)}", out.width)), soft_wrap=True)
    for line in _skipped_lines(report):
        out.print(Text(wrap(line, out.width, "", "    ")), soft_wrap=True)
    if report.findings:
        out.print()
        out.print(f"Findings ({len(report.findings)}):")
        # Wrapped on spaces only (a path is never split), without rich's padding to the full width.
        for finding in report.findings:
            header = f"{finding.code} {finding.severity.value:7} {finding.location(root)}".rstrip()
            out.print(Text(header), soft_wrap=True)
            out.print(Text(wrap(finding.message, out.width, "    ")), soft_wrap=True)
            if finding.hint:
                out.print(Text(wrap(f"hint: {finding.hint}", out.width, "    "), style="dim"), soft_wrap=True)
    if cross_check is not None:
        out.print()
        if cross_check:
            out.print(f"Static and Django views disagree ({len(cross_check)}):")
            for line in cross_check:
                out.print(Text(wrap(line, out.width, "  ", "    ")), soft_wrap=True)
        else:
            out.print("Static and Django views agree (records, nodes and edges).")


def render_markdown(report: Report, cross_check: list[str] | None) -> str:
    root = report.project.root
    headers = ["app"] + [h for h, _, _ in COLUMNS]
    rows = []
    for r in report.apps:
        cells = _cells(report, r)
        if cells[-1] != "-":
            cells[-1] = f"{r.pressure} {r.pressure_level}"
        rows.append([r.app, *cells])
    parts = [
        f"## squashkit analyze: `{root.name}`",
        "",
        markdown_table(headers, rows, "l" + "r" * len(COLUMNS)),
        "",
        f"**Totals:** {_totals_line(report)}",
    ]
    parts += [f"\n**{line}**" for line in _skipped_lines(report)]
    if report.findings:
        parts += [
            "",
            markdown_table(
                ["code", "severity", "location", "message"],
                [[f.code, f.severity.value, _code(f.location(root)), f.message] for f in report.findings],
            ),
        ]
    if cross_check is not None:
        parts += ["", f"**Static vs Django:** {len(cross_check)} difference(s)"]
        parts += [f"- {line}" for line in cross_check]
    return "\n".join(parts)


@click.command("analyze")
@options.project_argument
@options.settings_option
@options.django_option
@options.app_option
@options.format_option
@options.cache_option
@click.option(
    "--cross-check",
    is_flag=True,
    help="Load both statically and through Django (needs settings) and report every difference.",
)
@options.handle_errors
def command(
    project_dir: Path,
    settings: str | None,
    use_django: bool,
    apps: tuple[str, ...],
    fmt: str,
    no_cache: bool,
    cross_check: bool,
) -> None:
    """Per-app migration counts, graph complexity, squash pressure and findings.

    Reads migration files statically (no settings, no imports, no database) unless --settings/--django
    are given, in which case Django's MigrationLoader reads them.
    """
    settings = options.resolve_settings(project_dir, settings, use_django or cross_check)
    project = options.load_project(project_dir, settings, cache=not no_cache)
    report = analyze(project, apps=apps or None)
    differences: list[str] | None = None
    if cross_check:
        from squashkit.graph.compare import compare_projects
        from squashkit.graph.static import load_static

        static = load_static(project_dir, cache=not no_cache)
        differences = compare_projects(static, project)
    if fmt == "json":
        data = report.to_dict()
        if differences is not None:
            data["cross_check"] = differences
        echo_json(data)
    elif fmt == "markdown":
        click.echo(render_markdown(report, differences))
    else:
        render_table(report, differences)
    if differences:
        sys.exit(1)
