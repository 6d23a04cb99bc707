"""Time squashkit's static path against Django's own, side by side in the same run, cold and warm.

Usage::

    python -m benchmarks.compare --apps 100 --migrations 50 [--seed 1] [--repeat 5] [--json]

The project is generated into ``benchmarks/generated/`` (reused when it was generated with the same
arguments).  Every sample runs in a fresh subprocess; the commands of a comparison alternate, each gets one
untimed warm-up run first (so every command reads warm files, Django imports compiled ``.pyc``, and
squashkit's warm commands find their record cache filled), and the median of ``--repeat`` samples is
reported.  Wall time and CPU time (user + system of the subprocess) are both recorded.

squashkit is measured twice:

* **cold**: the record cache is disabled (``load_static(cache=False)`` / ``analyze --no-cache``): every
  migration file is parsed, as on a first run or after every file changed;
* **warm**: the record cache (:mod:`squashkit.graph.cache`) was filled by the warm-up run, the way Django's
  ``.pyc`` files were written by its warm-up run.  It lives in a temporary ``SQUASHKIT_CACHE_DIR`` outside the
  project, removed at the end.

a. In-process (timed inside the subprocess, with :func:`time.perf_counter`):

   * squashkit: ``import squashkit`` then ``squashkit.analyze(squashkit.load_static(root, cache=...))``;
     also ``load_static`` + graph only (cold), the graph work the analysis is built on;
   * Django: ``import django`` and ``MigrationLoader`` then ``django.setup()``,
     ``MigrationLoader(None, ignore_no_migrations=True)`` and ``loader.project_state()``.

   "work" is what follows the imports, "total" includes the imports; "process" is the subprocess's wall
   time seen from here (interpreter start-up included).

b. Whole process: ``python -m squashkit analyze ROOT --format json [--no-cache]`` against ``python manage.py
   showmigrations --plan`` (the generated settings, an SQLite database that holds no tables).  For the cold
   comparison Django is also run without the project's compiled migrations (``python -B``, the project's
   ``__pycache__`` folders removed before each sample: every migration module is compiled, as on a fresh
   checkout); Django's own ``.pyc`` stay, as squashkit's do.  Those samples are taken after all the others
   (the warm ``showmigrations`` runs must find their ``.pyc``).

Targets: (a) squashkit's work at least 5x faster than Django's, (b) ``squashkit analyze`` at least 3x
faster than ``showmigrations --plan``; each is reported cold and warm.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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
cache = sys.argv[2] == "warm"
project = squashkit.load_static(sys.argv[1], cache=cache)
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
print(json.dumps({"imports": t1 - t0, "work": t2 - t1, "total": t2 - t0, "mode": mode, "cache": cache,
                  "load": t_load - t1, "analysis": t2 - t_load, "migrations": len(project.migrations)}))
"""

SQUASHKIT_GRAPH_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import squashkit
t1 = time.perf_counter()
project = squashkit.load_static(sys.argv[1], cache=False)
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
    #: user + system CPU seconds of the subprocess (less sensitive than wall time to a busy machine)
    cpu: list[float] = field(default_factory=list)
    inner: list[dict[str, Any]] = field(default_factory=list)

    def median(self, key: str = "wall") -> float:
        if key == "wall":
            values = self.wall
        elif key == "cpu":
            values = self.cpu
        else:
            values = [float(r[key]) for r in self.inner]
        return statistics.median(values)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"wall": self.wall, "wall_median": self.median(), "cpu": self.cpu}
        if self.cpu:
            out["cpu_median"] = self.median("cpu")
        if self.inner:
            for key in ("imports", "work", "total", "load", "analysis", "setup", "loader", "project_state"):
                if key in self.inner[-1]:
                    out[f"{key}_median"] = self.median(key)
            out["reported"] = self.inner[-1]
        return out


