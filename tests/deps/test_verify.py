"""Verification with Django's own machinery, on throwaway projects with a settings module."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from squashkit.deps.propose import EdgeChange, Proposal, Verification, propose
from squashkit.deps.verify import default_database_applied, find_settings, verify
from squashkit.errors import DjangoLoadError
from squashkit.graph.model import Dependency, MigrationKey
from squashkit.graph.static import load_static
from tests.deps.djangoproject import make_project

pytestmark = pytest.mark.django

K = MigrationKey


def test_find_settings(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    assert find_settings(root) == "mysite.settings"
    assert find_settings(root, "other.settings") == "other.settings"
    (root / "pyproject.toml").write_text('[tool.squashkit]\nsettings = "cfg.settings"\n')
    assert find_settings(root) == "cfg.settings"
    assert find_settings(tmp_path / "nowhere") is None


def test_sound_proposals_are_verified(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    project = load_static(root)
    proposals = verify(project, propose(project), settings="mysite.settings")
    pending = [p for p in proposals if p.pending]
    assert [str(p.migration) for p in pending] == ["sales.0001_initial", "sales.0002_n"]
    assert all(p.safe for p in pending)
    assert pending[0].verification is not None
    assert pending[0].verification.reason == (
        "applies on its new ancestors; final state unchanged; fresh migrate SQL and schema unchanged on sqlite"
    )
    assert not (root / "db.sqlite3").exists()


def test_a_proposal_dropping_a_needed_dependency_fails(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    project = load_static(root)
    first = next(p for p in propose(project) if p.migration == K("sales", "0001_initial"))
    broken: Proposal = dataclasses.replace(first, proposed=())
    (result,) = verify(project, [broken], settings="mysite.settings")
    assert result.verification is not None
    assert result.verification.status == "failed"
    assert result.verification.reason.startswith(
        "sales.0001_initial does not apply on its new ancestors: ValueError: The field sales.Order.customer"
        " was declared with a lazy reference to 'crm.customer', but app 'crm'"
    )


def test_a_cycle_is_reported_by_django(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    project = load_static(root)
    first = next(p for p in propose(project) if p.migration == K("sales", "0001_initial"))
    crm = next(p for p in propose(project) if p.migration == K("crm", "0001_initial"))
    cyclic = dataclasses.replace(crm, proposed=(Dependency.of("sales", "0001_initial"),), changes=first.changes)
    results = verify(project, [cyclic], settings="mysite.settings")
    assert results[0].verification is not None
    assert results[0].verification.reason.startswith("Django rejects the rewired graph: CircularDependencyError: ")


def test_bad_settings_raise(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    project = load_static(root)
    with pytest.raises(DjangoLoadError) as info:
        verify(project, propose(project), settings="nope.settings")
    assert info.value.message == (
        "Django could not load migrations with settings 'nope.settings': ModuleNotFoundError: No module named 'nope'"
    )


def test_default_database_applied(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    assert default_database_applied(root, "mysite.settings") == (set(), "default (sqlite3 db.sqlite3)")
    assert not (root / "db.sqlite3").exists()
    with sqlite3.connect(root / "db.sqlite3") as db:
        db.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)")
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('crm', '0001_initial', '2025-01-01 00:00:00')"
        )
    applied, _ = default_database_applied(root, "mysite.settings")
    assert applied == {K("crm", "0001_initial")}


def test_fast_mode_checks_needs_against_per_app_states(tmp_path: Path) -> None:
    """Above the budget, needs are checked against each app's state at the new ancestors."""
    root = make_project(tmp_path)
    project = load_static(root)
    proposals = verify(project, propose(project), settings="mysite.settings", budget=0)
    pending = [p for p in proposals if p.pending]
    assert all(p.safe for p in pending)
    assert pending[0].verification is not None
    assert pending[0].verification.reason == (
        "its needs hold in each app's state at its new ancestors; final state unchanged"
        "; fresh migrate SQL and schema unchanged on sqlite"
        " (sqlmigrate on each migration's ancestors skipped: 2 changed migrations, graph too large)"
    )
    first = next(p for p in propose(project) if p.migration == K("sales", "0001_initial"))
    (result,) = verify(project, [dataclasses.replace(first, proposed=())], settings="mysite.settings", budget=0)
    assert result.verification == Verification(
        "failed",
        "sales.0001_initial does not apply on its new ancestors: CreateModel order needs crm.customer,"
        " which its new ancestors do not provide",
    )


