"""``squashkit deps`` with verification against one fresh ``manage.py migrate``, per backend, side by side.

On a temporary copy of a generated project (``benchmarks.generate``) or of sample_project, in one run:

1. ``manage.py migrate`` of a new, empty database (SQLite file; with ``--dsn``, a new PostgreSQL database
   on that server, dropped afterwards), timed end to end;
2. ``squashkit deps --format json`` with verification (the settings of the same backend): wall time, the
   proposals (pending, verified, failed), and ``verification_seconds`` (load, check, sql, the proof's two
   fresh migrates, the verification subprocess in all);
3. the ratio verification total / one fresh migrate (the goal: at most 3x).

Usage::

    python -m benchmarks.deps_verify                                   # sample_project, SQLite
    python -m benchmarks.deps_verify --apps 100 --migrations 50        # generated 100x50, SQLite
    python -m benchmarks.deps_verify --apps 100 --migrations 50 --dsn postgresql://u@localhost:5432/postgres
    python -m benchmarks.deps_verify --apps 20 --migrations 50 --local-postgres   # a throwaway cluster

The DSN names a server (its database is only used to create and drop the benchmark's databases);
``--local-postgres`` starts a throwaway cluster (:mod:`squashkit.proof.cluster`, as `verify --local-postgres` does).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_project"

_PG_SETTINGS = """from {base} import *  # noqa: F403

DATABASES = {{"default": {database!r}}}
"""


def _project(args: argparse.Namespace, work: Path) -> tuple[Path, str]:
    """A private copy of the project to measure and its settings module."""
    if args.apps:
        from benchmarks.generate import generate_project

        src = ROOT / "benchmarks" / "generated" / f"deps-verify-{args.apps}x{args.migrations}-s{args.seed}"
        stamp = src / ".generated.json"
        wanted = {"apps": args.apps, "migrations": args.migrations, "seed": args.seed}
        if not stamp.is_file() or {k: json.loads(stamp.read_text()).get(k) for k in wanted} != wanted:
            generate_project(src, args.apps, args.migrations, args.seed)
        settings = "settings"
    else:
        src, settings = SAMPLE, "sample_project.settings"
    dest = work / "project"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "*.pyc"))
    return dest, settings


def _env(root: Path, settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLE_DB_")}
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(ROOT)])
    return env


def _migrate(root: Path, settings: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-B", "manage.py", "migrate", "-v0"], cwd=root, env=_env(root, settings), check=True
    )
    return time.perf_counter() - started


def squashkit_json(command: str, root: Path, settings: str) -> tuple[float, dict[str, Any]]:
    """``squashkit COMMAND ROOT --settings S --format json`` timed (wall seconds) with its JSON; exit 0 or 1."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "squashkit", command, str(root), "--settings", settings, "--format", "json"],
        cwd=root, env=_env(root, settings), capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"squashkit {command} failed ({proc.returncode}): {proc.stderr}")
    data: dict[str, Any] = json.loads(proc.stdout)
    return elapsed, data


def _deps(root: Path, settings: str) -> tuple[float, dict[str, Any]]:
    return squashkit_json("deps", root, settings)


def measure(root: Path, settings: str, backend: str, *, baseline: bool = True) -> dict[str, Any]:
    """One backend: a fresh migrate (unless not ``baseline``), then deps with verification; the figures and
    the ratios (to ``manage.py migrate``, and to the proof's own fresh migrate of the original graph)."""
    (root / "db.sqlite3").unlink(missing_ok=True)
    migrate = _migrate(root, settings) if baseline else None
    (root / "db.sqlite3").unlink(missing_ok=True)
    wall, data = _deps(root, settings)
    statuses = [p["status"] for p in data["proposals"]]
    seconds = data.get("verification_seconds", {})
    return {
        "backend": backend,
        "fresh_migrate": round(migrate, 1) if migrate is not None else None,
        "deps_wall": round(wall, 1),
        "verification": {k: round(v, 1) for k, v in seconds.items()},
        "ratio": round(seconds.get("total", 0.0) / migrate, 2) if migrate else None,
        "ratio_to_proof_migrate": round(seconds["total"] / seconds["migrate original"], 2)
        if seconds.get("migrate original")
        else None,
        "proposals": len(statuses),
        "verified": statuses.count("verified"),
        "failed": sum(s.startswith("failed") for s in statuses),
        "failures": sorted({s for s in statuses if s.startswith("failed")})[:5],
        "kept": len(data.get("kept", [])),
    }


def _measure_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="squashkit-deps-verify-") as tmp:
        root, settings = _project(args, Path(tmp))
        if not args.no_sqlite:
            results.append(measure(root, settings, "sqlite", baseline=not args.no_baseline))
        if args.dsn:
            from squashkit.proof.database import temporary_database

            with temporary_database(args.dsn) as database:  # a new database on that server, dropped afterwards
                module = "benchmark_pg_settings"
                config = database.databases["default"]
                (root / f"{module}.py").write_text(_PG_SETTINGS.format(base=settings, database=config))
                results.append(measure(root, module, "postgresql", baseline=not args.no_baseline))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=0, help="generated project apps (0: sample_project)")
    parser.add_argument("--migrations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dsn", help="a PostgreSQL server to measure on too (postgresql://user@host:port/db)")
    parser.add_argument("--local-postgres", action="store_true", help="measure on a throwaway local cluster too")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (with --dsn/--local-postgres)")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the separate manage.py migrate (the proof's fresh migrate of the original graph is the baseline)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.local_postgres and not args.dsn:
            sys.path.insert(0, str(ROOT))
            from squashkit.proof.cluster import running_cluster

            args.dsn = stack.enter_context(running_cluster()).dsn("postgres")
        results = _measure_all(args)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        v = r["verification"]
        print(
            f"{r['backend']}: fresh migrate {r['fresh_migrate']} s; deps with verification {r['deps_wall']} s "
            f"(verification {v.get('total')} s: load {v.get('load')}, check {v.get('check')}, sql {v.get('sql')}, "
            f"migrate original {v.get('migrate original')}, migrate rewired {v.get('migrate rewired')}); "
            f"verification / fresh migrate = {r['ratio']}x (/ the proof's own migrate: "
            f"{r['ratio_to_proof_migrate']}x); proposals {r['proposals']} "
            f"({r['verified']} verified, {r['failed']} failed), kept {r['kept']}"
        )
        for failure in r["failures"]:
            print(f"  {failure[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
