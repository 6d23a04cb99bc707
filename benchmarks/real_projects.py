"""``deps --fix`` on a real project from PyPI, then a fresh migrate: is the schema the same? (issue #11)

Usage::

    python -m benchmarks.real_projects pretix|wagtail [--work DIR] [--dsn DSN | --local-postgres]
        [--old-ref REF] [--no-sql] [--json]
    python -m benchmarks.real_projects pretix|wagtail --setup-only   # steps 1-2, then prints a verify command

Steps, all under ``--work`` (default ``benchmarks/generated/real/<project>/``, gitignored):

1. a virtualenv (uv, Python 3.11) with the project's latest release from PyPI (with the Django it pulls),
   psycopg, and squashkit from this repository (editable); kept between runs (``venv/``);
2. the project's own packages holding migrations are copied from site-packages into ``original/`` and again
   into ``fixed/``, each with a ``manage.py`` and settings: wagtail gets a minimal ``bench_settings`` module
   (every wagtail app with migrations, taggit, modelcluster, ``django.contrib.*``); pretix uses its own
   ``pretix.settings`` with ``PRETIX_CONFIG_FILE``/``DATA_DIR`` pointing at the work folder (SQLite).  Test
   and template apps shipped inside the package (``wagtail/test``, ``wagtail/project_template``) are not
   copied: no deployment installs them.  The copy is first on ``sys.path``: squashkit's Django runner puts
   the tree (it has a ``manage.py``) before site-packages, so Django imports the copy, not the installed one;
3. ``squashkit deps fixed --fix --assume-unapplied --format json`` (no deployed database exists; Django
   verification) gives the proposal counts (pending, verified, failed, kept; SK201 over-specified and SK202
   transitive removals; additions) and writes the verified ones; ``fixed`` is a copy of ``original``, so these
   are the counts ``squashkit deps original`` shows (a written proposal counts as verified).  A second
   ``--fix`` must write nothing;
4. each tree is migrated on a NEW SQLite database and a NEW PostgreSQL database (``--dsn`` names a server
   where ``squashkit_proof_*`` databases are created and dropped; ``--local-postgres`` starts a throwaway
   cluster, :mod:`squashkit.proof.cluster`) with :func:`squashkit.proof.fresh_migrate`,
   and the introspected schemas are compared (:func:`squashkit.proof.compare_schemas`); unless ``--no-sql``,
   the SQL of every migration (:func:`squashkit.proof.collect_sql`, one process per tree and backend) is
   compared too;
5. "before": the code before the sound dependency proposals (``--old-ref``, default ``3dda5af^``) is checked
   out in a detached git worktree and run (``PYTHONPATH``) on ``original`` for its proposal counts
   (``--old-ref ''`` skips it);
6. a summary table (``--json``: the same figures as JSON).

Steps 3-5 run inside the project's virtualenv (the script starts itself there with ``--inner``).  Exit 0
when the second ``--fix`` wrote nothing and every schema is identical, else 1.  Nothing of the project is
committed to this repository: only this script.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "benchmarks" / "generated" / "real"
OLD_REF = "3dda5af^"

WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.settings",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.contrib.routable_page",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

WAGTAIL_SETTINGS = f"""\
# Written by benchmarks/real_projects.py: the smallest settings that install every wagtail app with migrations.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "benchmark-only"
DEBUG = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = {WAGTAIL_APPS!r}
MIDDLEWARE = []
ROOT_URLCONF = None
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {{"context_processors": []}}}}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}}}}
STATIC_URL = "/static/"
WAGTAIL_SITE_NAME = "benchmark"
WAGTAILADMIN_BASE_URL = "http://example.com"
"""

MANAGE_PY = """\
#!/usr/bin/env python
# Written by benchmarks/real_projects.py.
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", {settings!r})
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


