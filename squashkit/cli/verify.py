"""``squashkit verify``: the project's migrations checked on real databases squashkit creates.

Examples::

    squashkit verify                                   # SQLite; newest migration of each app rolled back
    squashkit verify --since origin/main               # roll back what changed since origin/main
    squashkit verify --dsn postgresql://postgres:pw@localhost:5432/postgres --schemas 20
    squashkit verify --format github                   # annotations in a GitHub Actions log

Steps: model changes without a migration (SK601), the graph and conflicts (SK602), a fresh migrate of a new
SQLite database and, with ``--dsn`` (a PostgreSQL *server*: a new database is created there and dropped
afterwards), of a new PostgreSQL database (SK603) with the time per app and the slowest migrations, the
rollback of the newest migration of each app (or the oldest changed since ``--since``) with the schema
compared before and after (SK604), irreversible operations with their line (SK605), other rollback failures
(SK606), and with ``--schemas N`` the migrate in N throwaway PostgreSQL schemas (SK607).  Progress goes to
stderr.  No configured database is ever connected to.

Exit codes: 0 every step passed, 1 findings (errors or warnings), 2 usage or input error.
"""

from __future__ import annotations

from pathlib import Path

import click

from squashkit.cli import options
from squashkit.cli.output import echo_json, markdown_table
from squashkit.errors import UsageError
from squashkit.verify import VerifyReport, run_verify

FORMATS = ("text", "json", "github", "markdown")


def _finding_lines(report: VerifyReport) -> list[str]:
    lines = []
    for f in report.findings:
        where = f.location(report.root)
        head = f"{where}: " if where else ""
        db = f" [{f.database}]" if f.database else ""
        lines.append(f"{head}{f.code} {f.name} ({f.severity}){db}: {f.message}")
        lines += [f"    {d}" for d in f.details]
    return lines


def _text(report: VerifyReport) -> str:
    rows = [
        [
            s.name,
            s.database or "-",
            s.status,
            f"{s.seconds:.1f}",
            s.summary + (f" ({', '.join(s.codes)})" if s.codes else ""),
        ]
        for s in report.steps
    ]
    widths = [max(len(str(r[i])) for r in [["step", "database", "status", "s", "summary"], *rows]) for i in range(4)]
    out = []
    for row in [["step", "database", "status", "s", "summary"], *rows]:
        out.append("  ".join(str(v).ljust(widths[i]) if i < 4 else str(v) for i, v in enumerate(row)).rstrip())
    for run in report.runs:
        out.append("")
        out.append(f"{run.described}: fresh migrate {run.seconds:.2f} s")
        for app in run.apps:
            out.append(f"  {app.app}: {app.migrations} migrations, {app.seconds:.2f} s")
        if run.slowest:
            out.append("  slowest: " + ", ".join(f"{k} {s:.2f} s" for k, s in run.slowest))
        if run.schemas:
            out.append(f"  {len(run.schemas)} throwaway schemas: {sum(run.schemas):.2f} s")
    if report.findings:
        out.append("")
        out += _finding_lines(report)
    out.append("")
    out.append(("FAILED" if report.exit_code else "passed") + f": {report.databases_note}")
    return "\n".join(out)


def _github(report: VerifyReport) -> str:
    out = []
    for f in report.findings:
        level = "error" if f.severity == "error" else "warning" if f.severity == "warning" else "notice"
        props = []
        if f.path is not None:
            path = f.path.relative_to(report.root) if f.path.is_relative_to(report.root) else f.path
            props.append(f"file={path}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={f.code} {f.name}")
        message = f.message + "".join(f"%0A{d}" for d in f.details)
        out.append(f"::{level} {','.join(props)}::{message}")
    out.append(_text(report))
    return "\n".join(out)


