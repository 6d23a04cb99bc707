"""``squashkit squash run``: write the squashed migrations of one range or of the whole plan.

``squashkit squash run APP [START] END`` squashes one range as Django's ``squashmigrations`` would name it;
``squashkit squash run --plan`` squashes every range ``squash plan`` proposes.  Dry run by default (the
change set's diff); ``--write`` applies it all or nothing, after the proof passed (``--no-proof`` skips it).

Exit codes: 0 written (or nothing to do), 1 pending changes (dry run), refused ranges or a failed proof,
2 usage or input error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from squashkit.cli import options
from squashkit.cli.output import echo_json, wrap

if TYPE_CHECKING:
    from squashkit.graph.model import Project
    from squashkit.squash.execute import SquashRun, SquashTarget

SCHEMA_VERSION = 1


@contextmanager
def _progress() -> Iterator[Any]:
    """A callback showing steps with rich on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("squash", total=None)

        def step(text: str) -> None:
            progress.update(task, description=text)

        yield step


def _plan_targets(project: Project, apps: list[str] | None, settings: str | None, opts: dict[str, Any]) -> list[Any]:
    import importlib

    from squashkit.cli._squash_plan import applied_state
    from squashkit.squash.execute import SquashTarget

    try:  # squash plan (issue #13) may not be installed with this squash run
        plan_squashes = importlib.import_module("squashkit.squash.plan").plan_squashes
    except ImportError as exc:
        from squashkit.errors import UsageError

        raise UsageError("squash run --plan needs squashkit's squash plan, which is not available") from exc

    applied = applied_state(project.root, settings, opts)
    plan = plan_squashes(project, applied, apps=apps or ())
    targets = []
    for squash_range in plan.ranges:
        members = tuple(squash_range.members)
        targets.append(SquashTarget(squash_range.app, members))
    return targets


def _echo(text: str, indent: str = "", subsequent: str | None = None) -> None:
    click.echo(wrap(text, 100, indent, subsequent) if text else "")


def _render(run: SquashRun, proof: Any) -> None:
    root = run.root
    if not run.outcomes:
        click.echo(f"{root.name}: nothing to squash.")
        return
    for outcome in run.outcomes:
        target = outcome.target
        span = f"{target.first.name} .. {target.last.name}"
        if outcome.refusal:
            _echo(f"{target.app}: {span} refused: {outcome.refusal}", "", "    ")
            continue
        if outcome.done:
            _echo(f"{target.app}: {span} is squashed already ({outcome.key}): nothing to do", "", "    ")
            continue
        rel = outcome.path.relative_to(root).as_posix() if outcome.path.is_relative_to(root) else str(outcome.path)
        elided = f", {outcome.ops_elided} elidable dropped" if outcome.ops_elided else ""
        _echo(
            f"{target.app}: {span} -> {rel} ({len(target.members)} migrations, {outcome.ops_before} operations -> "
            f"{outcome.ops_after}{elided}; {outcome.strategy})",
            "",
            "    ",
        )
        if outcome.note:
            _echo(outcome.note, "    ")
        deps = ", ".join(_dep(d) for d in outcome.dependencies) or "none"
        _echo(f"dependencies: {deps}", "    ", "      ")
        for port in outcome.ports:
            _echo(port.describe(root), "    ", "      ")
    if proof is not None:
        click.echo()
        for line in proof.lines():
            _echo(line, "", "    ")


def _dep(dep: Any) -> str:
    from squashkit.squash.execute import dependency_text

    return dependency_text(dep)


