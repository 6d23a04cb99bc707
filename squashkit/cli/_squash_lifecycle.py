"""``squashkit squash status`` and ``squashkit squash finalize``: the end of a squash's life.

Both read the applied state of every known source (the configured environments, else the project's default
database), see :mod:`squashkit.squash.lifecycle`.  ``finalize`` shows the change set's diff unless ``--write``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from squashkit.cli import options
from squashkit.cli.output import echo_json, markdown_table, wrap
from squashkit.errors import UsageError
from squashkit.graph.model import MigrationKey, Project

SCHEMA_VERSION = 1
READY_SCOPE = (
    "READY covers only the sources squashkit read{sources}. Databases it does not know (a reusable app's users', "
    "a laptop) are not covered: --require-env NAME (or [tool.squashkit] require_envs) makes an environment "
    "mandatory."
)

settings_option = options.settings_option_with(
    "Django settings module, to read the project's default database ([tool.squashkit] settings or "
    "manage.py otherwise); migrations are always read statically"
)
require_env_option = click.option(
    "--require-env",
    "require_envs",
    multiple=True,
    metavar="NAME",
    help="Not READY until this environment is read and has recorded the squash (repeatable; adds to "
    "[tool.squashkit] require_envs).",
)


def _width() -> int:
    from squashkit.cli.output import console

    return console().width


def _shown(text: str, root: Path) -> str:
    """``text`` with paths inside the project relative to it (the settings name the database absolutely)."""
    return text.replace(f"{root}{os.sep}", "")


def _sources(project_dir: Path, settings: str | None, opts: dict[str, Any]) -> Any:
    """The shared applied-state policy: the sources named, else every configured environment, plus the
    project's default database when settings are known (a missing SQLite file is no source)."""
    from squashkit.config import discover_settings

    return options.read_applied_state(project_dir, settings or discover_settings(project_dir), opts)


def _required(project_dir: Path, given: tuple[str, ...]) -> tuple[str, ...]:
    from squashkit.config import load_config

    configured = load_config(project_dir).raw.get("require_envs", [])
    if isinstance(configured, str):
        configured = [configured]
    if not isinstance(configured, list) or not all(isinstance(v, str) for v in configured):
        raise UsageError("[tool.squashkit] require_envs must be a list of environment names")
    return tuple(dict.fromkeys([*configured, *given]))


def _status(
    project_dir: Path,
    settings: str | None,
    require_envs: tuple[str, ...],
    opts: dict[str, Any],
    *,
    apps: tuple[str, ...] = (),
    cache: bool = True,
) -> Any:
    from squashkit.graph.static import load_static
    from squashkit.squash.lifecycle import squash_status

    project = load_static(project_dir, cache=cache)
    selected = options.check_apps(project, apps)
    state = _sources(project.root, settings, opts)
    return project, state, squash_status(project, state, require=_required(project.root, require_envs), apps=selected)


def _render_status(project: Project, status: Any) -> None:
    width = _width()
    if not status.squashes:
        click.echo("No squashed migration (with replaces) in the project.")
        return
    for squash in status.squashes:
        click.echo(f"{squash.squash}  {squash.state}")
        first, last = squash.replaces[0], squash.replaces[-1]
        replaces = f"{len(squash.replaces)} migration(s): {first} ... {last}" if len(squash.replaces) > 1 else first
        click.echo(wrap(f"replaces {replaces}", width, "  "))
        for source in squash.sources:
            click.echo(wrap(_shown(f"{source.label}: {source.describe()}", project.root), width, "  ", "      "))
        for blocker in squash.blockers:
            if not any(blocker.startswith(f"{s.label}: ") for s in squash.sources):
                click.echo(wrap(_shown(f"not ready: {blocker}", project.root), width, "  ", "      "))
        for reference in squash.unported:
            click.echo(wrap(f"finalize refuses it: {reference.describe()}", width, "  ", "      "))
    click.echo("")
    shown = f" ({', '.join(status.sources)})" if status.sources else ""
    click.echo(wrap(READY_SCOPE.format(sources=shown), width))


def _render_status_markdown(project: Project, status: Any) -> str:
    rows = []
    for squash in status.squashes:
        for source in squash.sources or ():
            rows.append([f"`{squash.squash}`", squash.state, source.label, _shown(source.describe(), project.root)])
        if not squash.sources:
            rows.append([f"`{squash.squash}`", squash.state, "-", _shown("; ".join(squash.blockers), project.root)])
    if not rows:
        return "No squashed migration (with replaces) in the project."
    shown = f" ({', '.join(status.sources)})" if status.sources else ""
    return markdown_table(["squash", "state", "source", "detail"], rows) + "\n\n" + READY_SCOPE.format(sources=shown)


