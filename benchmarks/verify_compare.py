"""``squashkit verify`` against the CI script teams write by hand with Django's own commands, in one run.

On a temporary copy of sample_project or of a generated project (``benchmarks.generate``), SQLite:

1. ``squashkit verify --format json``: wall time, each step's seconds, the findings' codes, how many
   rollbacks were checked together;
2. the hand-written script, each command its own ``manage.py`` process on a new SQLite file:
   ``makemigrations --check --dry-run``, ``migrate --plan``, ``migrate`` (fresh), then for each migration
   verify rolled back, ``migrate <app> <its parent in the app | zero>`` and ``migrate`` again (an
   irreversible one fails, as in CI; the script goes on), timed per part.  It compares no schema: it is what
   verify does less the check that a rollback loses nothing;
3. the ratio verify / script.

``--rollbacks N`` times only the first N hand rollbacks (a generated 100x50 project: each is a Django
process building the graph and the rendered state of 5,000 migrations) and reports their mean; the
script's total is then the measured parts plus that mean times the rollbacks left, marked as estimated.

Usage::

    python -m benchmarks.verify_compare                                     # sample_project
    python -m benchmarks.verify_compare --apps 100 --migrations 50 --rollbacks 5 [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.deps_verify import _env, _project, squashkit_json


def _timed(cmd: list[str], root: Path, settings: str) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=_env(root, settings), capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc.returncode


def _verify(root: Path, settings: str) -> tuple[float, dict[str, Any]]:
    return squashkit_json("verify", root, settings)


def _rollback_target(root: Path, key: str) -> list[str]:
    """``migrate`` arguments that roll ``app.name`` back one step: its parent in its app, or ``zero``."""
    from squashkit.codec import decode_key
    from squashkit.graph.static import load_static

    migration = decode_key(key.split(".", 1))
    graph = load_static(root).graph()
    parents = [p for p in graph.parents(migration) if p.app_label == migration.app_label]
    return [migration.app_label, parents[0].name if parents else "zero"]


def hand_script(root: Path, settings: str, rolled_back: list[str], limit: int | None) -> dict[str, Any]:
    manage = [sys.executable, "-B", "manage.py"]
    (root / "db.sqlite3").unlink(missing_ok=True)
    parts: dict[str, float] = {}
    check = [*manage, "makemigrations", "--check", "--dry-run", "-v0"]
    parts["makemigrations --check"], _ = _timed(check, root, settings)
    parts["migrate --plan"], _ = _timed([*manage, "migrate", "--plan", "-v0"], root, settings)
    parts["migrate (fresh)"], code = _timed([*manage, "migrate", "-v0"], root, settings)
    if code:
        raise SystemExit("manage.py migrate failed on a fresh database")
    chosen = rolled_back if limit is None else rolled_back[:limit]
    each: list[float] = []
    failed = 0
    for key in chosen:
        back, code = _timed([*manage, "migrate", *_rollback_target(root, key), "-v0"], root, settings)
        forward, _ = _timed([*manage, "migrate", "-v0"], root, settings)
        each.append(back + forward)
        failed += bool(code)
    parts["rollbacks (measured)"] = sum(each)
    left = len(rolled_back) - len(chosen)
    estimated = left * (sum(each) / len(each)) if each and left else 0.0
    return {
        "parts": {k: round(v, 1) for k, v in parts.items()},
        "rollbacks_measured": len(chosen),
        "rollbacks_failed": failed,
        "rollbacks_estimated_seconds": round(estimated, 1),
        "total": round(sum(parts.values()) + estimated, 1),
        "estimated": bool(left),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=0, help="a generated project of N apps (default: sample)")
    parser.add_argument("--migrations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rollbacks", type=int, default=None, help="time only the first N hand rollbacks")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="squashkit-verify-compare-") as tmp:
        root, settings = _project(args, Path(tmp))
        wall, report = _verify(root, settings)
        rolled = [str(k) for run in report["migrate"] for k in run["rolled_back"]]
        script = hand_script(root, settings, rolled, args.rollbacks)
    result = {
        "project": f"generated {args.apps}x{args.migrations}" if args.apps else "sample_project",
        "verify_wall": round(wall, 1),
        "verify_steps": {f"{s['step']} {s['database'] or ''}".strip(): round(s["seconds"], 1) for s in report["steps"]},
        "verify_codes": sorted({f["code"] for f in report["findings"]}),
        "rolled_back": len(rolled),
        "rolled_back_together": sum(run.get("rolled_back_together", 0) for run in report["migrate"]),
        "script": script,
        "ratio": round(wall / script["total"], 2) if script["total"] else None,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['project']}: verify {wall:.1f} s, hand script {script['total']:.1f} s"
              f"{' (estimated)' if script['estimated'] else ''}, ratio {result['ratio']}")  # fmt: skip
        for name, seconds in result["verify_steps"].items():
            print(f"  verify {name}: {seconds} s")
        for name, seconds in script["parts"].items():
            print(f"  script {name}: {seconds} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
