"""``squashkit history``: applied migrations across environments and tenant schemas.

Examples::

    squashkit history show                                   # every environment of [tool.squashkit.environments]
    squashkit history show --env staging --env production    # some environments
    squashkit history show --dsn postgresql://app@db/shop --all-schemas     # every tenant schema
    squashkit history show --dsn ci=sqlite:///db.sqlite3 --format markdown
    squashkit history show --settings mysite.settings --database default --database replica
    squashkit history snapshot production -o snapshots/production.json      # for CI, which cannot reach prod

``show`` prints, per environment / schema, how many migrations are applied, pending and stale (recorded with
no file), a matrix across them, and the inconsistencies Django would stop on (``SK401``-``SK405``), each with
the fix to consider.  squashkit only reads databases (SQLite read-only, PostgreSQL read-only transactions) and
never runs a fix.

Exit codes: 0 consistent, 1 findings (errors or warnings; ``info`` findings do not count), 2 when every
source failed or on usage errors.  A source that fails is a warning on stderr naming its environment; the
others still report.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.table import Table
from rich.text import Text

from squashkit.cli import options
from squashkit.cli.output import console, echo_json, markdown_table, wrap
from squashkit.errors import UsageError
from squashkit.graph.model import MigrationKey

SYMBOLS = {"applied": "✓", "pending": "·", "stale": "✗", "unused": "~", "-": ""}
LEGEND = (
    "✓ applied, · pending, ✗ stale (recorded, no file), ~ not in the graph (replaced by a squash in use, or a "
    "squash not used because partly applied), blank: not recorded"
)
MAX_SUMMARY_ROWS = 50
MAX_COLUMNS = 8
COUNT_COLUMNS = ("applied", "pending", "stale", "unused")
COUNTS_LEGEND = "sets where each migration is applied, pending, stale (recorded, no file) or unused (not in the graph)"
MAX_LABELS = 6


#: version of the JSON shape of ``history show`` (fields are only added within a version)
SCHEMA_VERSION = 1


def _labels(labels: Sequence[str], limit: int = MAX_LABELS) -> str:
    if len(labels) <= limit:
        return ", ".join(labels)
    return ", ".join(labels[:limit]) + f", … ({len(labels)} in all)"


def _default_sources(project_dir: Path, settings: str | None, opts: dict[str, Any]) -> dict[str, Any]:
    """No source option: every configured environment, else the ``default`` alias of the settings."""
    from squashkit.config import discover_settings
    from squashkit.history.environments import load_environments

    if options.has_applied_sources(**opts):
        return opts
    if load_environments(project_dir):
        return {**opts, "all_envs": True}
    if settings or discover_settings(project_dir):
        return {**opts, "databases": ("default",)}
    raise UsageError(
        "no applied-state source: pass --env, --all-envs, --dsn, --snapshot or --database, "
        "or configure [tool.squashkit.environments] in pyproject.toml"
    )


def _in_apps(keys: Sequence[MigrationKey], apps: list[str] | None) -> bool:
    return apps is None or any(k.app_label in apps for k in keys)


def _summary_rows(report: Any, apps: list[str] | None) -> tuple[list[str], list[list[str]]]:
    def counts(status: Any) -> list[str]:
        def n(keys: Sequence[MigrationKey]) -> str:
            return str(sum(1 for k in keys if apps is None or k.app_label in apps))

        return [n(status.applied), n(status.pending), n([s.key for s in status.stale])]

    if len(report.statuses) <= MAX_SUMMARY_ROWS:
        headers = ["set", "applied", "pending", "stale", "source"]
        return headers, [[s.label, *counts(s), s.set.source] for s in report.statuses]
    headers = ["state", "applied", "pending", "stale", "sets"]
    return headers, [[g.name, *counts(g.status), f"{len(g.statuses)}: {_labels(g.labels)}"] for g in report.groups]


def _matrix(report: Any, apps: list[str] | None) -> tuple[list[str], list[list[str]]]:
    """One column per set (up to 8 sets) or per distinct state (up to 8 states), else counts of sets."""
    if len(report.statuses) > MAX_COLUMNS and len(report.groups) > MAX_COLUMNS:
        return ["migration", *COUNT_COLUMNS], [
            [str(key), *(str(tally[c]) if tally[c] else "" for c in COUNT_COLUMNS)]
            for key, tally in report.counts()
            if apps is None or key.app_label in apps
        ]
    headers, rows = report.matrix(compact=len(report.statuses) > MAX_COLUMNS)
    return ["migration", *headers], [
        [str(key), *(SYMBOLS[c] for c in cells)] for key, cells in rows if apps is None or key.app_label in apps
    ]


def _render_table(report: Any, apps: list[str] | None, show_matrix: bool) -> None:
    out = console()
    headers, rows = _summary_rows(report, apps)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), title="Applied state")
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if header in ("applied", "pending", "stale") else "left",
                         overflow="fold", no_wrap=i == 0)  # fmt: skip
    for row in rows:
        table.add_row(*map(Text, row))  # Text: a "[" in a label or source is not rich markup
    out.print(table)
    if show_matrix and report.statuses:
        m_headers, m_rows = _matrix(report, apps)
        matrix = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
        matrix.add_column("migration", overflow="fold")
        counts = m_headers[1:] == list(COUNT_COLUMNS)
        for header in m_headers[1:]:
            matrix.add_column(header, justify="right" if counts else "center", overflow="fold")
        for row in m_rows:
            matrix.add_row(*map(Text, row))
        out.print(matrix)
        out.print(COUNTS_LEGEND if counts else LEGEND, style="dim", markup=False, overflow="fold")
        if len(report.statuses) > MAX_COLUMNS and not counts:
            for group in report.groups:
                if len(group.statuses) > 1:
                    out.print(f"state {group.name}: {_labels(group.labels)}", markup=False, overflow="fold")
    findings = [f for f in report.findings if _in_apps(f.migrations, apps)]
    out.print()
    if not findings:
        out.print("No inconsistency found.", markup=False)
    for finding in findings:  # wrapped on spaces only: names and paths are never split
        out.print(
            Text(f"{finding.severity} {finding.code} {finding.name} in {_labels(finding.labels)}:"), soft_wrap=True
        )
        out.print(Text(wrap(finding.message, out.width, "  ")), soft_wrap=True)
        out.print(Text(wrap(f"fix: {finding.hint}", out.width, "  ")), soft_wrap=True)


def _render_markdown(report: Any, apps: list[str] | None, show_matrix: bool) -> None:
    headers, rows = _summary_rows(report, apps)
    lines = ["## Applied state", "", markdown_table(headers, rows, "lrrrl")]
    if show_matrix and report.statuses:
        m_headers, m_rows = _matrix(report, apps)
        counts = m_headers[1:] == list(COUNT_COLUMNS)
        align = "l" + ("r" if counts else "l") * (len(m_headers) - 1)
        lines += ["", markdown_table(m_headers, m_rows, align), "", f"_{COUNTS_LEGEND if counts else LEGEND}_"]
    if report.failures:
        lines += ["", "### Unreadable sources", ""]
        lines += [f"- **{f.label}**: {f.message} (`{f.source}`)" for f in report.failures]
    findings = [f for f in report.findings if _in_apps(f.migrations, apps)]
    lines += ["", "### Findings", ""]
    if not findings:
        lines.append("No inconsistency found.")
    for f in findings:
        lines.append(f"- **{f.severity} {f.code}** {f.name} in {_labels(f.labels)}: {f.message}. Fix: {f.hint}")
    click.echo("\n".join(lines))


def _restrict_json(data: dict[str, Any], report: Any, apps: list[str]) -> None:
    """``--app``: keep only the selected apps' migrations in the per-set lists, the matrix and the findings."""
    from squashkit.history.diagnose import finding_dict

    def keep(name: str) -> bool:
        return name.split(".", 1)[0] in apps

    for entry in data["sets"]:
        entry["applied"] = [k for k in entry["applied"] if keep(k)]
        entry["pending"] = [k for k in entry["pending"] if keep(k)]
        entry["stale"] = [s for s in entry["stale"] if keep(s["migration"])]
    data["matrix"]["rows"] = [row for row in data["matrix"]["rows"] if keep(row["migration"])]
    data["findings"] = [finding_dict(f) for f in report.findings if _in_apps(f.migrations, apps)]


