"""``squashkit deps``: minimal cross-app dependency proposals; ``--diff`` shows, ``--fix`` writes them.

Proposals are computed statically, then verified with Django when settings are known (``--settings``,
``[tool.squashkit] settings`` or manage.py).  ``--fix`` never rewrites a migration that is applied in the
project's default database (or a configured environment), nor an unverified or failed proposal; with no
applied-state source at all (a default SQLite database file that does not exist is none: see
:mod:`squashkit.history.applied`) it refuses unless ``--assume-unapplied`` is given.  The rewrites are computed first,
then written as one :class:`~squashkit.rewrite.changeset.ChangeSet`: all or nothing, and an earlier ``--fix``
interrupted by SIGKILL is rolled back first (``note:`` on stderr).

Exit codes: 0 no pending proposal (or all written), 1 pending proposals left, 2 usage or input error.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from squashkit.cli import options
from squashkit.cli.output import console, echo_json, markdown_table, wrap
from squashkit.deps.propose import EdgeChange, Explanation, Proposal, Verification, explain, propose
from squashkit.deps.verify import VerifyError, find_settings, verify
from squashkit.errors import CycleError, DjangoLoadError
from squashkit.graph.model import Project
from squashkit.graph.static import load_static
from squashkit.rewrite.changeset import ChangeSet, recover

if TYPE_CHECKING:  # libcst (through the rewrite layer) is imported only when a rewrite is planned
    from squashkit.deps.fix import FixPlan

_SIGN = {"remove": "-", "add": "+", "keep": " "}
#: version of the JSON shape of ``deps`` (fields are only added within a version)
SCHEMA_VERSION = 1


def _status(proposal: Proposal, plan: FixPlan | None, written: Sequence[Path] = ()) -> str:
    """One word for a proposal in every mode: ``verified``/``unverified``/``failed: ...`` as plain ``deps``
    says it, ``refused: ...`` when --diff/--fix would not write it, ``written`` once --fix wrote it."""
    if plan is not None:
        result = plan.result
        if result.status in ("refused", "failed"):
            return f"{result.status}: {result.reason}"
        if result.status != "changed":
            return "unchanged"
        if result.path in written:
            return "written"
    verification = proposal.verification
    if verification is None or verification.status == "skipped":
        return "unverified"
    if verification.status == "failed":
        return f"failed: {verification.reason}"
    return verification.status


def _changes(proposal: Proposal) -> list[EdgeChange]:
    return [c for c in proposal.changes if c.action != "keep"]


#: reason codes of a migration whose dependencies are kept because what it needs is not fully known
_KEPT_CODES = ("opaque", "descendant", "unprovided", "unresolved")


def _kept(proposals: Sequence[Proposal]) -> list[tuple[Proposal, EdgeChange]]:
    """Migrations with cross-app dependencies kept as written because squashkit cannot see all they need."""
    found = []
    for proposal in proposals:
        for change in proposal.changes:
            if (
                change.action == "keep"
                and change.reason_code in _KEPT_CODES
                and change.dependency.app_label != proposal.migration.app_label
            ):
                found.append((proposal, change))
                break
    return found


def _echo(text: str, width: int, indent: str = "", subsequent: str | None = None) -> None:
    click.echo(wrap(text, width, indent, subsequent))


def _render_table(
    project: Project,
    pending: Sequence[Proposal],
    plans: dict[Any, FixPlan],
    note: str,
    written: Sequence[Path] = (),
    kept: Sequence[tuple[Proposal, EdgeChange]] = (),
) -> None:
    width = max(console().width, 40)
    if not pending:
        click.echo(f"{project.root.name}: no dependency to change.")
        _render_kept(kept, width)
        return
    click.echo(f"{project.root.name}: {len(pending)} migration(s) with dependencies to change")
    for proposal in pending:
        click.echo()
        status = _status(proposal, plans.get(proposal.migration), written)
        _echo(f"{proposal.migration}  [{status}]", width, "", "    ")
        for change in _changes(proposal):
            click.echo(f"  {_SIGN[change.action]} {change.dependency}")
            _echo(f"{change.reason_code}: {change.reason}", width, "      ")
    _render_kept(kept, width)
    if note:
        click.echo()
        _echo(note, width)


def _render_kept(kept: Sequence[tuple[Proposal, EdgeChange]], width: int) -> None:
    if not kept:
        return
    click.echo()
    click.echo(f"Kept as written, what they need is not fully known ({len(kept)}):")
    for proposal, change in kept:
        _echo(f"{proposal.migration}  kept: {change.reason}", width, "  ", "      ")


def _render_explanation(explanation: Explanation, status: str) -> None:
    width = max(console().width, 40)
    click.echo(f"{explanation.migration}  [{status}]")
    sections: list[tuple[str, list[str]]] = [
        ("Needs from other apps and own removals", list(explanation.needs)),
        ("Cannot see", list(explanation.opaque)),
        ("Providers", [f"{m}: {what}; {why}" if why else f"{m}: {what}" for m, what, why in explanation.providers]),
        ("Kept as written", [f"{explanation.kept[0]}: {explanation.kept[1]}"] if explanation.kept else []),
        (
            "Dependencies",
            [f"{_SIGN[c.action]} {c.dependency}  {c.reason_code}: {c.reason}" for c in explanation.proposal.changes],
        ),
        ("Ancestors lost once every proposal is applied", [str(k) for k in explanation.lost_ancestors]),
    ]
    for title, lines in sections:
        click.echo(f"{title}:")
        for line in lines or ["(none)"]:
            _echo(line, width, "  ", "      ")


def _render_markdown(pending: Sequence[Proposal], plans: dict[Any, FixPlan], written: Sequence[Path] = ()) -> str:
    rows = []
    for proposal in pending:
        status = _status(proposal, plans.get(proposal.migration), written)
        for change in _changes(proposal):
            rows.append(
                [
                    f"`{proposal.migration}`",
                    change.action,
                    f"`{change.dependency}`",
                    change.reason_code,
                    change.reason,
                    status,
                ]
            )
    if not rows:
        return "No dependency to change."
    return markdown_table(["migration", "action", "dependency", "reason code", "reason", "status"], rows)


@click.command("deps")
@options.project_argument
@options.verify_settings_option
@options.app_option
@options.format_option
@options.cache_option
@click.option("--diff", "show_diff", is_flag=True, help="Print the rewrites as unified diffs.")
@click.option("--fix", is_flag=True, help="Write the verified proposals of unapplied migrations.")
@click.option(
    "--assume-unapplied",
    is_flag=True,
    help="With no applied-state source (no settings), treat every migration as unapplied.",
)
@click.option("--no-verify", is_flag=True, help="Do not verify with Django (offer unverified proposals).")
@click.option(
    "--explain",
    "explain_name",
    metavar="MIGRATION",
    help="Print the needs, providers and lost ancestors of one migration (app.name, a unique name prefix).",
)
@options.applied_state_options
@options.handle_errors
def command(
    project_dir: Path,
    settings: str | None,
    apps: tuple[str, ...],
    fmt: str,
    no_cache: bool,
    show_diff: bool,
    fix: bool,
    assume_unapplied: bool,
    no_verify: bool,
    explain_name: str | None,
    **applied_opts: Any,
) -> None:
    """Propose the minimal cross-app dependencies of each migration; --diff shows, --fix writes them."""
    project = load_static(project_dir, cache=not no_cache)
    root = project.root
    if fix:  # an earlier write interrupted by SIGKILL or a power cut is rolled back before anything is read
        recovered = recover(root)
        if recovered:
            click.echo(f"note: {recovered}", err=True)
            project = load_static(project_dir)
    selected = options.check_apps(project, apps)
    graph = project.graph()
    if graph.cycles():  # nothing can be proposed safely: say so instead of "no dependency to change"
        raise CycleError(graph.cycles(), "dependency proposals")
    if explain_name is not None:
        _explain(project, graph, explain_name, fmt, settings, no_verify)
        return
    proposals = propose(project, apps=selected, graph=graph)
    found_settings = find_settings(root, settings)
    note = ""
    timings: dict[str, float] = {}
    if found_settings and not no_verify and any(p.pending for p in proposals):
        try:
            proposals = verify(project, proposals, settings=found_settings, root=root, timings=timings)
        except DjangoLoadError as exc:
            raise DjangoLoadError(
                exc.settings,
                f"{exc.reason}; verification imports the project with Django, so its requirements must be "
                "installed and its settings importable (run from the folder with manage.py, or pass --settings); "
                "--no-verify gives unverified proposals without Django",
            ) from exc
        except VerifyError as exc:
            # Django set up but could not load or replay the migrations (a file it cannot import, ...): the
            # proposals are still shown, unverified, with the reason; --fix writes none of them
            note = f"Not verified with Django: {exc.reason}."
            skipped = Verification("skipped", exc.reason)
            proposals = [dataclasses.replace(p, verification=skipped) if p.pending else p for p in proposals]
    elif not found_settings:
        note = "Not verified with Django: no settings found (pass --settings or set [tool.squashkit] settings)."
    pending = [p for p in proposals if p.pending]
    plans: dict[Any, FixPlan] = {}
    if (fix or show_diff) and pending:
        from squashkit.deps.fix import plan_fixes
        from squashkit.history.applied import AppliedState

        # --diff --no-verify never starts Django: the default database is only read to refuse (--fix)
        reader = None if (no_verify and not fix) else found_settings
        state = options.read_applied_state(root, reader, applied_opts)
        default_failed = [s for s in state.unreadable if s.kind == "default-db" and s.exception is not None]
        if default_failed:
            if fix:
                raise default_failed[0].exception
            state = AppliedState()  # --diff only: show what would be written, refusals say why
        for plan in plan_fixes(
            project,
            pending,
            applied_in=state.applied_in if state.has_sources else None,
            unknown=[source.label for source in state.unreadable],
            no_source="; ".join(state.missing),
            assume_unapplied=assume_unapplied,
            require_verified=not no_verify,
        ):
            plans[plan.proposal.migration] = plan
    changes = ChangeSet(root)
    if plans:
        from squashkit.deps.fix import fix_change_set

        changes = fix_change_set(root, list(plans.values()))
    written: list[Path] = []
    if fix:
        changes.apply()  # all or nothing; ChangeSetError names the file
        written = list(changes.paths)
    diffs = {change.path: change.diff(root) for change in changes.changes}
    if fmt == "json":
        echo_json(
            {
                "schema_version": SCHEMA_VERSION,
                "project": str(root),
                "proposals": [
                    {
                        **p.to_dict(),
                        "status": _status(p, plans.get(p.migration), written),
                        **(
                            {"diff": diffs.get(plans[p.migration].result.path, "")}
                            if show_diff and p.migration in plans
                            else {}
                        ),
                    }
                    for p in pending
                ],
                "written": [str(p.relative_to(root)) for p in written],
                "kept": [
                    {"migration": str(p.migration), "reason_code": c.reason_code, "reason": c.reason}
                    for p, c in _kept(proposals)
                ],
                **({"verification_seconds": {k: round(v, 3) for k, v in timings.items()}} if timings else {}),
            }
        )
    elif fmt == "markdown":
        click.echo(_render_markdown(pending, plans, written))
    else:
        _render_table(project, pending, plans, note, written, _kept(proposals))
    if show_diff and fmt != "json" and changes:
        click.echo(changes.diff(), nl=False)
    if fix and fmt != "json":
        click.echo(f"Wrote {len(written)} file(s).")
    left = [p for p in pending if not (fix and plans.get(p.migration) and plans[p.migration].result.path in written)]
    sys.exit(1 if left else 0)


def _explain(project: Project, graph: Any, name: str, fmt: str, settings: str | None, no_verify: bool) -> None:
    """``--explain``: one migration's needs, providers, proposal (verified when settings are known)."""
    app, _, prefix = name.partition(".")
    matches = sorted(k for k in project.migrations if k.app_label == app and k.name.startswith(prefix) and prefix)
    exact = [k for k in matches if k.name == prefix]
    if len(exact) == 1:
        matches = exact
    if len(matches) != 1:
        known = ", ".join(str(k) for k in matches[:5]) or "none"
        raise click.BadParameter(f"{name!r} names {len(matches)} migrations (matches: {known})", param_hint="--explain")
    explanation = explain(project, matches[0], graph=graph)
    if explanation is None:
        raise click.BadParameter(f"{matches[0]} is not a migration of the project's apps", param_hint="--explain")
    proposal = explanation.proposal
    found_settings = find_settings(project.root, settings)
    if proposal.pending and found_settings and not no_verify:
        proposal = verify(project, [proposal], settings=found_settings, root=project.root)[0]
    status = _status(proposal, None) if proposal.pending else "no change"
    if fmt == "json":
        echo_json({**explanation.to_dict(), "status": status})
    else:
        _render_explanation(explanation, status)