@click.command("run")
@click.argument("args", nargs=-1, metavar="APP [START] END | --plan [PROJECT_DIR]")
@click.option(
    "--project",
    "-C",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The project folder (default: the current folder).",
)
@click.option("--plan", "use_plan", is_flag=True, help="Squash every range `squashkit squash plan` proposes.")
@options.settings_option_with(
    "Django settings module, to write and prove the squash with Django and to read the default database "
    "(default: [tool.squashkit] settings, else manage.py's); migrations are read statically"
)
@options.app_option
@options.cache_option
@click.option(
    "--strategy",
    type=click.Choice(["optimize", "compact"]),
    default="optimize",
    show_default=True,
    help="optimize: Django's optimizer over the members' operations; compact: regenerate the schema "
    "operations from the final state (a range from the app's first migration without data operations).",
)
@click.option("--write", is_flag=True, help="Write the squashed migrations (all or nothing), after the proof.")
@click.option("--no-proof", is_flag=True, help="Skip the proof on temporary databases.")
@click.option(
    "--proof-dsn",
    "proof_dsns",
    multiple=True,
    metavar="DSN",
    help="Also prove on this PostgreSQL server (postgresql://...; temporary databases are created there). "
    "Default: $SQUASHKIT_PROOF_DSN when set.",
)
@click.option(
    "--local-postgres",
    is_flag=True,
    help="Also prove on a throwaway PostgreSQL cluster started here (initdb and pg_ctl from $SQUASHKIT_PG_BIN, "
    "PATH or /usr/lib/postgresql/*/bin), removed afterwards.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format."
)
@options.applied_state_options
@options.handle_errors
def run_command(
    args: tuple[str, ...],
    project_dir: Path | None,
    use_plan: bool,
    settings: str | None,
    apps: tuple[str, ...],
    no_cache: bool,
    strategy: str,
    write: bool,
    no_proof: bool,
    proof_dsns: tuple[str, ...],
    local_postgres: bool,
    fmt: str,
    **applied_opts: Any,
) -> None:
    """Write squashed migrations: minimal dependencies, RunPython copied, proven on fresh databases."""
    import contextlib
    import os

    from squashkit.deps.verify import find_settings
    from squashkit.errors import UsageError
    from squashkit.graph.static import load_static
    from squashkit.squash.execute import squash, target_for

    if use_plan:
        if len(args) > 1:
            raise UsageError("squash run --plan takes at most the project folder")
        if args and project_dir is None:
            project_dir = Path(args[0])
    elif len(args) not in (2, 3):
        raise UsageError("squash run needs APP [START] END, or --plan")
    project = load_static(project_dir or Path("."), cache=not no_cache)
    root = project.root
    found = find_settings(root, settings)
    if not found:
        raise UsageError(
            f"{root}: squash run needs Django settings: pass --settings MODULE, set [tool.squashkit] settings, "
            "or add a manage.py that sets DJANGO_SETTINGS_MODULE"
        )
    selected = options.check_apps(project, apps)
    targets: list[SquashTarget]
    if use_plan:
        targets = _plan_targets(project, selected, found, applied_opts)
    else:
        app, *rest = args
        start, end = (rest[0], rest[1]) if len(rest) == 2 else (None, rest[0])
        targets = [target_for(project, app, end, start)]
    if local_postgres and no_proof:
        raise UsageError("--local-postgres is for the proof: it cannot be combined with --no-proof")
    proof = None
    with _progress() as step, contextlib.ExitStack() as stack:
        run = squash(project, targets, settings=found, strategy=strategy, progress=step)  # type: ignore[arg-type]
        if run.written and not no_proof:
            from squashkit.squash.prove import prove

            dsns = list(proof_dsns) or [d for d in [os.environ.get("SQUASHKIT_PROOF_DSN", "")] if d]
            if local_postgres:
                from squashkit.proof.cluster import running_cluster

                dsns.append(stack.enter_context(running_cluster()).dsn())
            proof = prove(run, found, dsns=dsns, progress=step)
        wrote = False
        if write and run.written and (proof is None or proof.ok):
            run.changes.apply()
            wrote = True
    failed = bool(run.refused) or (proof is not None and not proof.ok)
    if fmt == "json":
        echo_json(
            {
                "schema_version": SCHEMA_VERSION,
                "project": str(root),
                "squashes": [o.to_dict(root) for o in run.outcomes],
                "proof": proof.to_dict() if proof is not None else None,
                "written": [o.path.relative_to(root).as_posix() for o in run.written] if wrote else [],
                "diff": run.changes.diff() if not wrote else "",
            }
        )
    else:
        _render(run, proof)
        if run.written:
            click.echo()
            if wrote:
                click.echo(f"Wrote {len(run.written)} file(s).")
            elif write:
                click.echo("Nothing written: the proof failed.")
            else:
                click.echo(run.changes.diff(), nl=False)
    pending = bool(run.written) and not wrote
    sys.exit(1 if failed or pending else 0)
