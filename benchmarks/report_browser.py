"""Benchmark: the HTML report of a generated 100 apps x 50 migrations project in headless Chromium.

Target: the page loads and answers a search within 2 s (issue #18); the file stays under 5 MB.

Usage::

    python -m benchmarks.report_browser [--apps 100] [--migrations 50] [--seed 1] [--repeat 5] [--keep FILE]

Steps:

1. ``squashkit report ROOT --format html -o FILE`` in a subprocess (wall time, graphviz included) and the
   file's size;
2. ``--repeat`` times, in a new Chromium each time (Debian's chromium + chromedriver through Selenium, as in
   the browser tests, with a new empty profile):

   * load: navigation start to the end of the ``load`` event (the page's script has run by then: it is inline
     and synchronous), from the page's Navigation Timing entry;
   * search: from typing a migration name (the ``input`` event of the search box) until the next frame is
     painted with the answer (the migration highlighted in its app's graph, its details shown), measured in
     the page with ``performance.now()`` and two ``requestAnimationFrame`` callbacks;
   * first app: the same for a click on an app's node in the app graph (its migration graph and table).

The medians are printed, and "load + search" against the 2 s target.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

SEARCH = """
const [query, done] = arguments;
const box = document.getElementById("sk-search");
const start = performance.now();
box.value = query;
box.dispatchEvent(new Event("input", {bubbles: true}));
requestAnimationFrame(() => requestAnimationFrame(() => {
  const hit = document.querySelectorAll("#sk-app-graph g.node.sk-hit").length;
  const title = document.querySelector("#sk-detail h2").textContent;
  done({ms: performance.now() - start, hit: hit, title: title});
}));
"""

OPEN_APP = """
const [label, done] = arguments;
const node = Array.from(document.querySelectorAll("#sk-apps-graph g.node"))
  .find(g => g.querySelector("title").textContent === label);
const start = performance.now();
node.dispatchEvent(new MouseEvent("click", {bubbles: true}));
requestAnimationFrame(() => requestAnimationFrame(() => {
  done({ms: performance.now() - start, rows: document.querySelectorAll("#sk-app-table tbody tr").length});
}));
"""


def _project(apps: int, migrations: int, seed: int) -> Path:
    sys.path.insert(0, str(REPO))
    from benchmarks.generate import Rates, generate_project, stamp_matches

    root = REPO / "benchmarks" / "generated" / f"apps{apps}_migrations{migrations}_seed{seed}"
    if not stamp_matches(root, apps, migrations, seed, Rates()):
        print(f"generating {apps} apps x {migrations} migrations into {root}", file=sys.stderr)
        generate_project(root, apps, migrations, seed)
    return root


def _sample(url: str, query: str, app: str, profile: Path) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.plugins.browser import browser_logs, start_chromium

    driver = start_chromium(profile)
    try:
        driver.set_script_timeout(30)
        driver.get(url)
        load = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;"
        )
        ready = driver.execute_script("return document.documentElement.dataset.skReady === '1'")
        search = driver.execute_async_script(SEARCH, query)
        opened = driver.execute_async_script(OPEN_APP, app)
        errors = [e for e in browser_logs(driver) if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    return {"load": load / 1000, "ready": ready, "search": search, "open": opened, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--migrations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="Also copy the report here.")
    args = parser.parse_args(argv)
    root = _project(args.apps, args.migrations, args.seed)
    middle = f"app{args.apps // 2:03d}"
    with tempfile.TemporaryDirectory(prefix="squashkit-report-") as tmp:
        out = Path(tmp) / "report.html"
        start = time.perf_counter()
        command = [sys.executable, "-m", "squashkit", "report", str(root), "--format", "html", "-o", str(out)]
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        build = time.perf_counter() - start
        if args.keep:
            args.keep.write_bytes(out.read_bytes())
        size = out.stat().st_size
        query = f"{middle}.{args.migrations // 2:04d}"
        samples = [_sample(out.as_uri(), query, middle, Path(tmp) / f"profile{i}") for i in range(args.repeat)]

    def median(values: list[float]) -> float:
        return statistics.median(values)

    load = median([s["load"] for s in samples])
    search = median([s["search"]["ms"] / 1000 for s in samples])
    opened = median([s["open"]["ms"] / 1000 for s in samples])
    first = samples[0]
    print(f"project: {args.apps} apps x {args.migrations} migrations (seed {args.seed})")
    print(f"squashkit report --format html: {build:.1f} s (wall, graphviz included)")
    print(f"report size: {size:,} bytes ({size / 2**20:.2f} MiB; limit 5 MB)")
    print(f"chromium, median of {args.repeat} fresh browsers:")
    print(f"   load (navigation start to load event end)        {load:7.3f} s")
    print(f"   search {query!r} -> {first['search']['title']} ({first['search']['hit']} highlighted)")
    print(f"      typed to painted                               {search:7.3f} s")
    print(f"   click app {middle} -> {first['open']['rows']} rows".ljust(53) + f"{opened:7.3f} s")
    print(f"   load + search                                     {load + search:7.3f} s (target: 2 s)")
    errors = [e for s in samples for e in s["errors"]]
    print(f"console errors: {len(errors)}")
    return 0 if size < 5_000_000 and load + search < 2 and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