@click.command("status")
@options.project_argument
@settings_option
@options.app_option
@options.cache_option
@options.format_option
@require_env_option
@options.applied_state_options
@options.handle_errors
def status_command(
    project_dir: Path,
    settings: str | None,
    apps: tuple[str, ...],
    no_cache: bool,
    fmt: str,
    require_envs: tuple[str, ...],
    **opts: Any,
) -> None:
    """Where each squash stands in every known environment; exit 0 only when every squash is READY."""
    project, _state, status = _status(project_dir, settings, require_envs, opts, apps=apps, cache=not no_cache)
    if fmt == "json":
        echo_json({"schema_version": SCHEMA_VERSION, **status.to_dict(project.root)})
    elif fmt == "markdown":
        click.echo(_render_status_markdown(project, status))
    else:
        _render_status(project, status)
    sys.exit(0 if status.all_ready else 1)


def _split_targets(targets: tuple[str, ...]) -> tuple[Path, tuple[str, ...]]:
    """``[PROJECT_DIR] [NAME]...``: the first argument is the project when it is an existing folder."""
    if targets and Path(targets[0]).is_dir():
        return Path(targets[0]), targets[1:]
    return Path("."), targets


def _select(project: Project, status: Any, names: tuple[str, ...]) -> list[MigrationKey]:
    """``app``, ``app.name`` or a unique ``app.prefix`` of a squash."""
    chosen: list[MigrationKey] = []
    keys = [s.squash for s in status.squashes]
    for name in names:
        app, _, rest = name.partition(".")
        matches = [k for k in keys if k.app_label == app and (not rest or k.name == rest)]
        if rest and not matches:
            matches = [k for k in keys if k.app_label == app and k.name.startswith(rest)]
        if not matches:
            known = ", ".join(str(k) for k in keys) or "none"
            raise UsageError(f"{name}: no squashed migration of that name (squashes: {known})")
        if rest and len(matches) > 1:
            raise UsageError(f"{name}: ambiguous, matches {', '.join(str(k) for k in matches)}")
        chosen += [k for k in matches if k not in chosen]
    return chosen


@click.command("finalize")
@click.argument("targets", nargs=-1, metavar="[PROJECT_DIR] [NAME]...")
@settings_option
@options.app_option
@options.cache_option
@options.format_option
@require_env_option
@click.option("--write", is_flag=True, help="Apply the change set (all or nothing); without it, show the diff.")
@options.applied_state_options
@options.handle_errors
def finalize_command(
    targets: tuple[str, ...],
    settings: str | None,
    apps: tuple[str, ...],
    no_cache: bool,
    fmt: str,
    require_envs: tuple[str, ...],
    write: bool,
    **opts: Any,
) -> None:
    """Turn READY squashes into normal migrations: delete the replaced files, repoint dependents, drop replaces."""
    from squashkit.config import discover_settings
    from squashkit.squash.lifecycle import plan_finalize

    project_dir, names = _split_targets(targets)
    if write:
        from squashkit.rewrite.changeset import recover

        recovered = recover(project_dir.resolve())
        if recovered:
            click.echo(recovered, err=True)
    project, state, status = _status(project_dir, settings, require_envs, opts, apps=apps, cache=not no_cache)
    selected = _select(project, status, names)
    plan = plan_finalize(
        project,
        status,
        state,
        names=selected,
        settings=settings or discover_settings(project.root),
    )
    if write and plan.finalized:
        plan.changes.apply()
    root = project.root
    if fmt == "json":
        echo_json({"schema_version": SCHEMA_VERSION, "written": bool(write and plan.finalized), **plan.to_dict(root)})
    else:
        width = _width()
        if not write:
            diff = plan.changes.diff()
            if diff:
                click.echo(diff, nl=False)
        for key, reason in plan.refused:
            click.echo(wrap(_shown(f"refused: {key}: {reason}", root), width, "", "    "), err=True)
        for refusal in plan.changes.refusals:
            if refusal.migration not in {k for k, _ in plan.refused}:
                click.echo(wrap(_shown(f"refused: {refusal.reason}", root), width, "", "    "), err=True)
        if not status.squashes:
            click.echo("No squashed migration (with replaces) in the project.")
        elif not plan.finalized:
            click.echo("Nothing finalized.")
        else:
            deleted = sum(1 for c in plan.changes.changes if c.new_text is None)
            edited = sum(1 for c in plan.changes.changes if c.new_text is not None)
            verb = "Finalized" if write else "Would finalize"
            click.echo(
                f"{verb} {len(plan.finalized)} squash(es): {deleted} replaced file(s) deleted, {edited} file(s) "
                "rewritten."
            )
            if plan.prune:
                click.echo("")
                click.echo(
                    wrap(
                        "Once this code is deployed to each source, remove the replaced rows there (squashkit "
                        "never runs this):",
                        width,
                    )
                )
                for step in plan.prune:
                    click.echo(f"  {step.source}: {step.command}")
                    for line in step.sql.splitlines():
                        click.echo(f"      or SQL: {line}")
    pending = bool(plan.refused) or bool(plan.changes.refusals) or (not write and bool(plan.finalized))
    sys.exit(1 if pending else 0)
