"""squash plan on sample_project: Django's own squash of inventory is circular, the planned ones migrate.

Real Django in subprocesses on temp copies (``sample_copy``), as tests/sample/test_sample_project.py does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import squashkit
from squashkit.deps.fix import fix_change_set, plan_fixes
from squashkit.deps.propose import propose
from squashkit.graph.model import MigrationKey
from squashkit.squash.plan import SquashRange, plan_squashes

pytestmark = pytest.mark.django


def manage(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def narrow_members(project: Path, r: SquashRange) -> None:
    """Write the minimal dependencies of the range's members (what ``deps --fix`` writes, unverified here):
    while the replaced files remain, Django re-points their dependencies to the squash."""
    loaded = squashkit.load_static(project, cache=False)
    proposals = [p for p in propose(loaded, apps=[r.app]) if p.migration in set(r.members)]
    fixes = plan_fixes(loaded, proposals, applied_in=lambda key: (), require_verified=False)
    fix_change_set(loaded.root, fixes).apply()


def squash_with_django(project: Path, r: SquashRange, *, from_first: bool) -> Path:
    """``squashmigrations`` of the range, then what `squash run` does by hand: the minimal dependencies instead
    of Django's union, and the RunPython functions Django could not reference imported from their modules."""
    args = [r.last.name] if from_first else [r.first.name, r.last.name]
    done = manage(project, "squashmigrations", r.app, *args, "--noinput")
    assert done.returncode == 0, done.stderr
    loaded = squashkit.load_static(project)
    folder = loaded.root / loaded.apps[r.app].migrations_path
    path = folder / f"{r.name}.py"
    assert path.is_file(), sorted(p.name for p in folder.iterdir())
    text = path.read_text()
    deps = "".join(f"        ({k.app_label!r}, {k.name!r}),\n" for k in r.external_deps)
    if not from_first:
        previous = re.search(r"dependencies = \[\n((?:        .*\n)*?)    \]", text)
        assert previous is not None
        same_app = [line for line in previous.group(1).splitlines(keepends=True) if f"('{r.app}'," in line]
        deps = "".join(same_app) + deps
    text, count = re.subn(r"dependencies = \[\n(?:        .*\n)*?    \]", f"dependencies = [\n{deps}    ]", text)
    assert count == 1
    modules = sorted(set(re.findall(rf"{r.app}\.migrations\.(\d{{4}}_\w+)\.", text)))
    for i, module in enumerate(modules):
        text = text.replace(f"{r.app}.migrations.{module}.", f"_ported_{i}.")
        text = text.replace(
            "class Migration(",
            f"_ported_{i} = importlib.import_module({r.app!r} + '.migrations.{module}')\n\n\nclass Migration(",
            1,
        )
    if modules:
        text = "import importlib\n" + text
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def plan() -> object:
    return plan_squashes(squashkit.load_static(Path(__file__).resolve().parents[2] / "sample_project"))


def inventory_ranges(plan: object) -> list[SquashRange]:
    return [r for r in plan.ranges if r.app == "inventory"]  # type: ignore[attr-defined]


def test_the_plan_names_the_paths_that_force_it(plan: object) -> None:
    ranges = inventory_ranges(plan)
    assert [(r.first.name, r.last.name, r.bound) for r in ranges] == [
        ("0001_initial", "0011_product_weight", "cycle"),
        ("0012_reservation", "0022_product_barcode", "cycle"),
        ("0023_alter_product_barcode", "0032_remove_warehouse_city", "latest"),
    ]
    assert [r.name for r in ranges] == [
        "0001_squashed_0011_product_weight",
        "0012_reservation_squashed_0022_product_barcode",
        "0023_alter_product_barcode_squashed_0032_remove_warehouse_city",
    ]
    # 0012 needs sales_orders.0010 (its RunPython reads orders), which comes after sales_orders.0006, which
    # needs inventory.0005 (to_field on Product.sku): the planted trap of tests/sample.
    first = ranges[0]
    assert first.split_path[0] == MigrationKey("inventory", "0005_product_sku")
    assert first.split_path[-1] == MigrationKey("inventory", "0012_reservation")
    assert first.split_path[1].app_label == "sales_orders"
    second = ranges[1]
    assert [str(k) for k in second.external_deps] == [
        "purchase_orders.0001_initial",
        "sales_orders.0010_backfill_order_status",
    ]
    assert [str(k) for k in second.django_union_deps] == [
        "purchase_orders.0011_purchaseorder_received_at",
        "sales_orders.0010_backfill_order_status",
    ]
    assert second.union_cycle[0] == MigrationKey("inventory", "0020_stocklevel_updated")
    assert second.union_cycle[-1] == MigrationKey("inventory", "0021_stocklevel_supplier")
    assert [k.name for k in second.narrow_first] == ["0021_stocklevel_supplier"]
    assert [(str(b.migration), b.line, b.kind) for b in ranges[2].barriers] == [
        ("inventory.0030_reset_reorder_levels", 18, "RunPython")
    ]