def _markdown(report: VerifyReport) -> str:
    out = ["## squashkit verify: " + ("failed" if report.exit_code else "passed"), ""]
    out.append(
        markdown_table(
            ["step", "database", "status", "seconds", "summary"],
            [[s.name, s.database or "-", s.status, f"{s.seconds:.1f}", s.summary] for s in report.steps],
            "lllrl",
        )
    )
    for run in report.runs:
        out += ["", f"### {run.described}: fresh migrate {run.seconds:.2f} s", ""]
        out.append(
            markdown_table(
                ["app", "migrations", "seconds"], [[a.app, a.migrations, f"{a.seconds:.2f}"] for a in run.apps], "lrr"
            )
        )
    if report.findings:
        out += ["", "### Findings", ""]
        for f in report.findings:
            where = f" `{f.location(report.root)}`" if f.path else ""
            out.append(f"- **{f.code}** {f.name}{where}: {f.message}")
            out += [f"  - {d}" for d in f.details]
    out += ["", report.databases_note]
    return "\n".join(out)


@click.command("verify")
@options.project_argument
@options.settings_option_with(
    "Django settings module of the project (default: [tool.squashkit] settings, else manage.py's); its "
    "DATABASES are replaced by throwaway databases, and migrations are read statically for paths and lines"
)
@options.app_option
@options.cache_option
@click.option("--since", metavar="REF", default=None, help="Roll back the migrations changed since this git revision.")
@click.option(
    "--dsn",
    metavar="DSN",
    default=None,
    help="A PostgreSQL server to create throwaway databases on (postgresql://user:pw@host:port/postgres).",
)
@click.option(
    "--local-postgres",
    is_flag=True,
    help="Run the PostgreSQL steps on a throwaway cluster started here (initdb and pg_ctl from "
    "$SQUASHKIT_PG_BIN, PATH or /usr/lib/postgresql/*/bin; as root the server runs as the postgres user).",
)
@click.option("--schemas", type=click.IntRange(min=0), default=0, help="Also migrate N throwaway PostgreSQL schemas.")
@click.option(
    "--select", "select", multiple=True, metavar="CODE", help="Rule codes or prefixes to report (repeatable, or A,B)."
)
@click.option(
    "--ignore", "ignore", multiple=True, metavar="CODE", help="Rule codes or prefixes to skip (repeatable, or A,B)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@options.handle_errors
def command(
    project_dir: Path,
    settings: str | None,
    apps: tuple[str, ...],
    no_cache: bool,
    since: str | None,
    dsn: str | None,
    local_postgres: bool,
    schemas: int,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
) -> None:
    """Check migrations on real, throwaway databases: missing migrations, graph, fresh migrate, rollbacks.

    --app restricts the rollback step to those apps; the fresh migrate always runs the whole project."""
    from squashkit.config import discover_settings
    from squashkit.graph.static import load_static

    project = load_static(project_dir, cache=not no_cache)
    options.check_apps(project, apps)
    settings = settings or discover_settings(project.root)
    if not settings:
        raise UsageError(
            f"{project_dir}: verify needs settings: pass --settings MODULE, set [tool.squashkit] settings, "
            "or add a manage.py that sets DJANGO_SETTINGS_MODULE"
        )
    if dsn and local_postgres:
        raise UsageError("pass either --dsn or --local-postgres, not both")
    if schemas and not (dsn or local_postgres):
        raise UsageError("--schemas needs PostgreSQL: pass --dsn or --local-postgres")
    from squashkit.rules import validate_selectors

    select = validate_selectors(select, "--select")
    ignore = validate_selectors(ignore, "--ignore")

    def progress(message: str) -> None:
        click.echo(f"verify: {message}", err=True)

    report = run_verify(
        project,
        settings,
        since=since,
        dsn=dsn,
        local_postgres=local_postgres,
        schemas=schemas,
        progress=progress,
        select=select,
        ignore=ignore,
        apps=apps,
    )
    if fmt == "json":
        echo_json(report.to_dict())
    elif fmt == "github":
        click.echo(_github(report))
    elif fmt == "markdown":
        click.echo(_markdown(report))
    else:
        click.echo(_text(report))
    raise SystemExit(report.exit_code)
