"""Benchmark: minimal-dependency proposals vs Django building the project state once.

Generates a project (``benchmarks.generate.generate_project``), then in fresh subprocesses:

* squashkit: static load (``load_static``), graph, :func:`squashkit.deps.propose.propose`;
* Django: ``django.setup()`` + ``MigrationLoader(None)`` + ``loader.project_state()``.

Usage::

    python benchmarks/deps_proposals.py [--apps 100] [--migrations 100] [--seed 0] [--repeat 3] [--keep DIR]

Prints the figures (best of ``--repeat``) and the ratio propose / Django project state.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SQUASHKIT = """
import json, sys, time
t0 = time.perf_counter()
from squashkit.graph.static import load_static
from squashkit.deps.propose import propose
t1 = time.perf_counter()
project = load_static(sys.argv[1])
t2 = time.perf_counter()
graph = project.graph()
t3 = time.perf_counter()
proposals = propose(project, graph=graph)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "graph": t3 - t2, "propose": t4 - t3,
                  "migrations": len(project.migrations), "pending": sum(p.pending for p in proposals),
                  "removed": sum(c.action == "remove" for p in proposals for c in p.changes)}))
"""

DJANGO = """
import json, time
t0 = time.perf_counter()
import django
django.setup()
t1 = time.perf_counter()
from django.db.migrations.loader import MigrationLoader
loader = MigrationLoader(None, ignore_no_migrations=True)
t2 = time.perf_counter()
state = loader.project_state()
t3 = time.perf_counter()
print(json.dumps({"setup": t1 - t0, "loader": t2 - t1, "project_state": t3 - t2,
                  "migrations": len(loader.disk_migrations), "models": len(state.models)}))
"""


def _settings_module(root: Path) -> str:
    """A settings module listing every generated app (written next to them unless the generator made one)."""
    for candidate in ("settings.py", "benchmark_settings.py"):
        if (root / candidate).is_file():
            return candidate[:-3]
    apps = sorted(p.parent.parent.name for p in root.glob("*/migrations/__init__.py"))
    (root / "benchmark_settings.py").write_text(
        "SECRET_KEY = 'benchmark'\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
        f"INSTALLED_APPS = {apps!r}\nDATABASES = {{}}\n"
    )
    return "benchmark_settings"


def _run(code: str, root: Path, settings: str | None = None) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    proc = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, env=env, cwd=root, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _time_cli(root: Path, settings: str) -> float:
    """Wall time of ``squashkit deps ROOT --settings S --format json`` (proposals verified with Django)."""
    import time

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "squashkit", "deps", str(root), "--settings", settings, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"squashkit deps failed:\n{proc.stderr}")
    return elapsed


def _best(runs: list[dict[str, float]], key: str) -> float:
    return min(r[key] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="generate into this directory and keep it")
    parser.add_argument(
        "--verify", action="store_true", help="also time `squashkit deps` with Django verification (one run)"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from benchmarks.generate import generate_project

    with tempfile.TemporaryDirectory(prefix="squashkit-bench-") as tmp:
        out = args.keep or Path(tmp) / "project"
        out.mkdir(parents=True, exist_ok=True)
        generate_project(out, args.apps, args.migrations, args.seed)
        settings = _settings_module(out)
        ours = [_run(SQUASHKIT, out) for _ in range(args.repeat)]
        django = [_run(DJANGO, out, settings) for _ in range(args.repeat)]
        verify_s = _time_cli(out, settings) if args.verify else None

    propose_s = _best(ours, "propose")
    static_s = propose_s + _best(ours, "load") + _best(ours, "graph")
    state_s = _best(django, "setup") + _best(django, "loader") + _best(django, "project_state")
    first = ours[0]
    print(f"project: {args.apps} apps x {args.migrations} migrations (seed {args.seed}), {first['migrations']} files")
    print(f"proposals: {first['pending']} migrations with changes, {first['removed']} dependencies removed")
    print(f"squashkit static load        {_best(ours, 'load'):8.3f} s")
    print(f"squashkit graph              {_best(ours, 'graph'):8.3f} s")
    print(f"squashkit propose            {propose_s:8.3f} s")
    print(f"squashkit load+graph+propose {static_s:8.3f} s")
    print(f"django.setup()               {_best(django, 'setup'):8.3f} s")
    print(f"MigrationLoader              {_best(django, 'loader'):8.3f} s")
    print(f"loader.project_state()       {_best(django, 'project_state'):8.3f} s")
    print(f"Django project state once    {state_s:8.3f} s  ({django[0]['models']} models)")
    print(f"ratio propose / Django state              {propose_s / state_s:6.3f}")
    print(f"ratio load+graph+propose / Django state   {static_s / state_s:6.3f}")
    if verify_s is not None:
        print(f"squashkit deps with verification (process) {verify_s:8.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