def test_djangos_own_squash_of_inventory_fails_the_planned_ones_migrate(sample_copy: Path, plan: object) -> None:
    done = manage(sample_copy, "squashmigrations", "inventory", "0032_remove_warehouse_city", "--noinput")
    assert done.returncode == 0, done.stderr
    squashed = sample_copy / "inventory" / "migrations" / "0001_squashed_0032_remove_warehouse_city.py"
    # The RunPython reference Django could not port is a SyntaxError (then the cycle, see tests/sample).
    assert "inventory.migrations.0030_reset_reorder_levels." in squashed.read_text()
    migrate = manage(sample_copy, "migrate", "-v0")
    assert migrate.returncode == 1
    assert "SyntaxError" in migrate.stderr or "CircularDependencyError" in migrate.stderr
    squashed.unlink()
    ranges = inventory_ranges(plan)
    # Every planned inventory range, squashed by squashmigrations with the planned dependencies: loads, migrates.
    for r in ranges:
        narrow_members(sample_copy, r)
    for r in ranges:
        squash_with_django(sample_copy, r, from_first=r.first.name == "0001_initial")
    migrate = manage(sample_copy, "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    shown = manage(sample_copy, "showmigrations", "inventory").stdout
    for r in ranges:
        assert f"[X] {r.name} ({len(r.members)} squashed migrations)" in shown


def test_every_planned_range_squashed_together_migrates(sample_copy: Path, plan: object) -> None:
    """All ranges of the plan at once (safe together): squashed one after the other, then one migrate."""
    project = squashkit.load_static(sample_copy)
    firsts = {app: min(k for k in project.migrations if k.app_label == app) for app in project.project_apps}
    for r in plan.ranges:  # type: ignore[attr-defined]
        narrow_members(sample_copy, r)
    for r in plan.ranges:  # type: ignore[attr-defined]
        squash_with_django(sample_copy, r, from_first=r.first == firsts[r.app])
    migrate = manage(sample_copy, "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    check = manage(sample_copy, "makemigrations", "--check", "--dry-run")
    assert check.returncode == 0, check.stdout + check.stderr


def _rows(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        return list(connection.execute("SELECT app, name FROM django_migrations ORDER BY id"))


def test_the_environment_that_applied_least_bounds_the_range(sample_copy: Path, run_cli) -> None:
    staging = sample_copy / "staging.sqlite3"
    done = manage(sample_copy, "migrate", "inventory", "0020", "-v0", env={"SAMPLE_DB_NAME": str(staging)})
    assert done.returncode == 0, done.stderr
    later = sample_copy / "later.sqlite3"
    shutil.copy(staging, later)
    done = manage(sample_copy, "migrate", "inventory", "0025", "-v0", env={"SAMPLE_DB_NAME": str(later)})
    assert done.returncode == 0, done.stderr
    snapshot = {
        "format": "squashkit-history-snapshot",
        "version": 1,
        "env": "production",
        "taken": "2026-12-01T12:00:00+00:00",
        "sets": [{"schema": None, "source": "production", "rows": [{"app": a, "name": n} for a, n in _rows(later)]}],
    }
    later.unlink()
    (sample_copy / "production.json").write_text(json.dumps(snapshot))
    (sample_copy / "pyproject.toml").write_text(
        '[tool.squashkit.environments.staging]\ndsn = "sqlite:///staging.sqlite3"\n\n'
        '[tool.squashkit.environments.production]\nsnapshot = "production.json"\n'
    )
    result = run_cli("squash", "plan", sample_copy, "--app", "inventory", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sources"] == ["staging", "production"]
    # split at 0012 (the planted cycle), then bounded by staging
    assert [(r["first"], r["last"]) for r in data["ranges"]] == [
        ("inventory.0001_initial", "inventory.0011_product_weight"),
        ("inventory.0012_reservation", "inventory.0020_stocklevel_updated"),
    ]
    inventory = data["ranges"][-1]
    assert inventory["bound"] == "source"
    assert inventory["bound_sources"] == ["staging"]
    assert inventory["bound_by"] == "not applied in staging beyond inventory.0020_stocklevel_updated"
