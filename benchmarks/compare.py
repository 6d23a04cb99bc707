"""Time squashkit's static path against Django's own, side by side in the same run.

Usage::

    python -m benchmarks.compare --apps 100 --migrations 50 [--seed 1] [--repeat 5] [--json]

The project is generated into ``benchmarks/generated/`` (reused when it was generated with the same
arguments).  Every sample runs in a fresh subprocess; the two sides of a comparison alternate, each gets one
untimed warm-up run first (so both read warm files and compiled ``.pyc``), and the median of ``--repeat``
samples is reported.

a. In-process (timed inside the subprocess, with :func:`time.perf_counter`):

   * squashkit: ``import squashkit`` then ``squashkit.analyze(squashkit.load_static(root))``;
   * Django: ``import django`` and ``MigrationLoader`` then ``django.setup()``,
     ``MigrationLoader(None, ignore_no_migrations=True)`` and ``loader.project_state()``.

   "work" is what follows the imports, "total" includes the imports; "process" is the subprocess's wall
   time seen from here (interpreter start-up included).

b. Whole process: ``python -m squashkit analyze ROOT --format json`` against ``python manage.py
   showmigrations --plan`` (the generated settings, an SQLite database that holds no tables).

Targets: (a) squashkit's work at least 5x faster than Django's, (b) ``squashkit analyze`` at least 3x
faster than ``showmigrations --plan``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generate import Rates, generate_project, stamp_matches

__all__ = ["IN_PROCESS_TARGET", "PROCESS_TARGET", "Sample", "main", "run_benchmarks"]

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "benchmarks" / "generated"
IN_PROCESS_TARGET = 5.0
PROCESS_TARGET = 3.0

# Each script prints one JSON line: seconds spent importing and working, measured in the subprocess.
SQUASHKIT_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import squashkit
t1 = time.perf_counter()
project = squashkit.load_static(sys.argv[1])
t_load = time.perf_counter()
if hasattr(squashkit, "analyze"):
    mode = "analyze"
    squashkit.analyze(project)
else:  # before squashkit.analyze existed: the graph work it is built on
    mode = "graph"
    graph = project.graph()
    graph.longest_path()
    graph.redundant_edges()
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "work": t2 - t1, "total": t2 - t0, "mode": mode,
                  "load": t_load - t1, "analysis": t2 - t_load, "migrations": len(project.migrations)}))
"""

SQUASHKIT_GRAPH_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import squashkit
t1 = time.perf_counter()
project = squashkit.load_static(sys.argv[1])
graph = project.graph()
graph.longest_path()
graph.redundant_edges()
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "work": t2 - t1, "total": t2 - t0, "mode": "graph",
                  "migrations": len(project.migrations)}))
"""

DJANGO_SCRIPT = """
import json, time
t0 = time.perf_counter()
import django
from django.db.migrations.loader import MigrationLoader
t1 = time.perf_counter()
django.setup()
t_setup = time.perf_counter()
loader = MigrationLoader(None, ignore_no_migrations=True)
t_loader = time.perf_counter()
state = loader.project_state()
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "work": t2 - t1, "total": t2 - t0, "setup": t_setup - t1,
                  "loader": t_loader - t_setup, "project_state": t2 - t_loader,
                  "migrations": len(loader.disk_migrations), "models": len(state.models)}))
