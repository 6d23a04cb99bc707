"""``squashkit check`` as data: every selected rule over a project, suppressions, baseline, verdict.

Order of filtering: rules selected (``--select``/``--ignore`` and config, flake8 precedence), then per-path
ignores, then inline ``# squashkit: noqa`` comments, then the baseline.  The result keeps the counts of what
each step removed.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squashkit.analysis.findings import AnalysisContext, load_checks
from squashkit.check.baseline import fingerprint, new_findings
from squashkit.check.checks import load_check_checks
from squashkit.check.config import CheckConfig
from squashkit.check.noqa import NoqaIndex
from squashkit.errors import AppNotFoundError
from squashkit.graph.model import Project
from squashkit.history.model import AppliedState
from squashkit.rules import Finding, Severity, get_rule, is_selected

__all__ = ["CheckResult", "run_check"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class CheckResult:
    project: Project
    findings: tuple[Finding, ...]
    fail_on: Severity
    #: how many findings each step left out
    ignored_by_path: int = 0
    suppressed: int = 0
    baselined: int = 0
    #: applied-state sources that could not be read (their history rules were not checked)
    unreadable_sources: tuple[str, ...] = ()
    #: every selected finding before noqa and baseline (what --write-baseline records)
    before_baseline: tuple[Finding, ...] = field(default=(), repr=False)

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.severity.at_least(self.fail_on)]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing else 0

    def to_dict(self) -> dict[str, Any]:
        from squashkit import __version__

        root = self.project.root
        counts = Counter(f.severity.value for f in self.findings)
        return {
            "schema_version": SCHEMA_VERSION,
            "squashkit_version": __version__,
            "project": str(root),
            "fail_on": self.fail_on.value,
            "findings": [
                {
                    **f.to_dict(root),
                    "name": f.name,
                    "path": _relative(f.path, root),
                    "line": f.line,
                    "where": list(f.labels),
                    "fingerprint": fingerprint(f, root),
                }
                for f in self.findings
            ],
            "counts": {s.value: counts.get(s.value, 0) for s in Severity},
            "ignored_by_path": self.ignored_by_path,
            "suppressed": self.suppressed,
            "baselined": self.baselined,
            "unreadable_sources": list(self.unreadable_sources),
            "exit_code": self.exit_code,
        }


def _relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _history_findings(project: Project, state: AppliedState, apps: Sequence[str]) -> list[Finding]:
    """SK4xx from the history diagnosis, SK501/SK504 from the squash lifecycle, located at migration files."""
    from squashkit.history.report import history_report
    from squashkit.squash.lifecycle import SquashState, squash_status

    found: list[Finding] = []
    for finding in history_report(project, state).findings:
        migration = project.migrations.get(finding.migration) if finding.migration else None
        found.append(dataclasses.replace(finding, path=migration.path) if migration else finding)
    sk501, sk504 = get_rule("SK501"), get_rule("SK504")
    for status in squash_status(project, state).squashes:
        if status.ready:
            where = tuple(s.label for s in status.sources)
            found.append(
                sk501.finding(
                    f"{status.squash} is recorded in every known environment ({', '.join(where)}): ready to finalize",
                    hint="`squashkit squash finalize` shows the change; --write makes it.",
                    path=status.path,
                    migration=status.squash,
                    labels=where,
                )
            )
        missing = [k for k in status.replaces if k not in project.migrations]
        needing = tuple(s.label for s in status.sources if s.state is SquashState.PENDING and s.applied)
        if missing and needing:
            names = ", ".join(str(k) for k in missing)
            found.append(
                sk504.finding(
                    f"the files of {names}, replaced by {status.squash}, were deleted while {', '.join(needing)} "
                    "applied only some of the replaced migrations",
                    hint="Restore them from git history until every environment recorded the squash "
                    "(`squashkit squash status`).",
                    path=status.path,
                    migration=status.squash,
                    related=tuple(missing),
                    labels=needing,
                )
            )
    return [f for f in found if f.migration is None or f.migration.app_label in apps]


def run_check(
    project: Project,
    config: CheckConfig,
    *,
    apps: Sequence[str] | None = None,
    applied: AppliedState | None = None,
    baseline: Counter[str] | None = None,
) -> CheckResult:
    """Every selected rule over ``project`` (history and squash-state rules when ``applied`` has sources)."""
    known = project.project_apps
    labels = sorted(set(apps)) if apps else known
    for label in labels:
        if label not in known:
            raise AppNotFoundError(label, known)
    context = AnalysisContext(project, project.graph(), labels, {"max_migrations": config.max_migrations})
    findings: list[Finding] = []
    for checks in (load_checks(), load_check_checks()):
        for code, check in checks.items():
            if is_selected(code, config.select, config.ignore):
                findings.extend(check.run(context))
    unreadable: tuple[str, ...] = ()
    if applied is not None and (applied.sets or applied.failures):
        unreadable = tuple(f"{f.label}: {f.message}" for f in applied.failures)
        if applied.sets:
            findings += [
                f
                for f in _history_findings(project, applied, labels)
                if is_selected(f.code, config.select, config.ignore)
            ]
    findings.sort(key=Finding.sort_key)
    root = project.root
    kept: list[Finding] = []
    by_path = 0
    for finding in findings:
        relative = _relative(finding.path, root)
        if relative is not None and any(
            fnmatch.fnmatch(relative, glob) and finding.code.startswith(codes)
            for glob, codes in config.per_path_ignores
        ):
            by_path += 1
            continue
        kept.append(finding)
    noqa = NoqaIndex()
    visible = [f for f in kept if not noqa.suppresses(f)]
    suppressed = len(kept) - len(visible)
    final, baselined = new_findings(visible, baseline, root) if baseline is not None else (visible, 0)
    return CheckResult(
        project=project,
        findings=tuple(final),
        fail_on=config.fail_on,
        ignored_by_path=by_path,
        suppressed=suppressed,
        baselined=baselined,
        unreadable_sources=unreadable,
        before_baseline=tuple(visible),
    )
