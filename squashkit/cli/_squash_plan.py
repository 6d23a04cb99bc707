"""``squashkit squash plan``: the safe squash ranges of each app (see :mod:`squashkit.squash.plan`).

Sources that bound the ranges: the ones named (``--env``, ``--all-envs``, ``--dsn``, ``--snapshot``,
``--database``, ``--schema``), else every configured environment, else none ("nothing bounds it").  The
project's default database is not read unless named (``--database default``): a developer's database is no
deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from squashkit.cli import options
from squashkit.cli.output import echo_json, markdown_table, wrap
from squashkit.errors import ConfigError
from squashkit.squash.plan import DEFAULT_MIN_MIGRATIONS, SquashPlan, SquashRange


def exact_needs_settings(project_dir: Path) -> str:
    """The usage error of ``--exact`` without settings."""
    return (
        f"{project_dir}: --exact runs Django's MigrationOptimizer and needs Django settings: pass --settings "
        "MODULE, set [tool.squashkit] settings, or add a manage.py that sets DJANGO_SETTINGS_MODULE"
    )


def _width() -> int:
    from squashkit.cli.output import console

    return console().width


def _min_migrations(project_dir: Path, given: int | None) -> int:
    if given is not None:
        return given
    from squashkit.config import load_config

    config = load_config(project_dir)
    value = config.raw.get("squash_min_migrations", DEFAULT_MIN_MIGRATIONS)
    if not isinstance(value, int) or isinstance(value, bool) or value < 2:
        raise ConfigError(
            config.path or project_dir / "pyproject.toml", "squash_min_migrations must be an integer >= 2"
        )
    return value


def applied_state(project_dir: Path, settings: str | None, opts: dict[str, Any]) -> Any:
    """The sources a plan is bounded by: the ones named, else every configured environment, else none."""
    from squashkit.history import AppliedState
    from squashkit.history.environments import load_environments

    if not options.has_applied_sources(**opts):
        if not load_environments(project_dir):
            return AppliedState()
        opts = {**opts, "all_envs": True}
    return options.collect_from_options(project_dir, settings=settings, require=False, **opts)


def _deps(keys: tuple[Any, ...]) -> str:
    return ", ".join(str(k) for k in keys) or "none"


def _how(r: SquashRange) -> str:
    return "exact" if r.ops_after_exact is not None else "estimate"


def _ops(r: SquashRange) -> str:
    return f"{r.ops_before} -> {r.ops_after} ({_how(r)}), saves {r.saving} in a fresh migrate"


def render_text(plan: SquashPlan) -> str:
    width = _width()
    lines: list[str] = []
    bound = ", ".join(plan.sources) if plan.sources else "nothing (no environment, schema or snapshot known)"
    lines.append(wrap(f"Squash plan for Django {plan.django_version}; bounded by: {bound}", width))
    for note in plan.notes:
        lines.append(wrap(f"note: {note}", width, "", "  "))
    lines.append("")
    if not plan.ranges:
        lines.append("No range to squash.")
    for r in plan.ranges:
        head = f"{r.app}: {r.first.name} .. {r.last.name} ({len(r.members)} migrations) -> {r.name}"
        lines.append(wrap(head, width, "", "    "))
        lines.append(wrap(f"ends: {r.bound_by}", width, "  ", "    "))
        lines.append(wrap(f"operations: {_ops(r)}", width, "  ", "    "))
        if r.barriers:
            shown = ", ".join(f"{b.kind} {b.migration.name}:{b.line}" for b in r.barriers)
            lines.append(wrap(f"barriers: {shown}", width, "  ", "    "))
        lines.append(wrap(f"dependencies: {_deps(r.external_deps)}", width, "  ", "    "))
        if set(r.django_union_deps) != set(r.external_deps):
            lines.append(wrap(f"squashmigrations would write: {_deps(r.django_union_deps)}", width, "  ", "    "))
        if r.union_cycle:
            path = " -> ".join(str(k) for k in r.union_cycle)
            lines.append(wrap(f"with those, Django's squash is circular: {path}", width, "  ", "    "))
            narrow = ", ".join(k.name for k in r.narrow_first)
            lines.append(
                wrap(
                    f"narrow first (`squashkit deps --fix --app {r.app}`; Django keeps the replaced files' "
                    f"dependencies until the squash is finalized): {narrow}",
                    width,
                    "  ",
                    "    ",
                )
            )
        if r.nested_squashes:
            lines.append(wrap(f"includes unfinalized squash(es): {_deps(r.nested_squashes)}", width, "  ", "    "))
    skipped = [a for a in plan.apps if a.notes]
    if skipped:
        lines.append("")
        for app in skipped:
            for note in app.notes:
                lines.append(wrap(f"{app.app}: {note}", width, "", "  "))
    return "\n".join(lines)


def render_markdown(plan: SquashPlan) -> str:
    bound = ", ".join(plan.sources) if plan.sources else "nothing bounds the ranges"
    parts = [f"## Squash plan (Django {plan.django_version}; {bound})", ""]
    if plan.ranges:
        rows = [
            [
                r.app,
                f"`{r.first.name}`",
                f"`{r.last.name}`",
                len(r.members),
                f"{r.ops_before} -> {r.ops_after} ({_how(r)})",
                len(r.barriers),
                _deps(r.external_deps),
                r.bound_by,
            ]
            for r in plan.ranges
        ]
        parts.append(
            markdown_table(
                ["app", "first", "last", "migrations", "operations", "barriers", "dependencies", "ends"],
                rows,
                "lllrrrll",
            )
        )
    else:
        parts.append("No range to squash.")
    notes = [*plan.notes, *(f"{a.app}: {n}" for a in plan.apps for n in a.notes)]
    if notes:
        parts += ["", *(f"- {n}" for n in notes)]
    return "\n".join(parts)


@click.command("plan")
@options.project_argument
@options.settings_option_with(
    "Django settings module, to read the default database's applied state and for --exact; migrations are "
    "read statically"
)
@options.app_option
@options.cache_option
@options.format_option
@click.option("--max-ranges", type=click.IntRange(min=1), default=None, help="Keep the N ranges that save most.")
@click.option(
    "--exact",
    is_flag=True,
    help="Count the operations after the squash with Django's MigrationOptimizer, as squash run writes it "
    "(starts Django: needs --settings, [tool.squashkit] settings or manage.py).",
)
@click.option(
    "--django-version",
    default=None,
    metavar="X.Y",
    help="Plan for this Django version (default: the installed one); 6.0+ may include unfinalized squashes.",
)
@click.option(
    "--min-migrations",
    type=click.IntRange(min=2),
    default=None,
    help=f"Skip apps with fewer migrations to squash ([tool.squashkit] squash_min_migrations, "
    f"default {DEFAULT_MIN_MIGRATIONS}).",
)
@options.applied_state_options
@options.handle_errors
def plan_command(
    project_dir: Path,
    settings: str | None,
    apps: tuple[str, ...],
    no_cache: bool,
    fmt: str,
    max_ranges: int | None,
    exact: bool,
    django_version: str | None,
    min_migrations: int | None,
    **opts: Any,
) -> None:
    """Safe squash ranges per app: cycle-free together, bounded by what every environment has applied."""
    from squashkit.config import discover_settings
    from squashkit.errors import UsageError
    from squashkit.graph.static import load_static
    from squashkit.squash.plan import exact_counts, plan_squashes

    project = load_static(project_dir, cache=not no_cache)
    options.check_apps(project, apps)
    exact_settings = (settings or discover_settings(project.root)) if exact else None
    if exact and not exact_settings:
        raise UsageError(exact_needs_settings(project.root))
    applied = applied_state(project.root, settings, opts)
    plan = plan_squashes(
        project,
        applied,
        apps=apps,
        max_ranges=max_ranges,
        django_version=django_version,
        min_migrations=_min_migrations(project.root, min_migrations),
    )
    if exact_settings:
        plan = exact_counts(plan, project.root, exact_settings)
    if fmt == "json":
        echo_json(plan.to_dict())
    elif fmt == "markdown":
        click.echo(render_markdown(plan))
    else:
        click.echo(render_text(plan))
