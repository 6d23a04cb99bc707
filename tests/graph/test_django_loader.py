"""The Django loader, always in a subprocess here (``isolate=True``): Django is set up once per process.

Fixture projects are copied to a temp dir first: Django writes ``__pycache__`` and databases next to them.
"""

from __future__ import annotations

import py_compile

import pytest

from squashkit.errors import DjangoLoadError
from squashkit.graph.compare import compare_projects
from squashkit.graph.django_loader import django_graph, load_django
from squashkit.graph.model import Dependency, DependencyForm, MigrationKey, OperationSummary
from squashkit.graph.static import load_static
from tests.graph.helpers import copy_fixture, make_app, write_migration, write_settings

pytestmark = pytest.mark.django

K = MigrationKey


@pytest.fixture(scope="module")
def odd_files(tmp_path_factory):
    root = copy_fixture("odd_files", tmp_path_factory.mktemp("django"))
    return root, load_django(root, "settings", isolate=True)


def test_odd_files_apps(odd_files):
    root, project = odd_files
    assert project.source == "django"
    assert project.complete is True
    assert project.project_apps == ["catalog", "people", "shop"]
    assert sorted(label for label, app in project.apps.items() if app.external) == ["auth", "contenttypes"]
    assert project.apps["people"].path == root.resolve() / "accounts_app"
    assert project.apps["people"].migrations_path == root.resolve() / "accounts_app" / "migrations"
    assert project.unmigrated_apps == frozenset()
    assert project.settings == {"AUTH_USER_MODEL": "people.Member"}
    assert project.problems == ()


def test_odd_files_records(odd_files):
    root, project = odd_files
    shop = project.migrations[K("shop", "0001_initial")]
    assert shop.path == root.resolve() / "shop" / "migrations" / "0001_initial.py"
    # Django evaluates swappable_dependency; the form survives, the setting name does not.  Lines come from
    # the source file (Django's objects have none), so findings point at file:line as for a static load.
    assert shop.dependencies == (Dependency(K("people", "__first__"), DependencyForm.SWAPPABLE, None, 12),)
    catalog = project.migrations[K("catalog", "0001_initial")]
    assert catalog.dependencies == (Dependency(K("shop", "__first__"), DependencyForm.FIRST, line=9),)
    assert catalog.run_before == (Dependency(K("shop", "0004_order_reference"), line=11),)
    assert catalog.initial is True
    log = project.migrations[K("shop", "0005_log_totals")]
    assert log.atomic is False
    assert log.initial is None  # Migration.initial defaults to None
    assert [op.line for op in log.operations] == [
        op.line for op in load_static(root).migrations[K("shop", "0005_log_totals")].operations
    ]
    assert all(op.line > 0 for op in log.operations)
    assert [op.comparable() for op in log.operations] == [
        OperationSummary("LogMessage", "custom", opaque=True).comparable(),
        OperationSummary("RunPython", "python", elidable=True, opaque=True).comparable(),
        OperationSummary(
            "RunPython", "python", references=(("shop", "order"), ("people", "member")), reversible=False
        ).comparable(),
    ]
    # Django's own migrations are loaded too (external apps), so __first__/__latest__ resolve as in Django.
    assert K("contenttypes", "0001_initial") in project.migrations


def test_odd_files_non_migration_files_are_not_loaded(odd_files):
    _root, project = odd_files
    names = {k.name for k in project.migrations if k.app_label == "shop"}
    assert names == {
        "0001_initial",
        "0001_squashed_0003_order_total",
        "0002_order_note",
        "0003_order_total",
        "0004_order_reference",
        "0005_log_totals",
    }


def test_django_raises_on_a_syntax_error_where_static_goes_on(tmp_path):
    root = copy_fixture("syntax_error", tmp_path)
    write_settings(root, ["inventory"])
    with pytest.raises(DjangoLoadError) as caught:
        load_django(root, "settings", isolate=True)
    assert caught.value.reason == (
        "SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' on line 10"
        " (at inventory/migrations/0002_item_quantity.py:11)"
    )
    assert str(caught.value).startswith("Django could not load migrations with settings 'settings': SyntaxError")