@click.group("history")
def command() -> None:
    """Applied migrations across environments, databases and tenant schemas (read-only)."""


@command.command("show")
@options.project_argument
@options.settings_option
@options.django_option
@options.applied_state_options
@options.app_option
@options.format_option
@options.cache_option
@click.option("--matrix/--no-matrix", "show_matrix", default=True, show_default=True, help="Show the matrix.")
@options.handle_errors
def show(
    project_dir: Path,
    settings: str | None,
    use_django: bool,
    apps: tuple[str, ...],
    fmt: str,
    show_matrix: bool,
    no_cache: bool,
    **source_opts: Any,
) -> None:
    """Applied, pending and stale migrations per environment / schema, and inconsistencies with their fixes.

    Sources: --env/--all-envs ([tool.squashkit.environments]), --dsn, --snapshot, --database (an alias of
    --settings); with none, every configured environment, else the settings' default database.  The matrix
    has one column per set; past 8 sets one per distinct state (A, B, ...); past 8 states, counts of sets.

    Findings: SK401 applied before a dependency (Django raises InconsistentMigrationHistory), SK402 squash
    partially applied, SK403 stale row (renamed, deleted or replaced file), SK404 applied migration edited
    since a snapshot, SK405 squash not recorded.  Exit 1 on errors or warnings, 2 if every source failed.
    """
    from squashkit.history.report import history_report

    project = options.load_project(project_dir, settings, use_django, cache=not no_cache)
    selected = options.check_apps(project, apps)
    opts = _default_sources(project_dir, settings, source_opts)
    state = options.collect_from_options(project_dir, settings=settings, warn=fmt == "table", **opts)
    report = history_report(project, state)
    if fmt == "json":
        data = report.to_dict()
        if selected is not None:
            _restrict_json(data, report, selected)
        echo_json({"schema_version": SCHEMA_VERSION, **data})
    elif fmt == "markdown":
        _render_markdown(report, selected, show_matrix)
    else:
        _render_table(report, selected, show_matrix)
    sys.stdout.flush()
    sys.exit(report.exit_code)


