"""Options shared by every command, defined once, and the error boundary of the CLI.

Usage in a command module::

    @click.command("analyze")
    @options.project_argument
    @options.settings_option
    @options.app_option
    @options.format_option
    @options.handle_errors
    def command(project_dir, settings, apps, fmt): ...
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from squashkit.errors import AppNotFoundError, SquashkitError, UsageError
from squashkit.graph.model import Project

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "markdown")

project_argument = click.argument(
    "project_dir",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)


def settings_option_with(help: str) -> Callable[[F], F]:
    """``--settings MODULE`` (env ``SQUASHKIT_SETTINGS``), with what the settings are for in this command."""
    option: Callable[[F], F] = click.option(
        "--settings",
        "settings",
        default=None,
        metavar="MODULE",
        envvar="SQUASHKIT_SETTINGS",
        help=f"{help} (env: SQUASHKIT_SETTINGS).",
    )
    return option


settings_option = settings_option_with(
    "Django settings module: load through Django's MigrationLoader instead of statically"
)
#: ``deps`` reads migrations statically whatever the settings: they verify proposals and name the default database
verify_settings_option = settings_option_with(
    "Django settings module used to verify the proposals and to read the default database (default: "
    "[tool.squashkit] settings, else manage.py's); migrations are still read statically"
)
django_option = click.option(
    "--django",
    "use_django",
    is_flag=True,
    help="Load through Django with [tool.squashkit] settings or the settings named in manage.py.",
)
app_option = click.option(
    "--app", "apps", multiple=True, metavar="LABEL", help="Restrict to this app label (repeatable)."
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
cache_option = click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Parse every migration file instead of reusing the records cached by earlier runs (the cache lives "
    "in $SQUASHKIT_CACHE_DIR, else $XDG_CACHE_HOME/squashkit or ~/.cache/squashkit, never in the project).",
)
env_option = click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="NAME",
    help="Environment from [tool.squashkit.environments] (repeatable).",
)
all_envs_option = click.option("--all-envs", is_flag=True, help="Use every configured environment.")


def handle_errors(func: F) -> F:
    """Turn :class:`SquashkitError` into ``error: ...`` on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SquashkitError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def resolve_settings(project_dir: Path, settings: str | None, use_django: bool = False) -> str | None:
    """``--settings`` as given, or with ``--django`` the settings squashkit can find (else a usage error)."""
    from squashkit.config import discover_settings

    if settings or not use_django:
        return settings
    found = discover_settings(project_dir)
    if found is None:
        raise UsageError(
            f"{project_dir}: --django needs settings: pass --settings MODULE, set [tool.squashkit] settings, "
            "or add a manage.py that sets DJANGO_SETTINGS_MODULE"
        )
    return found


def load_project(project_dir: Path, settings: str | None, use_django: bool = False, *, cache: bool = True) -> Project:
    """Load statically, or through Django when settings are given (or found with ``--django``).

    ``cache`` (static loads only): reuse the on-disk cache of parsed records (``--no-cache`` turns it off).
    """
    settings = resolve_settings(project_dir, settings, use_django)
    if settings:
        from squashkit.graph.django_loader import load_django

        return load_django(project_dir, settings)
    from squashkit.graph.static import load_static

    return load_static(project_dir, cache=cache)


def check_apps(project: Project, apps: tuple[str, ...] | list[str]) -> list[str] | None:
    """Validate ``--app`` labels against the project; None means "every app"."""
    if not apps:
        return None
    known = project.project_apps
    for label in apps:
        if label not in known:
            raise AppNotFoundError(label, known)
    return list(apps)


# -- applied state (squashkit.history) ----------------------------------------------------------------------

dsn_option = click.option(
    "--dsn",
    "dsns",
    multiple=True,
    metavar="[NAME=]DSN",
    help="Read applied migrations from sqlite:///relative.db, sqlite:////abs.db or postgresql://... "
    "(repeatable; NAME labels it, default: the database name). Passwords are never shown.",
)
snapshot_option = click.option(
    "--snapshot",
    "snapshots",
    multiple=True,
    metavar="[NAME=]FILE",
    help="Read applied migrations from a JSON snapshot written by `squashkit history snapshot` (repeatable).",
)
database_option = click.option(
    "--database",
    "databases",
    multiple=True,
    metavar="ALIAS",
    help="Read applied migrations from this database alias of the project's Django settings (repeatable).",
)
schema_option = click.option(
    "--schema",
    "schemas",
    multiple=True,
    metavar="NAME|GLOB",
    help="PostgreSQL schema(s) holding django_migrations, names or globs like 'tenant_*' (repeatable).",
)
all_schemas_option = click.option(
    "--all-schemas",
    is_flag=True,
    help="Read every PostgreSQL schema that holds a django_migrations table (tenants) on one connection: a "
    "catalog query, then one pipelined batch of per-schema SELECTs.",
)