def test_unknown_settings_module(tmp_path):
    root = copy_fixture("conflicts", tmp_path)
    with pytest.raises(DjangoLoadError) as caught:
        load_django(root, "nosuch", isolate=True)
    assert str(caught.value) == "Django could not load migrations with settings 'nosuch': " + (
        "ModuleNotFoundError: No module named 'nosuch'"
    )
    assert caught.value.data == {"settings": "nosuch", "reason": "ModuleNotFoundError: No module named 'nosuch'"}


def test_django_graph_reports_cycles_as_django_does(tmp_path):
    """Loading the files works (``load_disk`` does not check); building the graph raises."""
    root = copy_fixture("cycle", tmp_path)
    assert sorted(load_django(root, "settings", isolate=True).migrations) == [
        K("alpha", "0001_initial"),
        K("alpha", "0002_author_favourite"),
        K("beta", "0001_initial"),
    ]
    graph = django_graph(root, "settings", isolate=True)
    # Django lists the cycle starting wherever its set iteration starts (string hashing is randomised).
    kind, _, cycle = graph.error.partition(": ")
    assert kind == "CircularDependencyError"
    assert sorted(cycle.split(", ")) == ["alpha.0002_author_favourite", "beta.0001_initial"]
    assert graph.nodes == set()


def test_django_graph_reports_dangling_dependencies(tmp_path):
    root = copy_fixture("dangling", tmp_path)
    graph = django_graph(root, "settings", isolate=True)
    assert graph.error == (
        "NodeNotFoundError: Migration orders.0002_order_invoice dependencies reference nonexistent parent node"
        " ('billing', '0002_invoice_total')"
    )


def test_django_graph_without_database_applies_nothing(tmp_path):
    root = copy_fixture("conflicts", tmp_path)
    graph = django_graph(root, "settings", isolate=True)
    assert graph.error is None
    assert graph.applied == set()
    assert graph.nodes == {K("blog", "0001_initial"), K("blog", "0002_post_body"), K("blog", "0002_post_title")}
    assert graph.edges == {
        (K("blog", "0001_initial"), K("blog", "0002_post_body")),
        (K("blog", "0001_initial"), K("blog", "0002_post_title")),
    }


def test_sourceless_pyc_is_a_migration_for_django(tmp_path):
    """What the static loader reports as ``sourceless``: Django imports the compiled file as a migration."""
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    second = write_migration(app, "0002_second", dependencies=[("shop", "0001_initial")])
    py_compile.compile(str(second), cfile=str(second.with_suffix(".pyc")))
    second.unlink()
    write_settings(tmp_path, ["shop"])
    project = load_django(tmp_path, "settings", isolate=True)
    assert sorted(project.migrations) == [K("shop", "0001_initial"), K("shop", "0002_second")]
    # A stale .pyc (another Python's bytecode, or garbage) stops Django altogether.
    second.with_suffix(".pyc").write_bytes(b"not bytecode")
    with pytest.raises(DjangoLoadError) as caught:
        load_django(tmp_path, "settings", isolate=True)
    assert (
        caught.value.reason
        == "ImportError: Couldn't import 'shop.migrations.0002_second' as it appears to be a stale .pyc file."
    )


def test_packages_installed_inside_the_project_are_external(tmp_path):
    """A virtualenv inside the project root (``.venv/lib/.../site-packages``) holds third-party apps, not the
    project's: the static loader skips it, the Django loader must call its apps external."""
    site = tmp_path / ".venv" / "lib" / "python3" / "site-packages"
    write_migration(make_app(site, "thirdparty"), "0001_initial")
    write_migration(make_app(tmp_path, "shop"), "0001_initial", dependencies=[("thirdparty", "__first__")])
    write_settings(tmp_path, ["thirdparty", "shop"], extra=f"import sys\nsys.path.insert(0, {str(site)!r})\n")
    project = load_django(tmp_path, "settings", isolate=True)
    assert project.apps["thirdparty"].external is True
    assert project.project_apps == ["shop"]
    static = load_static(tmp_path)
    assert static.project_apps == ["shop"]
    assert compare_projects(static, project) == []


