"""``squashkit squash plan`` against ``squashkit analyze`` on the same generated project, side by side.

    python -m benchmarks.squash_plan [--apps 100] [--migrations 100] [--seed 1] [--repeat 5] [--json]

Every sample is a fresh subprocess running the command's whole path (``python -m squashkit analyze ROOT
--format json`` / ``python -m squashkit squash plan ROOT --format json``); the two alternate, each gets one
untimed warm-up run first (which fills the record cache, in a temporary ``SQUASHKIT_CACHE_DIR``), and the
median of ``--repeat`` samples is reported: wall time and CPU time (user + system of the subprocess, less
sensitive to a busy machine).  Target: ``squash plan`` within 2x of ``analyze``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate_project

COMMANDS = {
    "analyze": ["analyze", "{root}", "--format", "json"],
    "squash plan": ["squash", "plan", "{root}", "--format", "json"],
}


def sample(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "squashkit", *args], env=env, check=False, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)
    root = Path(__file__).resolve().parent / "generated" / f"a{options.apps}m{options.migrations}s{options.seed}"
    generate_project(root, options.apps, options.migrations, options.seed)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SQUASHKIT_CACHE_DIR": cache}
        commands = {name: [a.format(root=root) for a in args] for name, args in COMMANDS.items()}
        for args in commands.values():
            sample(args, env)  # warm-up: record cache, file cache
        for _ in range(options.repeat):
            for name, args in commands.items():
                samples[name].append(sample(args, env))
    medians = {
        name: {"wall": statistics.median(w for w, _ in s), "cpu": statistics.median(c for _, c in s)}
        for name, s in samples.items()
    }
    ratio = {k: medians["squash plan"][k] / medians["analyze"][k] for k in ("wall", "cpu")}
    result = {
        "project": {"apps": options.apps, "migrations": options.migrations, "seed": options.seed},
        "medians": medians,
        "ratio": ratio,
        "target_met": ratio["cpu"] <= 2.0,
        "load_average": os.getloadavg(),
    }
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        for name, m in medians.items():
            print(f"{name:12} wall {m['wall']:.2f} s   cpu {m['cpu']:.2f} s")
        print(f"ratio        wall {ratio['wall']:.2f}x   cpu {ratio['cpu']:.2f}x (target: within 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
