"""``squashkit squash run --plan --write``: fresh-database migrate time and operations, before and after.

Side by side in one run, on a temporary copy of each project (the originals are never written):

0. ``squashkit deps --fix --assume-unapplied`` (``--no-fix-deps`` skips it): while the replaced files remain,
   Django re-points their dependencies to the squash, so over-specified ones would close cycles;
1. a fresh SQLite ``manage.py migrate`` (median of ``--repeat`` runs) and the operations it executes (every
   migration of a fresh database's plan, Django's own ``MigrationLoader``), with the original migrations;
2. ``squashkit squash run --plan --write`` (``--strategy`` as given), its total time and the proof's share;
3. the same fresh migrate with the squashed migrations in place;
4. ``squashkit squash run --plan`` (dry run, no proof) against Django's ``squashmigrations`` run once per
   planned range (a fresh copy, one process each), end to end.

Usage::

    python -m benchmarks.squash_run                              # sample_project
    python -m benchmarks.squash_run --apps 20 --migrations 50    # a generated project (benchmarks.generate)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_project"

_COUNT_OPS = """
import django, json
django.setup()
from django.db.migrations.loader import MigrationLoader
loader = MigrationLoader(None, ignore_no_migrations=True)
graph = loader.graph
plan, seen = [], set()
for leaf in sorted(graph.leaf_nodes()):
    for key in graph.forwards_plan(leaf):
        if key not in seen:
            seen.add(key)
            plan.append(key)
print(json.dumps({"migrations": len(plan), "operations": sum(len(graph.nodes[k].operations) for k in plan)}))
"""


def _env(root: Path, settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLE_DB_")}
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = str(root)
    return env


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "*.pyc"))
    return dest


def _fresh_migrate(root: Path, settings: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        (root / "db.sqlite3").unlink(missing_ok=True)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-B", "manage.py", "migrate", "-v0"], cwd=root, env=_env(root, settings), check=True
        )
        times.append(time.perf_counter() - t0)
    (root / "db.sqlite3").unlink(missing_ok=True)
    return statistics.median(times)


def _count(root: Path, settings: str) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-B", "-c", _COUNT_OPS], cwd=root, env=_env(root, settings), check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, int] = json.loads(out.stdout)
    return result


def _squashkit(root: Path, *args: str) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "squashkit", "squash", "run", "-C", str(root), "--format", "json", *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"squashkit failed: {proc.stderr}")
    return elapsed, json.loads(proc.stdout)


def _django_squash(src: Path, settings: str, ranges: list[dict[str, Any]], work: Path) -> float:
    """Django's squashmigrations once per range, each on its own fresh copy (one process each)."""
    total = 0.0
    for i, item in enumerate(ranges):
        copy = _copy(src, work / f"django-{i}")
        app = item["app"]
        first, last = item["replaces"][0].split(".", 1)[1], item["replaces"][-1].split(".", 1)[1]
        args = [app, last] if item["initial"] else [app, first, last]
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-B", "manage.py", "squashmigrations", *args, "--noinput", "-v0"],
            cwd=copy, env=_env(copy, settings), check=False, capture_output=True,
        )  # fmt: skip
        total += time.perf_counter() - t0
        shutil.rmtree(copy, ignore_errors=True)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=0, help="generated project apps (0: sample_project)")
    parser.add_argument("--migrations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="fresh migrates per measurement (median)")
    parser.add_argument("--strategy", choices=["optimize", "compact"], default="optimize")
    parser.add_argument("--no-proof", action="store_true", help="write without the proof")
    parser.add_argument("--skip-django", action="store_true", help="do not time Django's squashmigrations")
    parser.add_argument("--no-fix-deps", action="store_true", help="do not run `squashkit deps --fix` first")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="squashkit-bench-") as tmp:
        work = Path(tmp)
        if args.apps:
            from benchmarks.generate import generate_project

            src = work / "generated"
            generate_project(src, args.apps, args.migrations, args.seed)
            settings, name = "settings", f"generated {args.apps}x{args.migrations}"
        else:
            src, settings, name = SAMPLE, "sample_project.settings", "sample_project"
        project = _copy(src, work / "project")
        fix_time = None
        if not args.no_fix_deps:
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "squashkit", "deps", str(project), "--fix", "--assume-unapplied"],
                capture_output=True, check=False,
            )  # fmt: skip
            fix_time = time.perf_counter() - t0
            src = _copy(project, work / "fixed")  # Django's squashmigrations gets the same narrowed files
        before = _count(project, settings)
        t_before = _fresh_migrate(project, settings, args.repeat)
        dry_time, dry = _squashkit(project, "--plan", "--no-proof", "--strategy", args.strategy)
        ranges = [s for s in dry["squashes"] if not s["refusal"] and not s["done"]]
        django_time = None if args.skip_django else _django_squash(src, settings, ranges, work)
        write_args = ["--plan", "--write", "--strategy", args.strategy] + (["--no-proof"] if args.no_proof else [])
        write_time, written = _squashkit(project, *write_args)
        after = _count(project, settings)
        t_after = _fresh_migrate(project, settings, args.repeat)
        proof = written.get("proof") or {}
        report = {
            "project": name,
            "strategy": args.strategy,
            "ranges": len(ranges),
            "refused": [s["squash"] + ": " + s["refusal"] for s in dry["squashes"] if s["refusal"]],
            "written": len(written["written"]),
            "fresh_migrate_s": {"before": round(t_before, 2), "after": round(t_after, 2)},
            "speedup": round(t_before / t_after, 2) if t_after else None,
            "migrations": {"before": before["migrations"], "after": after["migrations"]},
            "operations": {"before": before["operations"], "after": after["operations"]},
            "operations_ratio": round(before["operations"] / after["operations"], 2) if after["operations"] else None,
            "deps_fix_s": round(fix_time, 2) if fix_time is not None else None,
            "squash_run_plan_dry_s": round(dry_time, 2),
            "django_squashmigrations_s": round(django_time, 2) if django_time is not None else None,
            "squash_run_write_s": round(write_time, 2),
            "proof_s": proof.get("seconds"),
            "proof_ok": proof.get("ok"),
        }
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