IN_PROCESS = """
import json, sys
from squashkit.errors import DjangoLoadError
from squashkit.graph.django_loader import django_graph, load_django
from squashkit import codec

def project_to_dict(project):
    return json.loads(codec.dumps_json(codec.encode_project(project)))

root = sys.argv[1]
first = load_django(root, "settings")  # Django not set up yet: loads in this process
again = load_django(root, "settings")  # same settings: in this process again
other = load_django(root, "settings_copy")  # other settings: a subprocess, chosen automatically
try:
    load_django(root, "settings_copy", isolate=False)
    refused = None
except DjangoLoadError as exc:
    refused = str(exc)
graph = django_graph(root, "settings")
print(json.dumps({
    "first": project_to_dict(first),
    "same": project_to_dict(again) == project_to_dict(first) == project_to_dict(other),
    "refused": refused,
    "nodes": len(graph.nodes),
}))
"""


def test_in_process_load_equals_isolated_load(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from squashkit import codec

    def project_to_dict(project):
        return json.loads(codec.dumps_json(codec.encode_project(project)))

    root = copy_fixture("odd_files", tmp_path)
    (root / "settings_copy.py").write_text((root / "settings.py").read_text())
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(root)], capture_output=True, text=True, env=env, check=True
    )
    out = json.loads(proc.stdout)
    assert out["first"] == project_to_dict(load_django(root, "settings", isolate=True))
    assert out["same"] is True
    assert out["refused"] == (
        "Django could not load migrations with settings 'settings_copy':"
        " Django is already set up with settings 'settings' in this process"
    )
    assert out["nodes"] == len(django_graph(root, "settings", isolate=True).nodes)


def test_a_package_folder_is_loaded_without_shadowing_top_level_apps(tmp_path, monkeypatch):
    """``squashkit analyze site-packages/wagtail --settings mysite.settings``: with ``wagtail/`` itself on
    sys.path, the project's own ``search`` app resolved to ``wagtail/search`` and Django stopped with
    "Application labels aren't unique, duplicates: wagtailsearch"."""
    lib, proj = tmp_path / "lib", tmp_path / "proj"
    vendor = lib / "vendor"
    vendor.mkdir(parents=True)
    (vendor / "__init__.py").write_text("")
    search = make_app(vendor, "search")
    (search / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass SearchConfig(AppConfig):\n"
        "    name = 'vendor.search'\n    label = 'vendorsearch'\n"
    )
    write_migration(search, "0001_initial")
    write_migration(make_app(proj, "search"), "0001_initial")
    write_settings(proj, ["vendor.search", "search"])
    monkeypatch.setenv("PYTHONPATH", f"{lib}:{proj}")
    project = load_django(vendor, "settings", isolate=True)
    assert sorted(project.migrations) == [K("search", "0001_initial"), K("vendorsearch", "0001_initial")]
    assert compare_projects(load_static(vendor), project) == []


def test_import_error_in_a_migration_names_the_file_and_line(tmp_path):
    from squashkit.errors import DjangoLoadError

    root = copy_fixture("conflicts", tmp_path)
    (root / "blog" / "migrations" / "0003_broken.py").write_text(
        "from django.db import migrations\nimport nonexistent_module\n\n\nclass Migration(migrations.Migration):\n"
        "    pass\n"
    )
    with pytest.raises(DjangoLoadError) as info:
        load_django(root, "settings", isolate=True)
    assert info.value.reason == (
        "ModuleNotFoundError: No module named 'nonexistent_module' (at blog/migrations/0003_broken.py:2)"
    )
