"""The patterns of issue #11, each a fixture project in tests/fixtures whose old proposal was wrong.

``unsound_deps``: data migrations reading other apps (raw SQL, project imports, relation lookups and
accessors, a model deleted while another app's data migration reads it), relations to a model whose primary
key or table changed later, a post_migrate handler's get_model, computed operations, a proposal that re-added
dependencies already listed.  ``swappable_self``: the custom user model's own app lists its swappable
dependency.  ``arrayfield_pg``: ArrayField models (PostgreSQL).  ``callable_defaults``: a field default that
reads the database (project code) and one that does not (``timezone.now``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from squashkit.deps.propose import Proposal, propose
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.conftest import FIXTURES, copy_project

UNSOUND = FIXTURES / "unsound_deps"
SWAPPABLE = FIXTURES / "swappable_self"


@pytest.fixture(scope="module")
def unsound() -> dict[str, Proposal]:
    return {str(p.migration): p for p in propose(load_static(UNSOUND))}


def cross_app(proposal: Proposal) -> list[tuple[str, str, str]]:
    return [
        (c.action, str(c.dependency), c.reason_code)
        for c in proposal.changes
        if c.dependency.app_label != proposal.migration.app_label
    ]


# -- 1. data migrations reading other apps without naming them --------------------------------------------


@pytest.mark.parametrize(
    ("migration", "dependency", "reason"),
    [
        ("rawsql.0002_fill_codes", "catalog.0002_item_code", "RunPython (line 18): runs raw SQL (line 7)"),
        (
            "imports.0002_normalize",
            "catalog.0002_item_code",
            "RunPython (line 20): imports project code catalog.services (line 5)",
        ),
        (
            "lookups.0002_tagged",
            "catalog.0003_tag",
            "RunPython (line 17): follows relations: tags__name (line 6)",
        ),
        (
            "accessors.0001_initial",
            "catalog.0003_tag",
            "RunPython (line 21): follows a relation: item.tags.exists (line 7)",
        ),
    ],
)
def test_opaque_data_migrations_keep_their_dependencies(
    unsound: dict[str, Proposal], migration: str, dependency: str, reason: str
) -> None:
    """Was: the dependency dropped ("nothing of 'catalog' is referenced", or narrowed to catalog.0002)."""
    proposal = unsound[migration]
    assert not proposal.pending
    assert cross_app(proposal) == [("keep", dependency, "opaque")]
    assert proposal.changes[-1].reason == reason


def test_deleting_a_model_waits_for_the_data_migration_reading_it(unsound: dict[str, Proposal]) -> None:
    """Was: reader.0003 removed ("nothing of 'reader' is referenced"): the DeleteModel could run before
    reader.0002 copies the rows."""
    proposal = unsound["legacy.0002_delete_oldthing"]
    assert [str(d.key) for d in proposal.proposed] == ["legacy.0001_initial", "reader.0002_copy_things"]
    assert proposal.changes[-1].reason == (
        "reads legacy.oldthing in RunPython (RunPython); it must come before: "
        "DeleteModel oldthing (line 12) deletes legacy.oldthing"
    )


# -- 2. relations need the target's primary key and table history -----------------------------------------


def test_relation_follows_a_later_primary_key_change(unsound: dict[str, Proposal]) -> None:
    """Was: narrowed to orders.0001 ("creates orders.order"): the FK column became integer, not bigint."""
    proposal = unsound["payments.0001_initial"]
    assert not proposal.pending
    assert cross_app(proposal) == [("keep", "orders.0003_alter_order_id", "needed")]
    assert proposal.changes[0].reason.startswith("changes the primary key of orders.order (AlterField id);")


def test_relation_follows_a_later_table_rename(unsound: dict[str, Proposal]) -> None:
    assert not unsound["shipping.0001_initial"].pending
    assert cross_app(unsound["shipping.0001_initial"]) == [("keep", "orders.0004_alter_order_table", "needed")]
    # an unrelated later field is still narrowed away, to the table rename
    invoices = unsound["invoices.0001_initial"]
    assert cross_app(invoices) == [
        ("remove", "orders.0005_order_total", "over-specified"),
        ("add", "orders.0004_alter_order_table", "provider"),
    ]


# -- 6. ----------------------------------------------------------------------------------------------------


def test_get_model_in_a_post_migrate_handler_is_not_a_read(unsound: dict[str, Proposal]) -> None:
    """Was: kept as a RunPython read of catalog.item, narrowed to catalog.0002."""
    assert cross_app(unsound["signals.0001_initial"]) == [("remove", "catalog.0003_tag", "over-specified")]
    assert unsound["signals.0001_initial"].changes[0].reason == "nothing of 'catalog' is referenced"


def test_computed_operations_are_kept_with_their_reason(unsound: dict[str, Proposal]) -> None:
    proposal = unsound["computed.0001_initial"]
    assert not proposal.pending
    assert proposal.changes[0].reason == "operations are computed (line 29): not analysed"


def test_a_kept_migration_re_adds_nothing(unsound: dict[str, Proposal]) -> None:
    """Was: catalog.0002 appended again (already listed) on every --fix."""
    proposal = unsound["mixed.0002_fill"]
    assert not proposal.pending
    assert proposal.proposed == proposal.current
    assert cross_app(proposal) == [("keep", "catalog.0002_item_code", "unprovided")]


def test_fix_is_idempotent_and_keeps_the_schema(tmp_path: Path, run_cli) -> None:
    from tests.deps.schema import migrate_and_introspect

    fixed = copy_project(UNSOUND, tmp_path / "fixed")
    first = run_cli("deps", fixed, "--fix", "--assume-unapplied")
    assert first.exit_code == 0, first.stdout + first.stderr
    assert first.stdout.endswith("Wrote 3 file(s).\n")
    again = run_cli("deps", fixed, "--fix", "--assume-unapplied")
    assert again.exit_code == 0
    assert again.stdout.startswith("fixed: no dependency to change.\n")
    assert again.stdout.endswith("Wrote 0 file(s).\n")
    original = copy_project(UNSOUND, tmp_path / "original")
    before = migrate_and_introspect(original, "settings", {"UNSOUND_DB_NAME": str(tmp_path / "a.sqlite3")})
    after = migrate_and_introspect(fixed, "settings", {"UNSOUND_DB_NAME": str(tmp_path / "b.sqlite3")})
    assert before and after == before


def test_settings_without_the_apps_fail_verification(tmp_path: Path, run_cli) -> None:
    """Was: every proposal [verified] although Django saw none of the migrations, and --fix wrote them."""
    root = copy_project(UNSOUND, tmp_path / "p")
    files = {p: p.read_bytes() for p in root.rglob("migrations/0*.py")}
    result = run_cli(
        "deps", root, "--settings", "settings_catalog_only", "--fix", "--assume-unapplied", "--format", "json"
    )
    assert result.exit_code == 1
    statuses = {p["migration"]: p["status"] for p in json.loads(result.stdout)["proposals"]}
    assert statuses["invoices.0001_initial"] == (
        "failed: Django's migration graph has no invoices.0001_initial: settings 'settings_catalog_only' do not "
        "install the app 'invoices' (or its migrations module is elsewhere); nothing was verified"
    )
    assert all(status.startswith("failed: Django's migration graph has no") for status in statuses.values())
    assert {p: p.read_bytes() for p in files} == files


# -- callable field defaults (found by benchmarks/real_projects.py on wagtail) ----------------------------

CALLABLE_DEFAULTS = FIXTURES / "callable_defaults"


def test_a_callable_default_of_project_code_keeps_its_dependencies() -> None:
    """Was: docs.0002 narrowed from catalog.0002_root_collection to catalog.0001 ("needs only catalog.0001_initial,
    which creates catalog.collection"), though its default ``catalog.models.get_root_collection_id`` reads the row
    catalog.0002 creates when migrate adds the column (wagtaildocs.0005_document_collection)."""
    proposals = {str(p.migration): p for p in propose(load_static(CALLABLE_DEFAULTS))}
    proposal = proposals["docs.0002_document_collection"]
    assert not proposal.pending
    assert cross_app(proposal) == [("keep", "catalog.0002_root_collection", "opaque")]
    assert proposal.changes[0].reason == (
        "AddField document.collection (line 14): its default catalog.models.get_root_collection_id is called "
        "during migrate: code outside the migration"
    )
    # a default from Django or the standard library (django.utils.timezone.now) reads nothing
    assert [str(p.migration) for p in proposals.values() if p.pending] == ["stamps.0003_stamp_collection"]


# -- 3. a same-app swappable dependency ------------------------------------------------------------------


def test_same_app_swappable_dependency_does_not_disable_the_analysis() -> None:
    """Was: "no dependency to change" for the whole project (a self-loop in the rewired graph)."""
    proposals = {str(p.migration): p for p in propose(load_static(SWAPPABLE))}
    squash = proposals["users.0001_squashed_0002_user_email"]
    assert [(c.action, c.reason_code) for c in squash.changes] == [("keep", "same-app")]
    blog = proposals["blog.0001_initial"]
    assert [(c.action, str(c.dependency), c.reason_code) for c in blog.changes] == [
        ("keep", "users.__first__", "swappable"),
        ("remove", "users.0003_user_bio", "over-specified"),
    ]
    assert blog.changes[0].reason == (
        "swappable_dependency(settings.AUTH_USER_MODEL) for users.user, the model that setting names"
    )


def test_swappable_wording_only_for_the_swapped_model() -> None:
    """Was: kept as "the right form for a swappable model" for users.Profile, which is not swappable."""
    proposal = next(
        p for p in propose(load_static(SWAPPABLE)) if p.migration == MigrationKey("blog", "0002_post_profile")
    )
    assert all("swappable" not in c.reason for c in proposal.changes)
    assert [str(d.key) for d in proposal.proposed] == ["blog.0001_initial", "users.0004_profile"]


# -- 4. ArrayField on PostgreSQL -------------------------------------------------------------------------


@pytest.mark.postgres
def test_array_field_project_verifies_on_postgresql(
    tmp_path: Path, pg_cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was: "the final project state differs for labels.label, posts.post" (base_field compared by its
    creation_counter), so every proposal of a project with an ArrayField was rejected."""
    from squashkit.deps.verify import verify

    root = copy_project(FIXTURES / "arrayfield_pg", tmp_path / "arrayfield_pg")
    env = {k.replace("SAMPLE_", "ARRAY_"): v for k, v in pg_cluster.django_env("arrayfield").items()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    project = load_static(root)
    proposals = [p for p in verify(project, propose(project), settings="settings", root=root) if p.pending]
    assert [str(p.migration) for p in proposals] == ["posts.0001_initial"]
    verification = proposals[0].verification
    assert verification is not None
    assert verification.status == "verified", verification.reason
    assert verification.reason.endswith("fresh migrate SQL and schema unchanged on postgresql")
