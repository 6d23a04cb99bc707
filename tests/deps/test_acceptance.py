"""End to end on a throwaway project with every kind of need: propose, verify, fix, then ``migrate`` from
empty before and after the fix must give the same schema."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from squashkit.deps.propose import propose
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.deps.richproject import make_rich_project
from tests.deps.schema import migrate_and_introspect

pytestmark = pytest.mark.django

K = MigrationKey


def outside_dependencies(text: str) -> list[str]:
    """The lines of a migration file outside its ``dependencies = [...]`` assignment."""
    skip: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "dependencies" for t in node.targets
        ):
            skip.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return [line for i, line in enumerate(text.splitlines(keepends=True), 1) if i not in skip]


def test_planted_proposals(tmp_path: Path) -> None:
    project = load_static(make_rich_project(tmp_path))
    pending = {p.migration: p for p in propose(project) if p.pending}
    # sales.0001 and sales.0002 were planted over-specified, but sales.0005_sql (an opaque RunSQL) follows
    # them: narrowing them would take ancestors away from it, so they are kept (reason code "descendant").
    assert sorted(pending) == [
        K("billing", "0001_squashed_0002_invoice_total"),
        K("sales", "0003_fill"),
        K("sales", "0004_order_note"),
    ]
    kept = {p.migration: p for p in propose(project)}
    assert [c.reason_code for c in kept[K("sales", "0001_initial")].changes] == ["descendant"] * 3
    assert kept[K("sales", "0001_initial")].changes[0].reason == (
        "sales.0005_sql follows it and needs everything it followed before: RunSQL (line 14): the SQL is not analysed"
    )
    assert [c.reason_code for c in kept[K("sales", "0003_fill")].changes] == ["same-app", "transitive"]
    assert [c.reason_code for c in kept[K("sales", "0005_sql")].changes] == ["same-app", "opaque"]


def fix_copy(tmp_path: Path, run_cli) -> tuple[Path, Path]:
    """The project twice: as written, and after ``deps --fix`` (checked byte by byte)."""
    original = make_rich_project(tmp_path / "original")
    fixed = make_rich_project(tmp_path / "fixed")
    files = {p.relative_to(fixed): p.read_text() for p in fixed.rglob("migrations/0*.py")}
    result = run_cli("deps", fixed, "--fix", "--assume-unapplied")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.endswith("Wrote 3 file(s).\n")
    changed = sorted(str(rel) for rel, text in files.items() if (fixed / rel).read_text() != text)
    assert changed == [
        "billing/migrations/0001_squashed_0002_invoice_total.py",
        "sales/migrations/0003_fill.py",
        "sales/migrations/0004_order_note.py",
    ]
    for rel, text in files.items():
        assert outside_dependencies((fixed / rel).read_text()) == outside_dependencies(text), rel
    again = run_cli("deps", fixed, "--fix", "--assume-unapplied")
    assert again.exit_code == 0
    assert again.stdout.startswith("fixed: no dependency to change.\n")
    assert again.stdout.endswith("Wrote 0 file(s).\n")
    return original, fixed


def test_fix_keeps_the_sqlite_schema(tmp_path: Path, run_cli) -> None:
    original, fixed = fix_copy(tmp_path, run_cli)
    before = migrate_and_introspect(original, "rich.settings", {"SAMPLE_DB_NAME": str(tmp_path / "before.sqlite3")})
    after = migrate_and_introspect(fixed, "rich.settings", {"SAMPLE_DB_NAME": str(tmp_path / "after.sqlite3")})
    assert "sales_order" in before
    assert after == before


@pytest.mark.postgres
def test_fix_keeps_the_postgresql_schema(tmp_path: Path, run_cli, pg_cluster) -> None:
    original, fixed = fix_copy(tmp_path, run_cli)
    pg_cluster.create_database("rich_before")
    pg_cluster.create_database("rich_after")
    before = migrate_and_introspect(original, "rich.settings", pg_cluster.django_env("rich_before"))
    after = migrate_and_introspect(fixed, "rich.settings", pg_cluster.django_env("rich_after"))
    assert "sales_order" in before
    assert after == before


def test_django_loaded_project_gives_the_same_proposals(tmp_path: Path) -> None:
    from squashkit.graph.django_loader import load_django

    root = make_rich_project(tmp_path)
    static = {p.migration: [d.key for d in p.proposed] for p in propose(load_static(root))}
    django = {
        p.migration: [d.key for d in p.proposed] for p in propose(load_django(root, "rich.settings", isolate=True))
    }
    assert django == static
