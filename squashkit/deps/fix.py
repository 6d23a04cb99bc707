"""From proposals to file rewrites, with the safety rules; nothing is written here.

A pending proposal becomes a :class:`~squashkit.rewrite.files.RewriteResult`:

* ``refused`` when the migration (or, for a squash, one it replaces) is applied in a known environment,
  schema or snapshot (``reason`` names them), when a source could not be read, when no applied-state
  source exists and the caller did not assume the migrations unapplied, or when it was not verified and
  verification is required;
* ``failed`` when Django's verification failed (``reason`` is Django's) or the file cannot be rewritten;
* ``changed``/``unchanged`` otherwise (``after`` holds the new text).

:func:`fix_change_set` turns the plans into one :class:`~squashkit.rewrite.changeset.ChangeSet` (the
``changed`` ones as edits, refusals and failures as refusals); its ``apply()`` writes them all or none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from squashkit.deps.propose import Proposal
from squashkit.graph.model import MigrationKey, Project
from squashkit.rewrite.changeset import ChangeSet
from squashkit.rewrite.files import RewriteResult, refused, rewrite_file

__all__ = ["AppliedLookup", "FixPlan", "fix_change_set", "plan_fixes"]

#: ``key -> labels of the environments/schemas/snapshots where it is applied`` (empty: nowhere).
AppliedLookup = Callable[[MigrationKey], Sequence[str]]


@dataclass(frozen=True)
class FixPlan:
    proposal: Proposal
    result: RewriteResult


def plan_fixes(
    project: Project,
    proposals: Sequence[Proposal],
    *,
    applied_in: AppliedLookup | None,
    unknown: Sequence[str] = (),
    assume_unapplied: bool = False,
    require_verified: bool = True,
    no_source: str = "",
) -> list[FixPlan]:
    """One :class:`FixPlan` per pending proposal.

    ``unknown`` names sources that could not be read: every migration may be applied there, so nothing is
    rewritten.  ``no_source`` says why there is no source when ``applied_in`` is None (e.g. the default
    SQLite database does not exist).
    """
    plans: list[FixPlan] = []
    for proposal in proposals:
        if not proposal.pending:
            continue
        info = project.migrations[proposal.migration]
        path = info.path
        if unknown:
            plans.append(
                FixPlan(proposal, refused(path, f"applied state unknown: {', '.join(unknown)} could not be read"))
            )
            continue
        if applied_in is None:
            if not assume_unapplied:
                plans.append(
                    FixPlan(
                        proposal,
                        refused(
                            path,
                            (
                                f"no applied-state source: {no_source}; "
                                if no_source
                                else "no applied-state source (settings, environments or snapshots); "
                            )
                            + "pass --assume-unapplied if no database has applied it",
                        ),
                    )
                )
                continue
        else:
            labels: list[str] = []
            for key in (proposal.migration, *info.replaces):
                labels += [label for label in applied_in(key) if label not in labels]
            if labels:
                plans.append(FixPlan(proposal, refused(path, f"applied in {', '.join(labels)}")))
                continue
        verification = proposal.verification
        if verification is not None and verification.status == "failed":
            plans.append(FixPlan(proposal, RewriteResult(path, "failed", verification.reason)))
            continue
        if require_verified and verification is not None and verification.status == "skipped":
            plans.append(FixPlan(proposal, refused(path, f"not verified with Django: {verification.reason}")))
            continue
        if require_verified and (verification is None or verification.status != "verified"):
            plans.append(FixPlan(proposal, refused(path, "not verified with Django; pass --settings or --no-verify")))
            continue
        result = rewrite_file(
            path,
            {"dependencies": proposal.proposed},
            settings=project.settings,
            expected={"dependencies": proposal.current},
        )
        plans.append(FixPlan(proposal, result))
    return plans


def fix_change_set(root: Path, plans: Sequence[FixPlan]) -> ChangeSet:
    """The files ``plans`` would rewrite as one change set (in plan order), refusals and failures included."""
    changes = ChangeSet(root)
    for plan in plans:
        result, key = plan.result, plan.proposal.migration
        if result.status == "changed":
            changes = changes.edit(result.path, result.before, result.after, "minimal dependencies", key)
        elif result.status in ("refused", "failed"):
            changes = changes.refuse(f"{result.status}: {result.reason}", result.path, key)
    return changes