def _env(root: Path, cache_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if cache_dir is not None:
        env["SQUASHKIT_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["DJANGO_SETTINGS_MODULE"] = "settings"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["COLUMNS"] = "80"
    return env


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _drop_project_bytecode(root: Path) -> None:
    """Remove the ``__pycache__`` folders of the generated project (not Django's, not squashkit's)."""
    for folder in root.rglob("__pycache__"):
        shutil.rmtree(folder, ignore_errors=True)


def _run(
    argv: list[str],
    root: Path,
    *,
    capture: bool,
    cache_dir: Path | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> tuple[float, float, str]:
    db = root / "db.sqlite3"
    if db.exists():
        db.unlink()
    if prepare is not None:
        prepare(root)
    cpu_start = _cpu_children()
    start = time.perf_counter()
    proc = subprocess.run(
        argv,
        cwd=root,
        env=_env(root, cache_dir),
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    cpu = _cpu_children() - cpu_start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr}")
    return wall, cpu, proc.stdout if capture else ""


Command = tuple[list[str], bool] | tuple[list[str], bool, Callable[[Path], None]]


def _measure(
    commands: dict[str, Command],
    root: Path,
    repeat: int,
    progress: Callable[[str], None],
    cache_dir: Path | None = None,
) -> dict[str, Sample]:
    """Run every command once untimed, then ``repeat`` rounds alternating between them."""
    samples = {name: Sample(name) for name in commands}
    for name, (argv, capture, *prepare) in commands.items():
        progress(f"warm-up: {name}")
        _run(argv, root, capture=capture, cache_dir=cache_dir, prepare=prepare[0] if prepare else None)
    for i in range(repeat):
        for name, (argv, capture, *prepare) in commands.items():
            run = prepare[0] if prepare else None
            wall, cpu, out = _run(argv, root, capture=capture, cache_dir=cache_dir, prepare=run)
            samples[name].wall.append(wall)
            samples[name].cpu.append(cpu)
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
    # The warm commands' record cache: outside the project, filled by their warm-up run, removed at the end.
    cache_dir = Path(tempfile.mkdtemp(prefix="squashkit-bench-cache-"))
    try:
        in_process = _measure(
            {
                "squashkit_cold": ([python, "-c", SQUASHKIT_SCRIPT, str(root), "cold"], True),
                "squashkit_warm": ([python, "-c", SQUASHKIT_SCRIPT, str(root), "warm"], True),
                "squashkit_graph": ([python, "-c", SQUASHKIT_GRAPH_SCRIPT, str(root)], True),
                "django": ([python, "-c", DJANGO_SCRIPT], True),
            },
            root,
            repeat,
            progress,
            cache_dir,
        )
        analyze = [python, "-m", "squashkit", "analyze", str(root), "--format", "json"]
        process = _measure(
            {
                "squashkit_analyze_cold": ([*analyze, "--no-cache"], False),
                "squashkit_analyze_warm": (analyze, False),
                "showmigrations_plan": ([python, "manage.py", "showmigrations", "--plan"], False),
            },
            root,
            repeat,
            progress,
            cache_dir,
        )
        # Last, on its own: removing the project's bytecode must not slow the warm Django runs above down.
        process |= _measure(
            {
                "showmigrations_plan_nopyc": (
                    [python, "-B", "manage.py", "showmigrations", "--plan"],
                    False,
                    _drop_project_bytecode,
                ),
            },
            root,
            repeat,
            progress,
            cache_dir,
        )
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    django = in_process["django"]
    show = process["showmigrations_plan"]
    ratios: dict[str, float] = {}
    targets: dict[str, dict[str, Any]] = {}
    for temp in ("cold", "warm"):
        ours = in_process[f"squashkit_{temp}"]
        ratios[f"in_process_work_{temp}"] = django.median("work") / ours.median("work")
        ratios[f"in_process_total_{temp}"] = django.median("total") / ours.median("total")
        ratios[f"process_{temp}"] = show.median() / process[f"squashkit_analyze_{temp}"].median()
        ratios[f"process_cpu_{temp}"] = show.median("cpu") / process[f"squashkit_analyze_{temp}"].median("cpu")
        for name, target in (("in_process_work", IN_PROCESS_TARGET), ("process", PROCESS_TARGET)):
            ratio = ratios[f"{name}_{temp}"]
            targets[f"{name}_{temp}"] = {"target": target, "met": ratio >= target}
    ratios["in_process_graph_work"] = django.median("work") / in_process["squashkit_graph"].median("work")
    # informational: both sides cold (no record cache / no compiled migrations)
    nopyc = process["showmigrations_plan_nopyc"]
    ratios["process_cold_vs_nopyc"] = nopyc.median() / process["squashkit_analyze_cold"].median()
    cold = in_process["squashkit_cold"]
    return {
        "project": {
            "root": str(root),
            "apps": apps,
            "migrations_per_app": migrations,
            "seed": seed,
            "migrations": cold.inner[-1]["migrations"],
            "models": django.inner[-1]["models"],
        },
        "repeat": repeat,
        "machine": _machine(),
        "mode": cold.inner[-1]["mode"],
        "in_process": {name: s.as_dict() for name, s in in_process.items()},
        "process": {name: s.as_dict() for name, s in process.items()},
        "ratios": ratios,
        "targets": targets,
    }


def render(result: dict[str, Any]) -> str:
    p, m, r, t = result["project"], result["machine"], result["ratios"], result["targets"]
    ip, pr = result["in_process"], result["process"]

    def verdict(name: str) -> str:
        return f"target >= {t[name]['target']:.0f}x: {'met' if t[name]['met'] else 'NOT met'}"

    mode = "load_static + analyze" if result["mode"] == "analyze" else "load_static + graph + longest/redundant"
    lines = [
        f"project: {p['apps']} apps x {p['migrations_per_app']} migrations = {p['migrations']} files,"
        f" {p['models']} models (seed {p['seed']}); median of {result['repeat']}",
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, Django {m['django']};"
        f" load average at the end {m['load_average']}",
        "cold = squashkit's record cache disabled (every file parsed); warm = cache filled by the warm-up run"
        " (like Django's .pyc)",
        "",
        "a. in-process                                  imports     work    total  process      cpu",
    ]
    rows = [
        (f"squashkit cold ({mode})", ip["squashkit_cold"]),
        (f"squashkit warm ({mode})", ip["squashkit_warm"]),
        ("squashkit cold (load_static + graph only)", ip["squashkit_graph"]),
        ("Django setup+MigrationLoader+state", ip["django"]),
    ]
    for label, s in rows:
        lines.append(
            f"   {label:<44}{s['imports_median']:7.3f}s {s['work_median']:7.3f}s {s['total_median']:7.3f}s"
            f" {s['wall_median']:7.3f}s {s.get('cpu_median', float('nan')):7.3f}s"
        )
    for temp in ("cold", "warm"):
        ours = ip[f"squashkit_{temp}"]
        if "load_median" in ours:
            lines.append(
                f"   squashkit {temp} work = load_static {ours['load_median']:.3f}s"
                f" + analysis {ours['analysis_median']:.3f}s"
            )
    django = ip["django"]
    if "setup_median" in django:
        lines.append(
            f"   Django work = setup {django['setup_median']:.3f}s + MigrationLoader {django['loader_median']:.3f}s"
            f" + project_state {django['project_state_median']:.3f}s"
        )
    for temp in ("cold", "warm"):
        lines.append(
            f"   Django / squashkit {temp}: work {r[f'in_process_work_{temp}']:.2f}x,"
            f" total {r[f'in_process_total_{temp}']:.2f}x; {verdict(f'in_process_work_{temp}')}"
        )
    lines += [
        f"   (graph only, cold: work {r['in_process_graph_work']:.2f}x)",
        "",
        "b. whole process                                     wall      cpu",
    ]
    for label, name in (
        ("squashkit analyze --format json --no-cache", "squashkit_analyze_cold"),
        ("squashkit analyze --format json (warm cache)", "squashkit_analyze_warm"),
        ("manage.py showmigrations --plan", "showmigrations_plan"),
        ("manage.py showmigrations --plan, no .pyc", "showmigrations_plan_nopyc"),
    ):
        s = pr[name]
        lines.append(f"   {label:<45}{s['wall_median']:7.3f}s {s.get('cpu_median', float('nan')):7.3f}s")
    for temp in ("cold", "warm"):
        lines.append(
            f"   showmigrations / squashkit {temp}: {r[f'process_{temp}']:.2f}x (cpu {r[f'process_cpu_{temp}']:.2f}x);"
            f" {verdict(f'process_{temp}')}"
        )
    if "process_cold_vs_nopyc" in r:
        lines.append(
            f"   showmigrations without .pyc / squashkit cold: {r['process_cold_vs_nopyc']:.2f}x"
            " (both read every migration from source; not a target)"
        )
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