@dataclass(frozen=True)
class Spec:
    """How one project is installed, copied and configured."""

    name: str
    requirement: str
    packages: tuple[str, ...]
    settings: str
    #: folders inside the copied packages that are left out (relative to site-packages)
    exclude: tuple[str, ...] = ()

    def env(self, work: Path, tree: Path) -> dict[str, str]:
        """Environment variables the project's settings read."""
        if self.name != "pretix":
            return {}
        data = work / f"data-{tree.name}"
        data.mkdir(parents=True, exist_ok=True)
        config = work / "pretix.cfg"
        config.write_text(f"[pretix]\ndatadir={data}\n\n[database]\nbackend=sqlite3\nname={data / 'db.sqlite3'}\n")
        return {"PRETIX_CONFIG_FILE": str(config), "DATA_DIR": str(data)}

    def write_settings(self, tree: Path) -> None:
        (tree / "manage.py").write_text(MANAGE_PY.format(settings=self.settings))
        if self.name == "wagtail":
            (tree / "bench_settings.py").write_text(WAGTAIL_SETTINGS)


PROJECTS = {
    "wagtail": Spec(
        "wagtail", "wagtail", ("wagtail",), "bench_settings", exclude=("wagtail/test", "wagtail/project_template")
    ),
    "pretix": Spec("pretix", "pretix", ("pretix",), "pretix.settings"),
}


# --- helpers (no project needed: tested on sample_project) -------------------------------------------------


def proposal_counts(report: dict[str, Any]) -> dict[str, int]:
    """Counts from ``squashkit deps --format json``: proposals by status word, kept migrations, and the
    dependency changes by kind (SK201: over-specified removal, SK202: transitive removal, added)."""
    proposals = report.get("proposals", [])
    statuses = Counter(str(p.get("status", "")).split(":", 1)[0] for p in proposals)
    changes = Counter(
        (c["action"], c["reason_code"]) for p in proposals for c in p.get("changes", []) if c["action"] != "keep"
    )
    return {
        "pending": len(proposals),
        "verified": statuses["verified"],
        "failed": statuses["failed"],
        "unverified": statuses["unverified"],
        "refused": statuses["refused"],
        "status_written": statuses["written"],
        "kept": len(report.get("kept", [])),
        "sk201": changes["remove", "over-specified"],
        "sk202": changes["remove", "transitive"],
        "removed": sum(n for (action, _), n in changes.items() if action == "remove"),
        "added": sum(n for (action, _), n in changes.items() if action == "add"),
    }


#: literals a callable default (``timezone.now``, ``uuid.uuid4``) gives anew on every run
VOLATILE = re.compile(
    r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d)?'"
    r"|'[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}'"
)


def without_volatile(statements: Sequence[str]) -> list[str]:
    """``statements`` with timestamp and UUID literals replaced by a placeholder."""
    return [VOLATILE.sub("'<volatile>'", s) for s in statements]


def failure_reasons(report: dict[str, Any], limit: int = 200) -> list[str]:
    """``migration: reason`` of every proposal that failed verification (or was refused)."""
    out = []
    for p in report.get("proposals", []):
        status = str(p.get("status", ""))
        if status.startswith(("failed", "refused")):
            out.append(f"{p['migration']}: {status[:limit]}")
    return out


def copy_packages(site_packages: Path, spec: Spec, tree: Path) -> int:
    """Copy ``spec.packages`` from ``site_packages`` into a new ``tree`` (removed first); returns the number of
    migration files copied."""
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    excluded = {(site_packages / e).resolve() for e in spec.exclude}

    def ignore(folder: str, names: list[str]) -> list[str]:
        here = Path(folder).resolve()
        return [n for n in names if n == "__pycache__" or n.endswith(".pyc") or (here / n) in excluded]

    for package in spec.packages:
        shutil.copytree(site_packages / package, tree / package, ignore=ignore)
    spec.write_settings(tree)
    return sum(1 for p in tree.rglob("migrations/[0-9]*.py"))


