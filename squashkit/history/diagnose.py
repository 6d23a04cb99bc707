"""Diagnose inconsistent migration history before Django raises ``InconsistentMigrationHistory``.

Each finding names where it was found (environment or ``env/schema`` labels), the migrations, the reason,
and the fix to consider.  squashkit never runs a fix: it prints the command for a human to judge.

Codes (stable):

* ``SK401`` *applied-before-dependency* (error): a recorded migration whose dependency is not recorded;
  Django's ``check_consistent_history`` raises ``InconsistentMigrationHistory`` for it on ``migrate``.
* ``SK402`` *partial-squash* (warning; error when replaced files are missing): some, not all, of the
  migrations a squash replaces are recorded, so Django ignores the squash.
* ``SK403`` *stale-row*: a recorded name with no file: ``renamed`` / ``deleted`` (warning), ``replaced`` by a
  squash in use (info: Django ignores it).
* ``SK404`` *edited-after-apply* (warning): the file of an applied migration changed since a snapshot.
* ``SK405`` *squash-not-recorded*: every replaced migration is recorded but the squash is not (info while
  ``replaces`` is kept, Django records it at the next ``migrate``); or a squash whose ``replaces`` was removed
  covers recorded rows but is not recorded itself (error: Django would run it again).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from squashkit.graph.graph import NodeKind
from squashkit.graph.helpers import squashes
from squashkit.graph.model import MigrationKey
from squashkit.history.model import AppliedSet
from squashkit.history.status import SetStatus
from squashkit.rules import Finding, Severity, get_rule

__all__ = ["Finding", "counts", "diagnose_status", "finding_dict", "group_findings", "order"]

MANAGE = "python manage.py"
DBSHELL = "python manage.py dbshell"


def _finding(code: str, severity: Severity, migrations: Sequence[MigrationKey], message: str, fix: str) -> Finding:
    """A finding of rule ``code`` about ``migrations[0]`` (the others are related), with ``fix`` as its hint."""
    return get_rule(code).finding(
        message, severity=severity, hint=fix, migration=migrations[0], related=tuple(migrations[1:])
    )


def counts(finding: Finding) -> bool:
    """True for errors and warnings (they make ``history show`` exit 1); info does not."""
    return finding.severity.at_least(Severity.WARNING)


def order(finding: Finding) -> tuple[Any, ...]:
    """History findings sort by severity, code, then the migrations they name."""
    return (finding.severity.rank, finding.code, finding.migrations, finding.message)


def finding_dict(finding: Finding) -> dict[str, Any]:
    """The JSON form of a history finding (``history show --format json``)."""
    return {
        "code": finding.code,
        "kind": finding.name,
        "severity": finding.severity.value,
        "where": list(finding.labels),
        "migrations": [str(k) for k in finding.migrations],
        "message": finding.message,
        "fix": finding.hint,
    }


def _insert(key: MigrationKey) -> str:
    values = f"('{key.app_label}', '{key.name}', CURRENT_TIMESTAMP)"
    return f"INSERT INTO django_migrations (app, name, applied) VALUES {values};"


def _delete(key: MigrationKey) -> str:
    return f"DELETE FROM django_migrations WHERE app = '{key.app_label}' AND name = '{key.name}';"


def _dbshell(schema: str | None) -> str:
    """Where to run the SQL of a fix; tenant schemas need their search path first."""
    if schema:
        return f"`{DBSHELL}` (in each listed schema: `SET search_path TO <schema>;` first)"
    return f"`{DBSHELL}`"


def _applied_before_dependency(status: SetStatus, recorded: frozenset[MigrationKey]) -> list[Finding]:
    graph, project = status.graph, status.graph.project
    apps_recorded = {k.app_label for k in recorded}
    replacements = squashes(project)
    findings: list[Finding] = []
    for key in sorted(recorded):
        if graph.kinds.get(key) != NodeKind.MIGRATION:
            continue
        for parent in sorted(graph.pred[key]):
            if parent in recorded:
                continue
            if parent in replacements and all(t in recorded for t in replacements[parent]):
                continue
            kind = graph.kinds[parent]
            if kind == NodeKind.MISSING:
                continue  # a dangling dependency: a graph problem, reported by `squashkit check`
            if kind == NodeKind.EXTERNAL and parent.is_marker and parent.app_label in apps_recorded:
                continue
            findings.append(
                _finding(
                    "SK401",
                    Severity.ERROR,
                    (key, parent),
                    f"{key} is applied before its dependency {parent}: Django's migrate raises "
                    "InconsistentMigrationHistory",
                    f"if the changes of {parent} are already in the database, record it in "
                    f"{_dbshell(status.set.schema)}: `{_insert(parent)}`; otherwise revert the changes of {key} "
                    f"by hand and unrecord it: `{_delete(key)}`; then `{MANAGE} migrate` (`migrate --fake` "
                    "cannot help: migrate stops on this inconsistency before doing anything)",
                )
            )
    return findings


def _squashes(status: SetStatus, recorded: frozenset[MigrationKey]) -> list[Finding]:
    project = status.graph.project
    findings: list[Finding] = []
    for outcome in status.graph.replacements:
        squash, replaces = outcome.replacement, outcome.replaces
        done = [t for t in replaces if t in recorded]
        if not outcome.used and done:
            todo = [t for t in replaces if t not in recorded]
            missing = [t for t in todo if t not in project.migrations]
            names = ", ".join(str(t) for t in todo)
            last = replaces[-1]
            if missing:
                files = ", ".join(str(t) for t in missing)
                fix = (
                    f"restore the files of {files} (e.g. from git history), then `{MANAGE} migrate "
                    f"{last.app_label} {last.name}`; if their changes are already in the database, "
                    f"`{MANAGE} migrate {last.app_label} {last.name} --fake` once the files are back"
                )
                severity = Severity.ERROR
                reason = f"; {files} no longer exist, so Django cannot build the graph (NodeNotFoundError)"
            else:
                fix = (
                    f"apply the rest: `{MANAGE} migrate {last.app_label} {last.name}` (Django then records "
                    f"{squash}); keep the replaced files until every database has done so"
                )
                severity = Severity.WARNING
                reason = ""
            findings.append(
                _finding(
                    "SK402",
                    severity,
                    (squash, *todo),
                    f"squashed migration {squash} is partially applied ({len(done)} of {len(replaces)} replaced "
                    f"migrations recorded; not recorded: {names}): Django uses the replaced migrations, not "
                    f"the squash{reason}",
                    fix,
                )
            )
        elif outcome.used and len(done) == len(replaces) and squash not in recorded:
            findings.append(
                _finding(
                    "SK405",
                    Severity.INFO,
                    (squash,),
                    f"every migration {squash} replaces is recorded but {squash} itself is not: Django counts it "
                    "applied and records it at the next migrate",
                    f"record the squashed name before removing `replaces` from {squash}: "
                    f"`{MANAGE} migrate {squash.app_label}` (nothing to apply; it records {squash})",
                )
            )
    return findings


def _stale(status: SetStatus, recorded: frozenset[MigrationKey]) -> list[Finding]:
    project = status.graph.project
    findings: list[Finding] = []
    finalized: dict[MigrationKey, list[MigrationKey]] = {}
    for row in status.stale:
        key = row.key
        if row.reason == "squashed" and row.related is not None:
            finalized.setdefault(row.related, []).append(key)
            continue
        if row.reason == "replaced":
            findings.append(
                _finding(
                    "SK403",
                    Severity.INFO,
                    (key,),
                    f"{key} is recorded but its file is gone: replaced by {row.related}, Django ignores the row",
                    f"nothing needed; once {row.related} no longer lists `replaces`, "
                    f"`{MANAGE} migrate {key.app_label} --prune` deletes the row",
                )
            )
        elif row.reason == "renamed" and row.related is not None:
            new = row.related
            findings.append(
                _finding(
                    "SK403",
                    Severity.WARNING,
                    (key, new),
                    f"{key} is recorded but has no file; it was probably renamed to {new}, which Django would "
                    "run again",
                    # Plain SQL rather than `migrate --prune`: Django 4.2 refuses --prune in any app while some
                    # squash elsewhere still lists deleted replaced migrations.
                    f"rename the file back to {key.name}.py, or record the new name and delete the old row in "
                    f"{_dbshell(status.set.schema)}: `{_insert(new)}` `{_delete(key)}`",
                )
            )
        else:
            app = project.apps.get(key.app_label)
            where = f"{app.migrations_path.relative_to(project.root)}/" if app else f"{key.app_label}/migrations/"
            findings.append(
                _finding(
                    "SK403",
                    Severity.WARNING,
                    (key,),
                    f"{key} is recorded but its file no longer exists (deleted)",
                    f"restore {where}{key.name}.py (`git log --diff-filter=D -- {where}{key.name}.py`); if it "
                    f"was removed on purpose, `{MANAGE} migrate {key.app_label} --prune` deletes the row",
                )
            )
    for squash, rows in sorted(finalized.items()):
        if squash in recorded:
            findings.append(
                _finding(
                    "SK403",
                    Severity.INFO,
                    tuple(sorted(rows)),
                    f"{', '.join(str(r) for r in sorted(rows))} recorded but their files are gone: covered by "
                    f"{squash}, which is recorded",
                    f"nothing needed; `{MANAGE} migrate {squash.app_label} --prune` deletes the rows",
                )
            )
        else:
            findings.append(
                _finding(
                    "SK405",
                    Severity.ERROR,
                    (squash, *sorted(rows)),
                    f"{squash} has no `replaces` any more and is not recorded, while the migrations it squashed "
                    f"are ({', '.join(str(r) for r in sorted(rows))}): Django would run {squash} again",
                    f"record the squashed name in {_dbshell(status.set.schema)} (after checking that every "
                    f"migration it squashed is recorded): `{_insert(squash)}`, then `{MANAGE} migrate "
                    f"{squash.app_label} --prune` deletes the old rows",
                )
            )
    return findings


def _edited(status: SetStatus, applied_set: AppliedSet) -> list[Finding]:
    project = status.graph.project
    findings: list[Finding] = []
    for key, digest in sorted(applied_set.hashes.items()):
        migration = project.migrations.get(key)
        if migration is None or not migration.content_hash or migration.content_hash == digest:
            continue
        try:
            path = migration.path.relative_to(project.root)
        except ValueError:
            path = migration.path
        when = applied_set.taken.isoformat() if applied_set.taken else "the snapshot"
        findings.append(
            _finding(
                "SK404",
                Severity.WARNING,
                (key,),
                f"{key} is applied but {path} changed since the snapshot of {when}: databases that applied it "
                "ran the old version",
                f"restore {path} as it was applied (`git log -p -- {path}`) and make the change in a new "
                f"migration (`{MANAGE} makemigrations {key.app_label}`)",
            )
        )
    return findings


def diagnose_status(status: SetStatus) -> list[Finding]:
    """Findings of one applied set (``labels`` left empty: :func:`group_findings` fills them)."""
    recorded = status.set.applied
    findings = _applied_before_dependency(status, recorded)
    findings += _squashes(status, recorded)
    findings += _stale(status, recorded)
    findings += _edited(status, status.set)
    return findings


def group_findings(per_label: Iterable[tuple[str, Sequence[Finding]]]) -> list[Finding]:
    """Merge identical findings of several sets into one naming every label, ordered by severity."""
    merged: dict[tuple[Any, ...], list[str]] = {}
    first: dict[tuple[Any, ...], Finding] = {}
    for label, findings in per_label:
        for finding in findings:
            key = (finding.code, finding.severity, finding.migrations, finding.message, finding.hint)
            merged.setdefault(key, []).append(label)
            first.setdefault(key, finding)
    out = [dataclasses.replace(f, labels=tuple(merged[key])) for key, f in first.items()]
    return sorted(out, key=order)
