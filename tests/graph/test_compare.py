"""static == Django: for every fixture Django can load, both loaders give the same records and graphs.

With a database, the applied state comes from a real SQLite database migrated (or faked) to that point by
``manage.py`` in a subprocess, and squashkit's graph is also compared with the graph Django itself builds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from squashkit.config import Config
from squashkit.graph.compare import compare_graph_edges, compare_projects, record_signature
from squashkit.graph.django_loader import django_graph, load_django
from squashkit.graph.graph import ReplacementOutcome
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.graph.helpers import (
    FIXTURES,
    assert_same_graph,
    copy_fixture,
    keys,
    make_app,
    manage,
    project,
    write_migration,
    write_settings,
)

K = MigrationKey
SQUASH = K("shop", "0001_squashed_0003_order_total")
REPLACED = (K("shop", "0001_initial"), K("shop", "0002_order_note"), K("shop", "0003_order_total"))


@pytest.mark.django
@pytest.mark.parametrize("name", ["odd_files", "conflicts", "cycle", "dangling"])
def test_static_equals_django_without_database(tmp_path, name):
    root = copy_fixture(name, tmp_path)
    static = load_static(root)
    django = load_django(root, "settings", isolate=True)
    assert static.problems == ()
    assert compare_projects(static, django) == []


def _migrated(root: Path, state: str) -> None:
    if state == "none":
        return
    if state == "all":
        manage(root, "migrate")  # for real: Django runs the custom operation and RunPython of odd_files
        return
    # "partial": the database was migrated to shop.0002 before the squash was written.
    squash = root / "shop" / "migrations" / f"{SQUASH.name}.py"
    hidden = squash.rename(root / "squash.py.hidden")
    manage(root, "migrate", "shop", "0002_order_note", "--fake")
    hidden.rename(squash)


@pytest.mark.django
@pytest.mark.parametrize(
    ("state", "applied_shop", "shop_nodes", "outcome"),
    [
        (
            "none",
            [],
            ["shop.0001_squashed_0003_order_total", "shop.0004_order_reference", "shop.0005_log_totals"],
            ReplacementOutcome(SQUASH, REPLACED, used=True, applied=0),
        ),
        (
            "all",
            [
                "shop.0001_initial",
                "shop.0001_squashed_0003_order_total",
                "shop.0002_order_note",
                "shop.0003_order_total",
                "shop.0004_order_reference",
                "shop.0005_log_totals",
            ],
            ["shop.0001_squashed_0003_order_total", "shop.0004_order_reference", "shop.0005_log_totals"],
            ReplacementOutcome(SQUASH, REPLACED, used=True, applied=3),
        ),
        (
            "partial",
            ["shop.0001_initial", "shop.0002_order_note"],
            [
                "shop.0001_initial",
                "shop.0002_order_note",
                "shop.0003_order_total",
                "shop.0004_order_reference",
                "shop.0005_log_totals",
            ],
            ReplacementOutcome(SQUASH, REPLACED, used=False, applied=2),
        ),
    ],
)
def test_odd_files_with_applied_state_from_a_real_database(tmp_path, state, applied_shop, shop_nodes, outcome):
    root = copy_fixture("odd_files", tmp_path)
    _migrated(root, state)
    theirs = django_graph(root, "settings", "default", isolate=True)
    assert sorted(str(k) for k in theirs.applied if k.app_label == "shop") == applied_shop
    static = load_static(root)
    django = load_django(root, "settings", isolate=True)
    assert compare_projects(static, django, theirs.applied) == []
    assert_same_graph(django.graph(theirs.applied), theirs)
    graph = static.graph(theirs.applied)
    assert keys(graph.migration_nodes("shop")) == shop_nodes
    assert graph.replacements == (outcome,)
    assert graph.dangling == ()


@pytest.mark.django
def test_conflicts_graph_is_djangos(tmp_path):
    root = copy_fixture("conflicts", tmp_path)
    theirs = django_graph(root, "settings", isolate=True)
    assert_same_graph(load_django(root, "settings", isolate=True).graph(), theirs)
    graph = load_static(root).graph()
    assert {str(n) for n in theirs.nodes} == {str(n) for n in graph.migration_nodes()}


@pytest.mark.django
def test_computed_dependencies_are_the_only_differences(tmp_path):
    root = copy_fixture("computed_deps", tmp_path)
    static = load_static(root)
    django = load_django(root, "settings", isolate=True)
    first, second, ledger = (
        K("reports", "0001_initial"),
        K("reports", "0002_report_account"),
        K("ledger", "0001_initial"),
    )
    assert compare_projects(static, django) == [
        "reports.0002_report_account: dependencies differ:"
        f" static {[(first, 'explicit')]!r} vs Django {[(ledger, 'explicit'), (first, 'explicit')]!r}"
        " (expected: the static load reports it as computed)",
        "reports.0003_report_title_index: dependencies differ:"
        f" static {[(second, 'explicit')]!r} vs Django {[(first, 'explicit'), (second, 'explicit')]!r}"
        " (expected: the static load reports it as computed)",
        "edge ledger.0001_initial -> reports.0002_report_account only in Django's graph",
        "edge reports.0001_initial -> reports.0003_report_title_index only in Django's graph",
    ]


@pytest.mark.django
def test_wrong_auth_user_model_shows_as_differences(tmp_path):
    """Without ``[tool.squashkit] AUTH_USER_MODEL`` squashkit assumes ``auth.User`` and says where it differs."""
    root = copy_fixture("odd_files", tmp_path)
    static = load_static(root, config=Config())
    django = load_django(root, "settings", isolate=True)
    differences = compare_projects(static, django)
    people, auth = K("people", "__first__"), K("auth", "__first__")
    for name in ("0001_initial", "0001_squashed_0003_order_total"):
        assert (
            f"shop.{name}: dependencies differ: static {[(auth, 'swappable')]!r} vs Django {[(people, 'swappable')]!r}"
            in differences
        )
    assert "edge people.0001_initial -> shop.0001_squashed_0003_order_total only in Django's graph" in differences
    assert "edge auth.0001_initial -> shop.0001_squashed_0003_order_total only in the static graph" in differences


def test_record_signature_ignores_lines_and_setting_names():
    from dataclasses import replace

    from squashkit.graph.model import Dependency

    info = project({"a.0002": ["a.0001"]}).migrations[K("a", "0002")]
    moved = replace(info, dependencies=(Dependency.of("a", "0001", line=40),))
    assert record_signature(info) == record_signature(moved)
    assert record_signature(info) != record_signature(replace(info, atomic=False))


def test_compare_reports_missing_migrations_and_apps():
    a = project({"a.0001": [], "a.0002": ["a.0001"]})
    b = project({"a.0001": [], "b.0001": []})
    assert compare_projects(a, b) == [
        "app b only in the Django load (1 migration, not compared)",
        "migration a.0002 only in the static load",
        "node a.0002 only in the static graph",
        "edge a.0001 -> a.0002 only in the static graph",
    ]


def test_an_app_only_one_side_sees_is_named_once():
    """A test app inside a package (``wagtail/test/...``) is found statically but is not installed: one line,
    not one per migration, node and edge."""
    static = project({"a.0001": [], "tests.0001": ["a.0001"], "tests.0002": ["tests.0001"]})
    django = project({"a.0001": []})
    assert compare_projects(static, django) == ["app tests only in the static load (2 migrations, not compared)"]


def test_edges_declared_by_third_party_migrations_are_not_compared():
    """pretix: django-otp's and oauth2_provider's migrations (site-packages, outside the analysed tree) depend on
    ``("pretixbase", "__first__")``; Django re-points them to pretixbase's squash.  The static load cannot read
    those files, so those edges are not differences; pretix's own ``run_before`` into oauth2_provider is."""
    squash = {"shop.0001_squashed_0002": ["auth.0001"]}
    replaces = {"shop.0001_squashed_0002": ["shop.0001", "shop.0002"]}
    own = {"shop.0001": ["auth.0001"], "shop.0002": ["shop.0001"], **squash}
    static = project(own, replaces=replaces, run_before={"shop.0002": ["otp.0002"]}, external=["auth", "otp"])
    django = project(
        {**own, "auth.0001": [], "otp.0001": ["shop.0001"], "otp.0002": ["otp.0001"]},
        replaces=replaces,
        run_before={"shop.0002": ["otp.0002"]},
        external=["otp"],
    )
    graph = django.graph()
    assert graph.has_edge(K("shop", "0001_squashed_0002"), K("otp", "0001"))  # re-pointed to the squash
    assert graph.edge_data(K("shop", "0001_squashed_0002"), K("otp", "0001"))["declared_by"] == K("otp", "0001")
    assert compare_graph_edges(static.graph(), graph, ["shop"]) == []
    # The run_before is the project's own: dropping it on one side is a difference.
    without = project(own, replaces=replaces, external=["auth", "otp"])
    assert compare_graph_edges(without.graph(), graph, ["shop"]) == [
        "edge shop.0001_squashed_0002 -> otp.0002 only in Django's graph"
    ]


