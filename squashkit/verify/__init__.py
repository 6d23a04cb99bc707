"""``squashkit verify``: the project's migrations checked on real databases squashkit creates.

Steps (each a rule, SK6xx):

* SK601 ``missing-migration``: model changes without a migration (what the project's own
  ``makemigrations --check --dry-run`` finds), naming the apps, models and operations;
* SK602 ``invalid-graph``: the graph Django builds (missing nodes, cycles) and conflicts (several leaves);
* SK603 ``migrate-failed``: a fresh migrate of a NEW database fails (SQLite always, PostgreSQL with a server
  DSN or a throwaway local cluster); the time per app and the slowest migrations are reported;
* SK604 ``rollback-changes-schema``: after migrating back one step the schema is not what it was before the
  migration, or after migrating forward again it is not the migrated schema (a ``RunSQL`` whose
  ``reverse_sql`` is wrong);
* SK605 ``irreversible-migration``: the rollback stops on an operation without a reverse (its line given);
* SK606 ``rollback-failed``: the rollback raised something else;
* SK607 ``tenant-migrate-failed``: with ``schemas=N`` on PostgreSQL, the migrate in N throwaway schemas.

Which migrations are rolled back: the newest of each project app, or with ``since=REF`` (git) for each app
the oldest migration changed since REF (and, by Django, everything after it).

Only databases squashkit creates are used (a SQLite file in a temporary folder, new databases on the given
PostgreSQL server, dropped afterwards); the project's ``DATABASES`` are replaced before Django is set up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squashkit import codec
from squashkit._django import run_action
from squashkit.errors import DjangoError, SquashkitError, UsageError
from squashkit.graph.model import MigrationKey, Project
from squashkit.proof.database import temporary_database
from squashkit.rules import Finding, get_rule, is_selected

__all__ = [
    "AppTiming",
    "DatabaseRun",
    "Step",
    "VerifyFinding",
    "VerifyReport",
    "run_verify",
]

SCHEMA_VERSION = 1
SLOWEST = 5


@dataclass(frozen=True)
class VerifyFinding:
    code: str
    message: str
    path: Path | None = None
    line: int = 0
    migration: MigrationKey | None = None
    database: str = ""
    details: tuple[str, ...] = ()

    @property
    def severity(self) -> str:
        return str(get_rule(self.code).severity.value)

    @property
    def name(self) -> str:
        return get_rule(self.code).name

    def finding(self) -> Finding:
        """This finding as the rule registry's :class:`~squashkit.rules.Finding` (database in ``labels``,
        schema differences in ``hint``)."""
        return get_rule(self.code).finding(
            self.message,
            hint="\n".join(self.details),
            path=self.path,
            line=self.line,
            migration=self.migration,
            labels=(self.database,) if self.database else (),
        )

    def location(self, root: Path) -> str:
        if self.path is None:
            return ""
        path = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return f"{path}:{self.line}" if self.line else str(path)

    def to_dict(self, root: Path) -> dict[str, Any]:
        path = None
        if self.path is not None:
            path = str(self.path.relative_to(root) if self.path.is_relative_to(root) else self.path)
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": path,
            "line": self.line or None,
            "migration": str(self.migration) if self.migration else None,
            "database": self.database or None,
            "details": list(self.details),
        }


@dataclass(frozen=True)
class Step:
    """One step of the run: ``status`` is ``passed``, ``failed`` or ``skipped``."""

    name: str
    database: str
    status: str
    seconds: float
    summary: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppTiming:
    app: str
    migrations: int
    seconds: float


@dataclass(frozen=True)
class DatabaseRun:
    """A fresh migrate on one database: time per app and the slowest migrations."""

    database: str
    described: str
    seconds: float
    apps: tuple[AppTiming, ...]
    slowest: tuple[tuple[MigrationKey, float], ...]
    rolled_back: tuple[MigrationKey, ...] = ()
    schemas: tuple[float, ...] = ()
    #: How many of ``rolled_back`` were checked in a batch (the rest alone, each its own Django migrate).
    together: int = 0


@dataclass(frozen=True)
class VerifyReport:
    root: Path
    settings: str
    steps: tuple[Step, ...]
    findings: tuple[VerifyFinding, ...]
    runs: tuple[DatabaseRun, ...] = ()
    databases_note: str = (
        "verify only used databases it created (a SQLite file in a temporary folder, new PostgreSQL "
        "databases on the given server), removed afterwards; no configured database was connected to"
    )
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """1 when a step found an error; warnings (an irreversible migration) are reported, not failures."""
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "project": str(self.root),
            "settings": self.settings,
            "passed": self.exit_code == 0,
            "databases": self.databases_note,
            "steps": [
                {
                    "step": s.name,
                    "database": s.database or None,
                    "status": s.status,
                    "seconds": round(s.seconds, 3),
                    "summary": s.summary,
                    "codes": list(s.codes),
                }
                for s in self.steps
            ],
            "findings": [f.to_dict(self.root) for f in self.findings],
            "migrate": [
                {
                    "database": r.database,
                    "seconds": round(r.seconds, 3),
                    "apps": [
                        {"app": a.app, "migrations": a.migrations, "seconds": round(a.seconds, 3)} for a in r.apps
                    ],
                    "slowest": [{"migration": str(k), "seconds": round(s, 3)} for k, s in r.slowest],
                    "rolled_back": [str(k) for k in r.rolled_back],
                    "rolled_back_together": r.together,
                    "schemas": {"count": len(r.schemas), "seconds": round(sum(r.schemas), 3)} if r.schemas else None,
                }
                for r in self.runs
            ],
        }


class VerifyError(SquashkitError):
    """verify could not run at all (no settings, git could not answer)."""


Progress = Callable[[str], None]


def _no_progress(message: str) -> None:
    pass


def _path_line(project: Project, key: MigrationKey, irreversible: bool = False) -> tuple[Path | None, int]:
    info = project.migrations.get(key)
    if info is None:
        return None, 0
    if irreversible:
        for op in info.operations:
            if not op.reversible:
                return info.path, op.line
    return info.path, 0


def _irreversible_op(project: Project, key: MigrationKey) -> str:
    info = project.migrations.get(key)
    ops = [op.kind for op in info.operations if not op.reversible] if info else []
    return ops[0] if ops else "an operation"


def _static_findings(project: Project, result: dict[str, Any]) -> tuple[list[VerifyFinding], list[VerifyFinding]]:
    changes: list[VerifyFinding] = []
    graph: list[VerifyFinding] = []
    if result["graph_error"]:
        graph.append(VerifyFinding("SK602", f"Django cannot build the migration graph: {result['graph_error']}"))
    for app, names in result["conflicts"].items():
        graph.append(
            VerifyFinding(
                "SK602", f"conflicting migrations in {app}: {', '.join(names)} (several leaves; makemigrations --merge)"
            )
        )
    if result.get("changes_error"):
        changes.append(VerifyFinding("SK601", f"makemigrations failed: {result['changes_error']}"))
    for app, name, operations in result["changes"]:
        models = sorted({m for _, m in operations if m})
        info = project.apps.get(app)
        folder = f"{app}/migrations"
        if info is not None and info.migrations_path.is_relative_to(project.root):
            folder = info.migrations_path.relative_to(project.root).as_posix()
        changes.append(
            VerifyFinding(
                "SK601",
                f"app {app} has model changes without a migration"
                + (f" (models: {', '.join(models)})" if models else "")
                + f"; makemigrations would write {folder}/{name}.py",
                details=tuple(d for d, _ in operations),
            )
        )
    return changes, graph


def _summarise_timings(
    timings: Sequence[Sequence[Any]],
) -> tuple[tuple[AppTiming, ...], tuple[tuple[MigrationKey, float], ...]]:
    per_app: dict[str, list[float]] = {}
    for app, _name, seconds in timings:
        per_app.setdefault(app, []).append(seconds)
    apps = tuple(AppTiming(app, len(v), sum(v)) for app, v in sorted(per_app.items(), key=lambda i: (-sum(i[1]), i[0])))
    slowest = sorted(((MigrationKey(a, n), s) for a, n, s in timings), key=lambda i: (-i[1], i[0]))[:SLOWEST]
    return apps, tuple(slowest)


def changed_since(root: Path, ref: str) -> set[Path]:
    """Files changed (or new, untracked) since the git ``ref``; see :mod:`squashkit.verify.git`."""
    from squashkit.verify.git import changed_files

    return changed_files(root, ref)


def rollback_targets(project: Project, changed: set[Path] | None, apps: Sequence[str] = ()) -> list[MigrationKey]:
    """The migrations to roll back: per project app (those of ``apps`` when given), the oldest changed one
    (``changed`` given) or the newest (each leaf of the app's own chain, as Django's graph has it on an empty
    database)."""
    graph = project.graph()
    out: list[MigrationKey] = []
    for app in project.project_apps:
        if apps and app not in apps:
            continue
        chain = [m.key for m in project.app_migrations(app) if m.key in graph.succ]
        if changed is None:
            out += [k for k in chain if not any(c.app_label == app for c in graph.succ[k])]
        else:
            touched = [k for k in chain if project.migrations[k].path.resolve() in changed]
            out += touched[:1]
    return out


def run_verify(
    project: Project,
    settings: str,
    *,
    since: str | None = None,
    dsn: str | None = None,
    schemas: int = 0,
    progress: Progress = _no_progress,
    timeout: float | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    apps: Sequence[str] = (),
    local_postgres: bool = False,
) -> VerifyReport:
    """Run every step; see the module docstring.  ``project``: the static load (paths and lines).  ``apps``
    restricts the rollback step to those apps (the fresh migrate always runs the whole project).

    ``select``/``ignore``: rule codes or prefixes, as ``squashkit check`` (the more specific prefix wins); a
    step whose rules are all deselected still runs (later steps need it) but reports nothing.

    ``local_postgres``: the PostgreSQL steps run on a throwaway cluster (:mod:`squashkit.proof.cluster`)
    started before the first step and removed at the end; it cannot be combined with ``dsn``.  Raises
    :class:`~squashkit.proof.cluster.ClusterError` when the cluster cannot start."""
    if not local_postgres:
        return _run_verify(project, settings, since, dsn, schemas, progress, timeout, select, ignore, apps)
    if dsn:
        raise UsageError("pass either a PostgreSQL server (--dsn) or --local-postgres, not both")
    from squashkit.proof.cluster import running_cluster

    with running_cluster() as cluster:
        progress(f"started a throwaway PostgreSQL cluster in {cluster.base} (port {cluster.port})")
        return _run_verify(project, settings, since, cluster.dsn(), schemas, progress, timeout, select, ignore, apps)


def _run_verify(
    project: Project,
    settings: str,
    since: str | None,
    dsn: str | None,
    schemas: int,
    progress: Progress,
    timeout: float | None,
    select: Sequence[str],
    ignore: Sequence[str],
    apps: Sequence[str],
) -> VerifyReport:
    root = project.root
    steps: list[Step] = []
    findings: list[VerifyFinding] = []
    runs: list[DatabaseRun] = []

    def step(
        name: str, database: str, started: float, new: list[VerifyFinding], summary: str, seconds: float | None = None
    ) -> None:
        new = [f for f in new if is_selected(f.code, select, ignore)]
        findings.extend(new)
        status = "failed" if any(f.severity == "error" for f in new) else "warning" if new else "passed"
        codes = tuple(sorted({f.code for f in new}))
        elapsed = time.perf_counter() - started if seconds is None else seconds
        steps.append(Step(name, database, status, elapsed, summary, codes))
        progress(f"{name}{' (' + database + ')' if database else ''}: {status} in {steps[-1].seconds:.1f} s")

    changed = changed_since(root, since) if since else None
    targets = rollback_targets(project, changed, apps)

    progress("checking for model changes and the graph (makemigrations --check --dry-run) ...")
    started = time.perf_counter()
    with temporary_database("sqlite") as db:
        try:
            static = run_action(root, settings, "verify.static", {}, timeout=timeout, databases=db.databases)
        except DjangoError as exc:
            step("graph", "", started, [VerifyFinding("SK602", exc.message, exc.path, exc.line or 0)], "Django failed")
            return VerifyReport(root, settings, tuple(steps), tuple(findings))
    changes, graph = _static_findings(project, static)
    step("makemigrations", "", started, changes, f"{len(changes)} app(s) with model changes without a migration")
    step("graph", "", started, graph, "graph loads, no conflicts" if not graph else f"{len(graph)} problem(s)")
    if graph:
        return VerifyReport(root, settings, tuple(steps), tuple(findings))

    databases = ["sqlite"] + ([dsn] if dsn else [])
    for database in databases:
        label = "SQLite" if database == "sqlite" else "PostgreSQL"
        progress(f"fresh migrate on a new {label} database, then rolling back {len(targets)} migration(s) ...")
        started = time.perf_counter()
        with temporary_database(database) as db:
            try:
                result = run_action(
                    root,
                    settings,
                    "verify.migrate",
                    {"rollback": [codec.encode_key(k) for k in targets]},
                    timeout=timeout,
                    databases=db.databases,
                )
            except DjangoError as exc:
                result = {"error": exc.reason, "timings": [], "rollbacks": [], "path": exc.path, "line": exc.line}
        migrate_findings: list[VerifyFinding] = []
        if result["error"]:
            migrate_findings.append(
                VerifyFinding(
                    "SK603",
                    f"a fresh migrate fails: {result['error']}",
                    result.get("path"),
                    result.get("line") or 0,
                    database=label,
                )
            )
        per_app, slowest = _summarise_timings(result["timings"])
        total = sum(a.seconds for a in per_app)
        summary = f"{len(result['timings'])} migrations in {total:.1f} s" if not result["error"] else "failed"
        rollback_seconds = sum(r.get("seconds", 0.0) for r in result["rollbacks"])
        step("migrate", label, started, migrate_findings, summary, time.perf_counter() - started - rollback_seconds)
        rollback_findings: list[VerifyFinding] = []
        rolled: list[MigrationKey] = []
        for record in result["rollbacks"]:
            key = codec.decode_key(record["key"])
            rolled.append(key)
            path, line = _path_line(project, key)
            if record["irreversible"]:
                culprit = codec.decode_key(record["culprit"]) if record.get("culprit") else key
                path, line = _path_line(project, culprit, True)
                how = f"rolling back {key} unapplies {culprit}, which" if culprit != key else f"{key}"
                op = _irreversible_op(project, culprit)
                rollback_findings.append(
                    VerifyFinding(
                        "SK605",
                        f"{how} cannot be rolled back: {op} has no reverse",
                        path,
                        line,
                        culprit,
                        label,
                    )
                )
            elif record["error"]:
                rollback_findings.append(
                    VerifyFinding("SK606", f"rolling back {key} fails: {record['error']}", path, line, key, label)
                )
            if record["rollback_diff"]:
                rollback_findings.append(
                    VerifyFinding(
                        "SK604",
                        f"rolling back {key} does not restore the schema it was applied on",
                        path,
                        line,
                        key,
                        label,
                        tuple(record["rollback_diff"]),
                    )
                )
            if record["forward_diff"]:
                rollback_findings.append(
                    VerifyFinding(
                        "SK604",
                        f"after rolling back {key} and migrating again the schema differs from the migrated one",
                        path,
                        line,
                        key,
                        label,
                        tuple(record["forward_diff"]),
                    )
                )
        if not result["error"]:
            summary = f"{len(rolled)} migration(s) rolled back and re-applied, {result.get('batch', 0)} together"
            step("rollback", label, started, rollback_findings, summary, rollback_seconds)
        schema_seconds: tuple[float, ...] = ()
        if schemas and database != "sqlite" and not result["error"]:
            progress(f"migrating {schemas} throwaway PostgreSQL schemas ...")
            started = time.perf_counter()
            tenant: list[VerifyFinding] = []
            with temporary_database(database) as db:
                try:
                    answer = run_action(
                        root, settings, "verify.schemas", {"count": schemas}, timeout=timeout, databases=db.databases
                    )
                except DjangoError as exc:
                    answer = {"error": exc.reason, "seconds": []}
            if answer["error"]:
                tenant.append(
                    VerifyFinding("SK607", f"migrating throwaway schemas fails: {answer['error']}", database=label)
                )
            schema_seconds = tuple(answer["seconds"])
            step("schemas", label, started, tenant, f"{len(schema_seconds)} schema(s) in {sum(schema_seconds):.1f} s")
        runs.append(
            DatabaseRun(
                database if database == "sqlite" else "postgresql",
                label,
                total,
                per_app,
                slowest,
                tuple(rolled),
                schema_seconds,
                result.get("batch", 0),
            )
        )
    return VerifyReport(root, settings, tuple(steps), tuple(findings), tuple(runs))