APPLIED_STATE_PARAMS = ("envs", "all_envs", "dsns", "snapshots", "databases", "schemas", "all_schemas")


def applied_state_options(func: F) -> F:
    """``--env/--all-envs/--dsn/--snapshot/--database/--schema/--all-schemas`` in one decorator.

    The command receives ``envs, all_envs, dsns, snapshots, databases, schemas, all_schemas`` and passes them
    on with ``collect_from_options(project_dir, settings=settings, **those)``.
    """
    for decorator in reversed(
        (
            env_option,
            all_envs_option,
            dsn_option,
            snapshot_option,
            database_option,
            schema_option,
            all_schemas_option,
        )
    ):
        func = decorator(func)
    return func


def has_applied_sources(**opts: Any) -> bool:
    """True when any applied-state option was given."""
    return any(opts.get(name) for name in APPLIED_STATE_PARAMS)


def collect_from_options(
    project_dir: Path,
    *,
    envs: tuple[str, ...] | list[str] = (),
    all_envs: bool = False,
    dsns: tuple[str, ...] | list[str] = (),
    snapshots: tuple[str, ...] | list[str] = (),
    databases: tuple[str, ...] | list[str] = (),
    schemas: tuple[str, ...] | list[str] = (),
    all_schemas: bool = False,
    settings: str | None = None,
    warn: bool = True,
    require: bool = True,
    **_other: Any,
) -> Any:
    """The :class:`~squashkit.history.AppliedState` the options name (empty when none was given).

    Sources that fail are reported as ``warning: <env>: <reason>`` on stderr (``warn``); when sources were
    given and every one failed, raises :class:`~squashkit.history.AllSourcesFailedError` (exit code 2) unless
    ``require`` is False.  Keyword arguments that are not applied-state options are ignored, so a command
    can pass its whole ``**kwargs``.
    """
    from squashkit.history import AllSourcesFailedError, collect_applied, load_environments

    if all_schemas and schemas:
        raise UsageError("--all-schemas and --schema are exclusive")
    if all_envs and not load_environments(project_dir):
        raise UsageError(
            f"--all-envs: no environment is configured for {project_dir}; add one per environment to "
            'pyproject.toml, e.g. [tool.squashkit.environments.production] with dsn_env = "PROD_DATABASE_URL" '
            "(or dsn, database, snapshot), or name sources with --dsn, --snapshot or --database"
        )
    state = collect_applied(
        project_dir,
        envs=list(envs),
        all_envs=all_envs,
        settings=settings,
        database=list(databases),
        dsns=list(dsns),
        snapshots=list(snapshots),
        base=Path.cwd(),  # paths on the command line are relative to where the command runs
        schemas=list(schemas) or None,
        all_schemas=all_schemas,
    )
    if require and state.failures and not state.sets:
        raise AllSourcesFailedError([f"{f.label}: {f.message} ({f.source})" for f in state.failures])
    if warn:
        for failure in state.failures:
            click.echo(f"warning: {failure.label}: {failure.message} ({failure.source})", err=True)
    return state


def read_applied_state(
    root: Path, settings: str | None, opts: dict[str, Any], *, include_default_db: bool = True
) -> Any:
    """:func:`squashkit.history.applied.collect_applied_state` with the applied-state options of a command.

    Sources that could not be read are reported as ``warning: <label>: <reason> (<source>)`` on stderr (the
    default database's errors are left to the command).
    """
    from squashkit.history.applied import collect_applied_state

    if opts.get("all_schemas") and opts.get("schemas"):
        raise UsageError("--all-schemas and --schema are exclusive")
    state = collect_applied_state(
        root,
        settings=settings,
        envs=tuple(opts.get("envs") or ()),
        all_envs=bool(opts.get("all_envs")),
        dsns=tuple(opts.get("dsns") or ()),
        snapshots=tuple(opts.get("snapshots") or ()),
        schemas=tuple(opts.get("schemas") or ()),
        databases=tuple(opts.get("databases") or ()),
        all_schemas=bool(opts.get("all_schemas")),
        include_default_db=include_default_db,
    )
    for source in state.unreadable:
        if source.kind != "default-db":
            click.echo(f"warning: {source.label}: {source.error} ({source.description})", err=True)
    return state