@contextmanager
def _timed(times: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        times[name] = round(time.perf_counter() - start, 1)


def run_deps(
    tree: Path,
    settings: str,
    *extra: str,
    env: dict[str, str] | None = None,
    pythonpath: Sequence[str] = (),
    python: str = sys.executable,
) -> tuple[int, dict[str, Any], str]:
    """``python -m squashkit deps TREE --settings S --format json --no-cache EXTRA``: (exit code, JSON, stderr)."""
    environ = dict(os.environ)
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    environ.update(env or {})
    environ["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(tree)])
    environ.setdefault("SQUASHKIT_DJANGO_TIMEOUT", "0")
    cmd = [python, "-m", "squashkit", "deps", str(tree), "--settings", settings, "--format", "json", "--no-cache"]
    proc = subprocess.run([*cmd, *extra], capture_output=True, text=True, env=environ, cwd=str(tree), check=False)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {}
    return proc.returncode, report, proc.stderr


def imported_from(package: str, tree: Path, python: str = sys.executable) -> Path:
    """Where ``package`` is imported from with ``tree`` first on ``PYTHONPATH``, as squashkit's runner does."""
    environ = {**os.environ, "PYTHONPATH": str(tree)}
    code = f"import {package}; print({package}.__file__)"
    proc = subprocess.run([python, "-B", "-P", "-c", code], capture_output=True, text=True, env=environ, check=True)
    return Path(proc.stdout.strip()).resolve()


# --- the steps ------------------------------------------------------------------------------------------


def venv_python(work: Path) -> Path:
    return work / "venv" / "bin" / "python"


def make_venv(spec: Spec, work: Path) -> Path:
    """The project's virtualenv under ``work`` (made once): the project from PyPI, psycopg, squashkit (editable)."""
    python = venv_python(work)
    marker = work / "venv" / ".installed"
    if marker.is_file():
        return python
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["uv", "venv", "-q", "--python", "python3.11", str(work / "venv")], check=True)
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(python), spec.requirement, "psycopg[binary]", "-e", str(REPO)],
        check=True,
    )
    marker.write_text("")
    return python


def old_checkout(ref: str) -> Path:
    """A detached worktree of this repository at ``ref`` (made once, under the system's temp folder)."""
    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"squashkit-old-{sha}"
    if not (path / "squashkit" / "__init__.py").is_file():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), sha], check=True)
    return path


def schema_round(spec: Spec, work: Path, database: str, label: str, sql: bool) -> dict[str, Any]:
    """Fresh migrate of ``original`` and ``fixed`` on NEW databases; schemas (and SQL) compared."""
    from squashkit.errors import SquashkitError
    from squashkit.proof import collect_sql, compare_schemas, fresh_migrate

    out: dict[str, Any] = {"backend": label}
    schemas = {}
    sqls = {}
    for name in ("original", "fixed"):
        tree = work / name
        os.environ.update(spec.env(work, tree))
        start = time.perf_counter()
        try:
            result = fresh_migrate(tree, spec.settings, database=database, timeout=0)
        except SquashkitError as exc:
            out[f"{name}_error"] = str(exc)
            continue
        out[f"migrate_{name}_s"] = round(time.perf_counter() - start, 1)
        out[f"migrations_{name}"] = len(result.timings)
        out[f"tables_{name}"] = len(result.schema.tables)
        schemas[name] = result.schema
        if sql:
            start = time.perf_counter()
            try:
                sqls[name] = collect_sql(tree, spec.settings, database=database, timeout=0)
            except SquashkitError as exc:
                out[f"sql_{name}_error"] = str(exc)
            out[f"sql_{name}_s"] = round(time.perf_counter() - start, 1)
    if len(schemas) == 2:
        differences = compare_schemas(schemas["original"], schemas["fixed"], ("original", "fixed"))
        out["schema_identical"] = not differences
        out["schema_differences"] = differences[:50]
    if len(sqls) == 2:
        a, b = sqls["original"], sqls["fixed"]
        differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        volatile = [k for k in differ if k in a and k in b and without_volatile(a[k]) == without_volatile(b[k])]
        out["sql_identical"] = len(differ) == len(volatile)
        out["sql_volatile"] = [str(k) for k in volatile]
        out["sql_differences"] = [str(k) for k in differ if k not in volatile][:50]
        out["sql_migrations"] = len(a)
    return out


