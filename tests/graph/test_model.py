"""The records: keys, dependency forms, problem locations, per-project queries."""

from __future__ import annotations

from pathlib import Path

from squashkit.graph.model import Dependency, DependencyForm, FileProblem, MigrationKey, OperationSummary
from squashkit.graph.static import load_static
from tests.graph.helpers import FIXTURES

K = MigrationKey


def test_key_text_and_markers():
    assert str(K("shop", "0001_initial")) == "shop.0001_initial"
    assert K("shop", "__first__").is_marker
    assert K("shop", "__latest__").is_marker
    assert not K("shop", "0001_initial").is_marker


def test_dependency_forms():
    assert Dependency.of("shop", "0001_initial").form is DependencyForm.EXPLICIT
    assert Dependency.of("shop", "__first__").form is DependencyForm.FIRST
    assert Dependency.of("shop", "__latest__").form is DependencyForm.LATEST
    swappable = Dependency.of("people", "__first__", setting="AUTH_USER_MODEL", line=4)
    assert swappable == Dependency(K("people", "__first__"), DependencyForm.SWAPPABLE, "AUTH_USER_MODEL", 4)


def test_problem_location():
    problem = FileProblem(Path("/p/shop/migrations/0002_x.py"), 7, "syntax", "syntax error: x")
    assert problem.location() == "/p/shop/migrations/0002_x.py:7"
    assert problem.location(Path("/p")) == "shop/migrations/0002_x.py:7"
    assert problem.location(Path("/elsewhere")) == "/p/shop/migrations/0002_x.py:7"
    file_level = FileProblem(Path("/p/shop/migrations/0002_x.py"), 0, "no-migration-class", "no Migration class")
    assert file_level.location(Path("/p")) == "shop/migrations/0002_x.py"


def test_migration_info_counts():
    log = load_static(FIXTURES / "odd_files").migrations[K("shop", "0005_log_totals")]
    assert (log.app_label, log.name) == ("shop", "0005_log_totals")
    assert log.count("python") == 2
    assert log.count("custom") == 1
    assert log.irreversible_count == 1
    assert log.is_squashed is False
    assert log.dependency_keys == (K("shop", "0004_order_reference"), K("catalog", "__latest__"))


def test_comparable_ignores_line_and_order_of_references():
    a = OperationSummary("AddField", "schema", references=(("a", "x"), ("b", "y")), line=3)
    b = OperationSummary("AddField", "schema", references=(("b", "y"), ("a", "x"), ("a", "x")), line=9)
    assert a.comparable() == b.comparable()


def test_project_queries():
    project = load_static(FIXTURES / "odd_files")
    assert project.project_apps == ["catalog", "people", "shop"]
    assert project.in_project(K("shop", "0001_initial"))
    assert not project.in_project(K("auth", "0001_initial"))
    assert [m.name for m in project.app_migrations("people")] == ["0001_initial", "0002_member_nickname"]
    assert project.restricted(["catalog"]) == {K("catalog", "0001_initial"), K("catalog", "0002_product_owner")}
    assert [str(m.key) for m in project.iter_project_migrations()][:2] == [
        "catalog.0001_initial",
        "catalog.0002_product_owner",
    ]
