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
settings_option = click.option(
    "--settings",
    "settings",
    default=None,
    metavar="MODULE",
    envvar="SQUASHKIT_SETTINGS",
    help="Django settings module: load through Django's MigrationLoader instead of statically "
    "(env: SQUASHKIT_SETTINGS).",
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


def load_project(project_dir: Path, settings: str | None, use_django: bool = False) -> Project:
    """Load statically, or through Django when settings are given (or found with ``--django``)."""
    from squashkit.graph.django_loader import load_django
    from squashkit.graph.static import load_static

    settings = resolve_settings(project_dir, settings, use_django)
    if settings:
        return load_django(project_dir, settings)
    return load_static(project_dir)


def check_apps(project: Project, apps: tuple[str, ...] | list[str]) -> list[str] | None:
    """Validate ``--app`` labels against the project; None means "every app"."""
    if not apps:
        return None
    known = project.project_apps
    for label in apps:
        if label not in known:
            raise AppNotFoundError(label, known)
    return list(apps)