"""


@dataclass
class Sample:
    """The samples of one measured command (seconds) and what the subprocess reported."""

    name: str
    wall: list[float] = field(default_factory=list)
    inner: list[dict[str, Any]] = field(default_factory=list)

    def median(self, key: str = "wall") -> float:
        values = self.wall if key == "wall" else [float(r[key]) for r in self.inner]
        return statistics.median(values)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"wall": self.wall, "wall_median": self.median()}
        if self.inner:
            for key in ("imports", "work", "total", "load", "analysis", "setup", "loader", "project_state"):
                if key in self.inner[-1]:
                    out[f"{key}_median"] = self.median(key)
            out["reported"] = self.inner[-1]
        return out


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["DJANGO_SETTINGS_MODULE"] = "settings"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["COLUMNS"] = "80"
    return env


def _run(argv: list[str], root: Path, *, capture: bool) -> tuple[float, str]:
    db = root / "db.sqlite3"
    if db.exists():
        db.unlink()
    start = time.perf_counter()
    proc = subprocess.run(
        argv,
        cwd=root,
        env=_env(root),
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr}")
    return wall, proc.stdout if capture else ""


def _measure(
    commands: dict[str, tuple[list[str], bool]], root: Path, repeat: int, progress: Callable[[str], None]
) -> dict[str, Sample]:
    """Run every command once untimed, then ``repeat`` rounds alternating between them."""
    samples = {name: Sample(name) for name in commands}
    for name, (argv, capture) in commands.items():
        progress(f"warm-up: {name}")
        _run(argv, root, capture=capture)
    for i in range(repeat):
        for name, (argv, capture) in commands.items():
            wall, out = _run(argv, root, capture=capture)
            samples[name].wall.append(wall)
            if capture:
                samples[name].inner.append(json.loads(out.strip().splitlines()[-1]))
        progress(f"round {i + 1}/{repeat} done")
    return samples


def _machine() -> dict[str, Any]:
    import django

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def run_benchmarks(
    apps: int,
    migrations: int,
    seed: int = 1,
    repeat: int = 5,
    out_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> dict[str, Any]:
    """Generate (or reuse) the project, measure both comparisons and return the figures as data."""
    root = out_dir or GENERATED / f"apps{apps}_migrations{migrations}_seed{seed}"
    if stamp_matches(root, apps, migrations, seed, Rates()):
        progress(f"reusing {root}")
    else:
        progress(f"generating {apps} apps x {migrations} migrations into {root}")
        generate_project(root, apps, migrations, seed)
    python = sys.executable
    in_process = _measure(
        {
            "squashkit": ([python, "-c", SQUASHKIT_SCRIPT, str(root)], True),
            "squashkit_graph": ([python, "-c", SQUASHKIT_GRAPH_SCRIPT, str(root)], True),
            "django": ([python, "-c", DJANGO_SCRIPT], True),
        },
        root,
        repeat,
        progress,
    )
    process = _measure(
        {
            "squashkit_analyze": ([python, "-m", "squashkit", "analyze", str(root), "--format", "json"], False),
            "showmigrations_plan": ([python, "manage.py", "showmigrations", "--plan"], False),
        },
        root,
        repeat,
        progress,
    )
    ours, django = in_process["squashkit"], in_process["django"]
    work_ratio = django.median("work") / ours.median("work")
    total_ratio = django.median("total") / ours.median("total")
    process_ratio = process["showmigrations_plan"].median() / process["squashkit_analyze"].median()
    return {
        "project": {"root": str(root), "apps": apps, "migrations_per_app": migrations, "seed": seed,
                    "migrations": ours.inner[-1]["migrations"], "models": django.inner[-1]["models"]},
        "repeat": repeat,
        "machine": _machine(),
        "mode": ours.inner[-1]["mode"],
        "in_process": {name: s.as_dict() for name, s in in_process.items()},
        "process": {name: s.as_dict() for name, s in process.items()},
        "ratios": {
            "in_process_work": work_ratio,
            "in_process_total": total_ratio,
            "in_process_graph_work": django.median("work") / in_process["squashkit_graph"].median("work"),
            "process": process_ratio,
        },
        "targets": {
            "in_process_work": {"target": IN_PROCESS_TARGET, "met": work_ratio >= IN_PROCESS_TARGET},
            "process": {"target": PROCESS_TARGET, "met": process_ratio >= PROCESS_TARGET},
        },
    }


def render(result: dict[str, Any]) -> str:
    p, m, r, t = result["project"], result["machine"], result["ratios"], result["targets"]
    ip, pr = result["in_process"], result["process"]

    def verdict(name: str) -> str:
        return f">= {t[name]['target']:.0f}x: {'met' if t[name]['met'] else 'NOT met'}"

    mode = "load_static + analyze" if result["mode"] == "analyze" else "load_static + graph + longest/redundant"
    lines = [
        f"project: {p['apps']} apps x {p['migrations_per_app']} migrations = {p['migrations']} files,"
        f" {p['models']} models (seed {p['seed']}); median of {result['repeat']}",
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, Django {m['django']};"
        f" load average at the end {m['load_average']}",
        "",
        "a. in-process                           imports     work    total  process",
    ]
    rows = [
        (f"squashkit ({mode})", ip["squashkit"]),
        ("squashkit (load_static + graph only)", ip["squashkit_graph"]),
        ("Django setup+MigrationLoader+state", ip["django"]),
    ]
    for label, s in rows:
        lines.append(
            f"   {label:<37}{s['imports_median']:7.3f}s {s['work_median']:7.3f}s {s['total_median']:7.3f}s"
            f" {s['wall_median']:7.3f}s"
        )
    ours, django = ip["squashkit"], ip["django"]
    if "load_median" in ours:
        lines.append(
            f"   squashkit work = load_static {ours['load_median']:.3f}s + analysis {ours['analysis_median']:.3f}s"
        )
    if "setup_median" in django:
        lines.append(
            f"   Django work = setup {django['setup_median']:.3f}s + MigrationLoader {django['loader_median']:.3f}s"
            f" + project_state {django['project_state_median']:.3f}s"
        )
    lines += [
        f"   Django / squashkit: work {r['in_process_work']:.2f}x, total {r['in_process_total']:.2f}x"
        f" (graph only: work {r['in_process_graph_work']:.2f}x)",
        f"   target work {verdict('in_process_work')}",
        "",
        "b. whole process                                 wall",
        f"   squashkit analyze --format json        {pr['squashkit_analyze']['wall_median']:9.3f}s",
        f"   manage.py showmigrations --plan        {pr['showmigrations_plan']['wall_median']:9.3f}s",
        f"   showmigrations / squashkit: {r['process']:.2f}x; target {verdict('process')}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compare", description="squashkit's static path vs Django's, side by side."
    )
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=50, help="migrations per app")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed samples per command (median reported)")
    parser.add_argument("--out", type=Path, default=None, help="project directory (default benchmarks/generated/)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run_benchmarks(args.apps, args.migrations, args.seed, args.repeat, args.out, progress)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