def inner(args: argparse.Namespace) -> dict[str, Any]:
    """Steps 2-5, in the project's virtualenv."""
    spec = PROJECTS[args.project]
    work: Path = args.work
    times: dict[str, float] = {}
    result: dict[str, Any] = {"project": spec.name, "times": times}
    from importlib.metadata import version

    result["versions"] = {spec.requirement: version(spec.requirement), "Django": version("Django")}
    site = Path(sysconfig.get_paths()["purelib"])
    with _timed(times, "copy"):
        for name in ("original", "fixed"):
            result["migration_files"] = copy_packages(site, spec, work / name)
    original, fixed = work / "original", work / "fixed"
    for tree in (original, fixed):  # the copy, not site-packages, is what Django will import
        where = imported_from(spec.packages[0], tree)
        if not where.is_relative_to(tree):
            raise SystemExit(f"{spec.packages[0]} is imported from {where}, not from the copy in {tree}")

    if args.setup_only:
        return result
    if args.old_ref:
        old = old_checkout(args.old_ref)
        with _timed(times, "deps_old"):
            code, report, err = run_deps(original, spec.settings, env=spec.env(work, original), pythonpath=[str(old)])
        result["old"] = {
            "ref": args.old_ref,
            "exit": code,
            **proposal_counts(report),
            "failures": failure_reasons(report),
        }
        if not report:
            result["old"]["error"] = err.strip()[-3000:]

    with _timed(times, "fix"):
        code, report, err = run_deps(fixed, spec.settings, "--fix", "--assume-unapplied", env=spec.env(work, fixed))
    result["fix"] = {"exit": code, "written": len(report.get("written", [])), **proposal_counts(report)}
    # the first --fix verifies the same proposals ``deps`` shows on ``original`` (same files): its counts are
    # the "after" figures, a written proposal being a verified one
    new = proposal_counts(report)
    new["verified"] += new.pop("status_written")
    new["failed"] += new.pop("refused")  # --fix refuses what failed verification, with the reason
    result["new"] = {"exit": code, **new, "failures": failure_reasons(report)}
    if not report:
        result["new"]["error"] = err.strip()[-3000:]
    result["fix"]["files"] = report.get("written", [])
    if not report:
        result["fix"]["error"] = err.strip()[-3000:]
    with _timed(times, "fix_again"):
        code, report, err = run_deps(fixed, spec.settings, "--fix", "--assume-unapplied", env=spec.env(work, fixed))
    result["fix_again"] = {"exit": code, "written": report.get("written", []), **proposal_counts(report)}
    if not report:
        result["fix_again"]["error"] = err.strip()[-3000:]

    result["schemas"] = []
    backends = [("SQLite", "sqlite")] + ([("PostgreSQL", args.dsn)] if args.dsn else [])
    for label, database in backends:
        with _timed(times, f"proof_{label}"):
            result["schemas"].append(schema_round(spec, work, database, label, not args.no_sql))
    return result


def ok(result: dict[str, Any]) -> bool:
    fix_again = result.get("fix_again", {})
    return (
        "error" not in result.get("fix", {"error": 1})
        and not fix_again.get("written")
        and "error" not in fix_again
        and all(
            s.get("schema_identical") and s.get("sql_identical", True) and not any(k.endswith("_error") for k in s)
            for s in result.get("schemas", [])
        )
    )