@command.command("snapshot")
@click.argument("env_name", metavar="ENV")
@options.project_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    metavar="FILE",
    help="Write the JSON snapshot here (- for stdout).",
)
@options.settings_option
@options.django_option
@options.dsn_option
@options.database_option
@options.schema_option
@options.all_schemas_option
@options.handle_errors
def snapshot(
    env_name: str,
    project_dir: Path,
    output: Path,
    settings: str | None,
    use_django: bool,
    **source_opts: Any,
) -> None:
    """Write the applied state of environment ENV to a JSON snapshot, with the hash of each applied file.

    ENV is an environment of [tool.squashkit.environments], or with --dsn/--database the name to record.
    A snapshot can then stand for a database CI cannot reach (--snapshot FILE, or `snapshot = "FILE"` in an
    environment), and tells when an applied migration was edited since (SK404).  Passwords are never written.
    """
    from squashkit.history.snapshot import snapshot_dict, write_snapshot

    schemas = {"schemas": source_opts.get("schemas", ()), "all_schemas": source_opts.get("all_schemas", False)}
    if source_opts.get("dsns") or source_opts.get("databases"):
        state = options.collect_from_options(
            project_dir, settings=settings, dsns=source_opts["dsns"], databases=source_opts["databases"], **schemas
        )
    else:
        state = options.collect_from_options(project_dir, settings=settings, envs=(env_name,), **schemas)
    if state.failures:
        raise UsageError(f"cannot snapshot {env_name}: " + "; ".join(f"{f.label}: {f.message}" for f in state.failures))
    project = options.load_project(project_dir, settings, use_django)
    hashes = {key: m.content_hash for key, m in project.migrations.items() if m.content_hash}
    data = snapshot_dict(env_name, state.sets, hashes)
    rows = sum(len(s["rows"]) for s in data["sets"])
    if str(output) == "-":
        echo_json(data)
        return
    write_snapshot(output, data)
    click.echo(f"wrote {output} ({env_name}: {len(data['sets'])} set(s), {rows} applied rows)", err=True)
