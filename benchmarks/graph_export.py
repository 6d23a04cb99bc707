"""Benchmark: DOT export of a generated 100 apps x 50 migrations project (target: under 2 s).

Usage::

    python -m benchmarks.graph_export [--apps 100] [--migrations 50] [--seed 1] [--repeat 5]

The project is generated with :func:`benchmarks.generate.generate_project` into ``benchmarks/generated/``
(reused when it was generated with the same arguments).  Every sample runs in a fresh subprocess, after one
untimed warm-up run; the median of ``--repeat`` samples is printed.

a. In-process (``time.perf_counter`` inside the subprocess): imports, ``load_static``, ``project.graph()``,
   the ``squashkit deps`` proposals (the removable edges), and :func:`squashkit.export.dot.to_dot` at
   migration and app level.  "export" is graph + DOT text from a loaded project; "total" is everything.
b. Whole process: ``python -m squashkit graph ROOT -o OUT.dot --max-nodes 100000`` (with and without
   ``--no-proposals``, and ``--level app``), wall time seen from here, interpreter start-up included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "benchmarks" / "generated"

IN_PROCESS = """
import json, sys, time
t0 = time.perf_counter()
from squashkit.graph.static import load_static
from squashkit.export.dot import declared_edges, to_dot
from squashkit.deps.propose import propose
t1 = time.perf_counter()
project = load_static(sys.argv[1])
t2 = time.perf_counter()
graph = project.graph()
t3 = time.perf_counter()
pairs = [(c.dependency, p.migration) for p in propose(project, graph=graph) for c in p.changes if c.action == "remove"]
removable = declared_edges(graph, pairs)
t4 = time.perf_counter()
text = to_dot(graph, removable=removable)
t5 = time.perf_counter()
apps = to_dot(graph, removable=removable, level="app")
t6 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "graph": t3 - t2, "proposals": t4 - t3,
                  "dot": t5 - t4, "dot_app": t6 - t5, "export": (t3 - t2) + (t5 - t4), "total": t5 - t0,
                  "bytes": len(text.encode()), "nodes": graph.dg.number_of_nodes(),
                  "edges": graph.dg.number_of_edges(), "removable": len(removable)}))
"""


def _project(apps: int, migrations: int, seed: int) -> Path:
    sys.path.insert(0, str(REPO))
    from benchmarks.generate import Rates, generate_project, stamp_matches

    root = GENERATED / f"apps{apps}_migrations{migrations}_seed{seed}"
    if not stamp_matches(root, apps, migrations, seed, Rates()):
        print(f"generating {apps} apps x {migrations} migrations into {root}", file=sys.stderr)
        generate_project(root, apps, migrations, seed)
    return root


def _in_process(root: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(root)], capture_output=True, text=True, check=True, cwd=REPO
    )
    return json.loads(proc.stdout)


def _whole(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, cwd=REPO)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    root = _project(args.apps, args.migrations, args.seed)

    _in_process(root)  # warm-up: .pyc files and the page cache
    samples = [_in_process(root) for _ in range(args.repeat)]

    def median(key: str) -> float:
        return statistics.median(s[key] for s in samples)

    with tempfile.TemporaryDirectory(prefix="squashkit-graph-") as tmp:
        base = [sys.executable, "-m", "squashkit", "graph", str(root), "--max-nodes", "100000"]
        commands = {
            "squashkit graph -o g.dot": [*base, "-o", f"{tmp}/g.dot"],
            "squashkit graph -o g.dot --no-proposals": [*base, "-o", f"{tmp}/g.dot", "--no-proposals"],
            "squashkit graph --level app -o a.dot": [*base, "--level", "app", "-o", f"{tmp}/a.dot"],
        }
        whole: dict[str, float] = {}
        for name, command in commands.items():
            _whole(command)
            whole[name] = statistics.median(_whole(command) for _ in range(args.repeat))

    first = samples[0]
    print(f"project: {args.apps} apps x {args.migrations} migrations (seed {args.seed})")
    print(
        f"graph: {first['nodes']} nodes, {first['edges']} edges, {first['removable']} removable; "
        f"DOT {first['bytes']} bytes"
    )
    print(f"median of {args.repeat} runs, each in a fresh process")
    print("a. in-process")
    for key, words in (
        ("import", "imports"),
        ("load", "load_static"),
        ("graph", "project.graph()"),
        ("proposals", "deps proposals (removable edges)"),
        ("dot", "to_dot, migration level"),
        ("dot_app", "to_dot, app level"),
        ("export", "export: graph + to_dot (loaded project)"),
        ("total", "total: imports + load + graph + proposals + DOT"),
    ):
        print(f"   {words:<48} {median(key):7.3f} s")
    print("b. whole process")
    for name, seconds in whole.items():
        print(f"   {name:<48} {seconds:7.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
