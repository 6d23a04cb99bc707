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

from squashkit.errors import AppNotFoundError, SquashkitError
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
    help="Django settings module: load through Django's MigrationLoader instead of statically "
    "(default: [tool.squashkit] settings, else static).",
)
static_option = click.option(
    "--static/--no-static",
    "force_static",
    default=False,
    help="Ignore [tool.squashkit] settings and read files statically.",
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
    "--env", "envs", multiple=True, metavar="NAME", help="Environment from [tool.squashkit.environments] (repeatable)."
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


def load_project(project_dir: Path, settings: str | None, *, force_static: bool = False) -> Project:
    """Load statically, or through Django when ``settings`` is given."""
    from squashkit.graph.django_loader import load_django
    from squashkit.graph.static import load_static

    if settings and not force_static:
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