def test_compare_graph_edges_maps_static_external_markers_to_djangos_choice():
    static = project({"a.0001": ["auth.__first__"]}).graph()
    django = project({"a.0001": ["auth.0001_initial"], "auth.0001_initial": [], "auth.0002": ["auth.0001_initial"]})
    assert compare_graph_edges(static, django.graph(), ["a"]) == []
    latest = project({"a.0001": ["auth.__latest__"]}).graph()
    assert compare_graph_edges(latest, django.graph(), ["a"]) == [
        "edge auth.0002 -> a.0001 only in the static graph",
        "edge auth.0001_initial -> a.0001 only in Django's graph",
    ]


@pytest.mark.django
def test_first_on_an_app_without_migrations_is_dropped_by_both(tmp_path):
    """makemigrations writes ``("plain", "__first__")`` for a relation to an app that has no migrations."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "__init__.py").write_text("")
    write_migration(make_app(tmp_path, "shop"), "0001_initial", dependencies=[("plain", "__first__")])
    write_settings(tmp_path, ["plain", "shop"])
    static = load_static(tmp_path)
    django = load_django(tmp_path, "settings", isolate=True)
    assert django.unmigrated_apps == frozenset({"plain"})
    assert compare_projects(static, django) == []
    assert static.graph().dangling == ()


@pytest.mark.django
def test_migration_modules_setting_is_a_known_difference(tmp_path):
    """``MIGRATION_MODULES`` moves an app's migrations out of ``migrations/``: only Django sees them there.

    The static loader reads no settings but ``AUTH_USER_MODEL``; the comparison says exactly what it misses.
    """
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    write_migration(app, "0002_more", dependencies=[("shop", "0001_initial")])
    shutil.copytree(app / "migrations", app / "schema")
    (app / "migrations" / "0002_more.py").unlink()  # the old package, left behind with only 0001
    write_settings(tmp_path, ["shop"], extra="MIGRATION_MODULES = {'shop': 'shop.schema'}\n")
    static = load_static(tmp_path)
    django = load_django(tmp_path, "settings", isolate=True)
    assert compare_projects(static, django) == [
        "migration shop.0002_more only in the Django load",
        "node shop.0002_more only in Django's graph",
        "edge shop.0001_initial -> shop.0002_more only in Django's graph",
    ]


@pytest.mark.django
def test_operations_lists_named_in_the_class_or_module_agree(tmp_path):
    """django-oscar's ``communication.0001_initial`` passes ``state_operations=state_operations``, a list
    assigned earlier in the class body; the static load follows such names (class first, then module)."""
    app = make_app(tmp_path, "shop")
    write_migration(
        app,
        "0001_initial",
        operations=["migrations.CreateModel('Owner', [('id', models.AutoField(primary_key=True))])"],
    )
    path = app / "migrations" / "0002_moved.py"
    path.write_text(
        "from django.db import migrations, models\n"
        "\n"
        "FIELD = models.ForeignKey('shop.Owner', models.CASCADE)\n"
        "MODULE_OPERATIONS = [migrations.AddField('order', 'owner', FIELD)]\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        "    state_operations = [\n"
        "        migrations.CreateModel('Order', [('id', models.AutoField(primary_key=True))]),\n"
        "    ]\n"
        "    operations = [\n"
        "        migrations.SeparateDatabaseAndState(state_operations=state_operations),\n"
        "        migrations.SeparateDatabaseAndState(state_operations=MODULE_OPERATIONS),\n"
        "    ]\n"
    )
    write_settings(tmp_path, ["shop"])
    static = load_static(tmp_path)
    operations = static.migrations[K("shop", "0002_moved")].operations
    assert [op.kind for op in operations] == ["SeparateDatabaseAndState", "SeparateDatabaseAndState"]
    assert static.problems == ()
    assert compare_projects(static, load_django(tmp_path, "settings", isolate=True)) == []


@pytest.mark.parametrize(
    ("migration", "missing", "reason"),
    [
        ("shop.0002_product_price", "ghost.0001_initial", "dependency on a migration that does not exist"),
        ("shop.0003_product_stock", "ghost.__first__", "dependency on unknown app: ghost"),
    ],
)
def test_dependency_on_an_app_that_exists_nowhere_is_a_difference(tmp_path, migration, missing, reason):
    """Statically 'ghost' looks like a third-party app; Django (NodeNotFoundError / "Dependency on unknown
    app") fails on both forms: the cross-check says so instead of "the views agree"."""
    root = copy_fixture("ghost_app", tmp_path)
    differences = compare_projects(load_static(root), load_django(root, "settings", isolate=True))
    assert (
        f"dependency {migration} -> {missing} fails only in Django: {reason} (the static load takes it for an app "
        "outside the project)"
    ) in differences


def test_symlinked_app_folder_is_loaded_by_both_views(tmp_path):
    """``shop`` is a link to ``.shared/shop`` (a hidden folder, never walked itself): Django imports it through
    the link, and so does the static load; the views agree on it."""
    root = tmp_path / "symlinked_app"
    shutil.copytree(FIXTURES / "symlinked_app", root, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    assert (root / "shop").is_symlink()
    static = load_static(root, cache=False)
    assert sorted(static.project_apps) == ["orders", "shop"]
    django = load_django(root, "settings", isolate=True)
    assert sorted(django.project_apps) == ["orders", "shop"]
    assert compare_projects(static, django) == []