def test_verification_error_names_the_file_and_line(tmp_path: Path, run_cli) -> None:
    """Django's own message ("SyntaxError: expected ':'") says no file: the note names it.  The proposals are
    still shown, unverified, and --fix writes none of them."""
    from tests.deps.djangoproject import make_project

    root = make_project(tmp_path / "shop")
    broken = "from django.db import migrations\nclass Migration(migrations.Migration)\n    pass\n"
    (root / "crm" / "migrations" / "0004_broken.py").write_text(broken)
    result = run_cli("deps", root)
    assert result.exit_code == 1
    assert "sales.0001_initial  [unverified]\n" in result.stdout
    assert result.stdout.endswith(
        "Not verified with Django: SyntaxError: expected ':' (at\ncrm/migrations/0004_broken.py:2).\n"
    )
    files = {p: p.read_bytes() for p in root.rglob("migrations/0*.py")}
    fixed = run_cli("deps", root, "--fix", "--assume-unapplied", "--format", "json")
    assert fixed.exit_code == 1
    statuses = {p["migration"]: p["status"] for p in json.loads(fixed.stdout)["proposals"]}
    assert statuses["sales.0001_initial"] == (
        "refused: not verified with Django: SyntaxError: expected ':' (at crm/migrations/0004_broken.py:2)"
    )
    assert {p: p.read_bytes() for p in files} == files


def test_a_directory_named_like_a_migration_leaves_proposals_unverified(tmp_path: Path, run_cli) -> None:
    """Was: exit 2, "cannot verify", no proposal shown.  Django cannot import shop/migrations/0033_x.py (a
    directory); the static proposals are shown, unverified, with Django's reason."""
    from tests.conftest import FIXTURES, copy_project

    root = copy_project(FIXTURES / "directory_module", tmp_path / "p")
    result = run_cli("deps", root, "--format", "json")
    assert result.exit_code == 1
    (proposal,) = json.loads(result.stdout)["proposals"]
    assert proposal["migration"] == "orders.0001_initial"
    assert proposal["status"] == "unverified"
    assert proposal["verification"] == {
        "status": "skipped",
        "reason": "ModuleNotFoundError: No module named 'shop.migrations.0033_x'",
    }


def test_the_database_proof_rejects_what_only_the_sql_shows(tmp_path: Path) -> None:
    """An FK created against orders.0001 instead of orders.0005: the state check passes (the model exists, the
    final state is the same) but the column type and the referenced table differ: only the SQL shows it."""
    from tests.conftest import FIXTURES, copy_project

    root = copy_project(FIXTURES / "unsound_deps", tmp_path / "p")
    project = load_static(root)
    key = K("invoices", "0001_initial")
    unsound = Proposal(
        migration=key,
        path=project.migrations[key].path,
        current=project.migrations[key].dependencies,
        proposed=(Dependency.of("orders", "0001_initial"),),
        changes=(EdgeChange(K("orders", "0005_order_total"), "remove", "over-specified", "hand-made"),),
    )
    (result,) = verify(project, [unsound], settings="settings", root=root)
    assert result.verification is not None
    assert result.verification.status == "failed"
    assert result.verification.reason.startswith(
        "the SQL of invoices.0001_initial on sqlite changes (sqlmigrate): CREATE TABLE"
    )
    assert not list(root.rglob("*.sqlite3"))


def test_callable_defaults_and_uncollectable_sql_are_judged_per_proposal(tmp_path: Path) -> None:
    """Was: stamps.0003 (sound) failed twice over: "the SQL of stamps.0002_stamp_created_at on sqlite changes"
    (its ``timezone.now`` default and ``auto_now_add`` field are a new timestamp on every migrate), and, with
    the docs.0002 proposal in the same set, "the SQL of stamps.0003_stamp_collection on sqlite changes
    (sqlmigrate): OperationalError: no such table: catalog_collection", an error collecting the SQL of docs.0002
    (whose default reads a table) blamed on every proposal."""
    from tests.conftest import FIXTURES, copy_project

    root = copy_project(FIXTURES / "callable_defaults", tmp_path / "callable_defaults")
    project = load_static(root)
    stamps = next(p for p in propose(project) if p.migration == K("stamps", "0003_stamp_collection"))
    assert stamps.pending
    (alone,) = verify(project, [stamps], settings="settings", root=root)
    assert alone.verification is not None
    assert alone.verification.status == "verified", alone.verification.reason
    # docs.0002 as the earlier code proposed it: catalog.0002_root_collection narrowed to catalog.0001
    docs = next(p for p in propose(project) if p.migration == K("docs", "0002_document_collection"))
    narrowed: Proposal = dataclasses.replace(
        docs,
        proposed=(Dependency(K("catalog", "0001_initial")), Dependency(K("docs", "0001_initial"))),
        changes=(dataclasses.replace(docs.changes[0], action="remove"),),
    )
    results = {str(p.migration): p.verification for p in verify(project, [narrowed, stamps], settings="settings")}
    assert results["stamps.0003_stamp_collection"] == Verification(
        "verified",
        "applies on its new ancestors; final state unchanged; fresh migrate SQL and schema unchanged on sqlite",
    )
    failed = results["docs.0002_document_collection"]
    assert failed is not None
    assert failed.status == "failed"
    assert failed.reason == (
        "the SQL of docs.0002_document_collection on sqlite cannot be collected (sqlmigrate), so it cannot be "
        "compared: OperationalError: no such table: catalog_collection"
    )