def summary(result: dict[str, Any]) -> str:
    def row(label: str, counts: dict[str, Any]) -> str:
        if "error" in counts:
            return f"| {label} | error: {counts['error'].splitlines()[-1] if counts['error'] else '?'} |"
        keys = ("pending", "verified", "failed", "kept", "sk201", "sk202", "added")
        return f"| {label} | " + " | ".join(str(counts.get(k, "")) for k in keys) + " |"

    lines = [
        f"{result['project']} {result['versions']}: {result.get('migration_files')} migration files",
        "",
        "| proposals | pending | verified | failed | kept | SK201 | SK202 | added |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    if "old" in result:
        lines.append(row(f"before ({result['old']['ref']})", result["old"]))
    lines.append(row("after (this tree)", result["new"]))
    fix = result["fix"]
    lines += [
        "",
        f"--fix wrote {fix.get('written')} file(s) (exit {fix.get('exit')}); "
        f"second --fix wrote {len(result['fix_again'].get('written', []))} (exit {result['fix_again'].get('exit')})",
        "",
        "| backend | schema identical | SQL per migration identical | tables | migrate original / fixed (s) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in result["schemas"]:
        errors = [f"{k}: {v}" for k, v in s.items() if k.endswith("_error")]
        migrate_failed = any(k in s for k in ("original_error", "fixed_error"))
        identical = "error" if migrate_failed else ("yes" if s.get("schema_identical") else "NO")
        sql_failed = any(k in s for k in ("sql_original_error", "sql_fixed_error"))
        sql = "error" if sql_failed else {True: "yes", False: "NO", None: "-"}[s.get("sql_identical")]
        lines.append(
            f"| {s['backend']} | {identical} | {sql} | {s.get('tables_original')} | "
            f"{s.get('migrate_original_s')} / {s.get('migrate_fixed_s')} |"
        )
        lines += [f"    {e}" for e in errors]
        lines += [f"    {d}" for d in s.get("schema_differences", [])]
        lines += [f"    SQL differs: {d}" for d in s.get("sql_differences", [])]
        if s.get("sql_volatile"):
            lines.append(
                f"    SQL differs only in timestamp/UUID literals of callable defaults: {', '.join(s['sql_volatile'])}"
            )
    for which in ("old", "new"):
        for failure in result.get(which, {}).get("failures", [])[:20]:
            lines.append(f"{which} {failure}")
    lines += ["", "times (s): " + ", ".join(f"{k} {v}" for k, v in result["times"].items())]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", choices=sorted(PROJECTS))
    parser.add_argument("--work", type=Path, default=None, help="work folder (default benchmarks/generated/real/P)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--dsn", help="PostgreSQL server DSN where temporary databases may be created")
    where.add_argument("--local-postgres", action="store_true", help="start a throwaway PostgreSQL cluster")
    parser.add_argument("--old-ref", default=OLD_REF, help="git ref of the code before (''  skips it)")
    parser.add_argument("--no-sql", action="store_true", help="compare schemas only, not the SQL per migration")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--setup-only", action="store_true", help="stop after the virtualenv and the copies (e.g. to run verify)"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.work = (args.work or GENERATED / args.project).resolve()
    if args.inner:
        result = inner(args)
        (args.work / "result.json").write_text(json.dumps(result, indent=2))
        return 0
    spec = PROJECTS[args.project]
    start = time.perf_counter()
    python = make_venv(spec, args.work)
    setup = round(time.perf_counter() - start, 1)
    with _postgres(args) as dsn:
        cmd = [str(python), "-m", "benchmarks.real_projects", args.project, "--inner", "--work", str(args.work)]
        cmd += ["--old-ref", args.old_ref] + (["--dsn", dsn] if dsn else []) + (["--no-sql"] if args.no_sql else [])
        cmd += ["--setup-only"] if args.setup_only else []
        environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
        subprocess.run(cmd, cwd=str(REPO), env=environ, check=True)
    if args.setup_only:
        tree = args.work / "original"
        variables = " ".join(f"{k}={v}" for k, v in spec.env(args.work, tree).items())
        print(f"{(variables + ' ') if variables else ''}{python.parent / 'squashkit'} verify {tree}")
        return 0
    result = json.loads((args.work / "result.json").read_text())
    result["times"] = {"venv": setup, **result["times"]}
    (args.work / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2) if args.json else summary(result))
    return 0 if ok(result) else 1


@contextmanager
def _postgres(args: argparse.Namespace) -> Iterator[str | None]:
    if not args.local_postgres:
        yield args.dsn
        return
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from squashkit.proof.cluster import running_cluster

    with running_cluster() as cluster:
        yield cluster.dsn()


if __name__ == "__main__":
    sys.exit(main())
