"""The static loader: app discovery, one record per file, and a FileProblem (with file:line) per unreadable file.

Every problem code has a test asserting its exact message; analysis of the other files always goes on.
"""

from __future__ import annotations

import py_compile
import sys
from pathlib import Path

import pytest

from squashkit.config import Config
from squashkit.errors import ProjectNotFoundError
from squashkit.graph.model import Dependency, DependencyForm, FileProblem, MigrationKey, OperationSummary
from squashkit.graph.static import discover_apps, load_static
from tests.graph.helpers import FIXTURES, line_of, make_app, write_migration

PYTHON = "{}.{}".format(*sys.version_info[:2])  # the interpreter squashkit parses with, named in syntax errors

K = MigrationKey


def problems(root: Path) -> list[tuple[str, str, str]]:
    """``(file:line relative to root, code, message)`` of every problem of a static load."""
    return [(p.location(root), p.code, p.message) for p in load_static(root).problems]


# -- fixtures -------------------------------------------------------------------------------------------


def test_syntax_error_is_reported_with_file_and_line_and_the_rest_is_loaded():
    root = FIXTURES / "syntax_error"
    project = load_static(root)
    assert problems(root) == [
        (
            "inventory/migrations/0002_item_quantity.py:11",
            "syntax",
            "syntax error: closing parenthesis ']' does not match opening parenthesis '(' on line 10"
            f" (parsed with Python {PYTHON})",
        )
    ]
    assert project.problems[0].app_label == "inventory"
    assert project.problems[0].migration == "0002_item_quantity"
    assert sorted(project.migrations) == [K("inventory", "0001_initial"), K("inventory", "0003_item_sku_index")]


def test_non_utf8_file_is_reported_with_the_line_of_the_first_bad_byte():
    root = FIXTURES / "non_utf8"
    assert problems(root) == [
        (
            "legacy/migrations/0002_customer_name.py:13",
            "encoding",
            "cannot decode as utf-8: byte b'\\xe4' (invalid continuation byte)",
        )
    ]
    assert sorted(load_static(root).migrations) == [K("legacy", "0001_initial")]


def test_computed_dependencies_are_reported_per_entry_and_literal_entries_kept():
    root = FIXTURES / "computed_deps"
    project = load_static(root)
    assert problems(root) == [
        (
            "reports/migrations/0002_report_account.py:13",
            "computed-dependencies",
            "dependencies entry \"(LEDGER_APP, '0001_initial')\" cannot be evaluated without importing the"
            " project; squashkit does not guess it (edges from it are missing from the static graph)",
        ),
        (
            "reports/migrations/0003_report_title_index.py:10",
            "computed-dependencies",
            "dependencies entry \"[('reports', name) for name in EARLIER]\" cannot be evaluated without importing"
            " the project; squashkit does not guess it (edges from it are missing from the static graph)",
        ),
    ]
    second = project.migrations[K("reports", "0002_report_account")]
    assert second.dependency_keys == (K("reports", "0001_initial"),)
    assert second.unresolved is True
    # `[...comprehension...] + [literal]`: the literal half is still read.
    third = project.migrations[K("reports", "0003_report_title_index")]
    assert third.dependency_keys == (K("reports", "0002_report_account"),)
    assert third.unresolved is True
    assert project.migrations[K("reports", "0001_initial")].unresolved is False


def test_odd_files_load_without_problems():
    project = load_static(FIXTURES / "odd_files")
    assert project.problems == ()
    assert sorted(project.apps) == ["catalog", "people", "shop"]
    assert sorted(project.migrations) == [
        K("catalog", "0001_initial"),
        K("catalog", "0002_product_owner"),
        K("people", "0001_initial"),
        K("people", "0002_member_nickname"),
        K("shop", "0001_initial"),
        K("shop", "0001_squashed_0003_order_total"),
        K("shop", "0002_order_note"),
        K("shop", "0003_order_total"),
        K("shop", "0004_order_reference"),
        K("shop", "0005_log_totals"),
    ]


def test_odd_files_app_label_comes_from_apps_py_not_the_folder():
    root = FIXTURES / "odd_files"
    app = load_static(root).apps["people"]
    assert app.path == root.resolve() / "accounts_app"
    assert app.migrations_path == root.resolve() / "accounts_app" / "migrations"
    assert app.external is False


def test_odd_files_swappable_dependency_uses_auth_user_model_from_pyproject():
    project = load_static(FIXTURES / "odd_files")
    assert project.settings == {"AUTH_USER_MODEL": "people.Member"}
    initial = project.migrations[K("shop", "0001_initial")]
    assert initial.dependencies == (
        Dependency(K("people", "__first__"), DependencyForm.SWAPPABLE, "AUTH_USER_MODEL", 12),
    )
    assert initial.operations[0].references == (("people", "member"),)


def test_odd_files_without_pyproject_falls_back_to_django_default_user_model():
    # settings.py builds AUTH_USER_MODEL with an f-string: squashkit does not guess it.
    project = load_static(FIXTURES / "odd_files", config=Config())
    assert project.settings == {"AUTH_USER_MODEL": "auth.User"}
    assert project.migrations[K("shop", "0001_initial")].dependency_keys == (K("auth", "__first__"),)


def test_odd_files_first_latest_and_run_before_are_recorded_as_written():
    project = load_static(FIXTURES / "odd_files")
    catalog = project.migrations[K("catalog", "0001_initial")]
    assert catalog.dependencies == (Dependency(K("shop", "__first__"), DependencyForm.FIRST, None, 9),)
    assert catalog.run_before == (Dependency(K("shop", "0004_order_reference"), DependencyForm.EXPLICIT, None, 11),)
    owner = project.migrations[K("catalog", "0002_product_owner")]
    assert owner.dependencies[1] == Dependency(K("people", "__latest__"), DependencyForm.LATEST, None, 10)


def test_odd_files_flags_header_and_squash():
    project = load_static(FIXTURES / "odd_files")
    squashed = project.migrations[K("shop", "0001_squashed_0003_order_total")]
    assert squashed.replaces == (K("shop", "0001_initial"), K("shop", "0002_order_note"), K("shop", "0003_order_total"))
    assert squashed.is_squashed
    assert squashed.initial is True
    assert (squashed.django_version, squashed.generated_on) == ("5.2", "2025-02-01 08:00")
    log = project.migrations[K("shop", "0005_log_totals")]
    assert log.atomic is False
    assert log.initial is None
    assert (log.django_version, log.generated_on) == (None, None)
    assert project.migrations[K("shop", "0002_order_note")].initial is None


def test_odd_files_custom_operation_and_imported_runpython_are_opaque():
    log = load_static(FIXTURES / "odd_files").migrations[K("shop", "0005_log_totals")]
    assert log.operations == (
        OperationSummary(kind="LogMessage", category="custom", opaque=True, line=25),
        # recompute_totals is imported from migrations/_helpers.py: its body is not read.
        OperationSummary(kind="RunPython", category="python", elidable=True, opaque=True, line=26),
        OperationSummary(
            kind="RunPython",
            category="python",
            references=(("shop", "order"), ("people", "member")),
            reversible=False,
            line=27,
        ),
    )


def test_odd_files_non_migration_files_are_ignored():
    migrations_dir = FIXTURES / "odd_files" / "shop" / "migrations"
    assert {p.name for p in migrations_dir.iterdir()} >= {"README.txt", "_helpers.py", "~0006_draft.py"}
    names = {k.name for k in load_static(FIXTURES / "odd_files").migrations if k.app_label == "shop"}
    assert not names & {"README", "_helpers", "~0006_draft", "__init__"}


# -- problem codes on throwaway projects --------------------------------------------------------------------


def test_no_migration_class(tmp_path):
    app = make_app(tmp_path, "shop")
    (app / "migrations" / "0001_initial.py").write_text("from django.db import migrations\n")
    assert problems(tmp_path) == [
        (
            "shop/migrations/0001_initial.py",
            "no-migration-class",
            "no Migration class (Django raises BadMigrationError)",
        )
    ]


def test_computed_replaces_and_run_before(tmp_path):
    app = make_app(tmp_path, "shop")
    path = write_migration(
        app,
        "0001_squashed_0002_b",
        replaces=["OLD[0]", ("shop", "0002_b")],
        run_before=["*LATER"],
    )
    assert problems(tmp_path) == [
        (
            f"shop/migrations/0001_squashed_0002_b.py:{line_of(path, 'run_before')}",
            "computed-run-before",
            "run_before entry '*LATER' cannot be evaluated without importing the project; squashkit does not"
            " guess it (edges from it are missing from the static graph)",
        ),
        (
            f"shop/migrations/0001_squashed_0002_b.py:{line_of(path, 'replaces')}",
            "computed-replaces",
            "replaces entry 'OLD[0]' cannot be evaluated without importing the project; squashkit does not guess"
            " it (edges from it are missing from the static graph)",
        ),
    ]
    info = load_static(tmp_path).migrations[K("shop", "0001_squashed_0002_b")]
    assert info.replaces == (K("shop", "0002_b"),)
    assert info.unresolved is True


def test_whole_dependencies_expression_is_reported_on_its_line(tmp_path):
    app = make_app(tmp_path, "shop")
    path = write_migration(app, "0001_initial", dependencies=[])
    path.write_text(path.read_text().replace("dependencies = []", "dependencies = list(DEPS)"))
    assert problems(tmp_path) == [
        (
            f"shop/migrations/0001_initial.py:{line_of(path, 'dependencies')}",
            "computed-dependencies",
            "dependencies entry 'list(DEPS)' cannot be evaluated without importing the project; squashkit does not"
            " guess it (edges from it are missing from the static graph)",
        )
    ]


def test_unknown_setting_is_reported_on_the_line_that_reads_it(tmp_path):
    """A ``swappable_dependency`` on a setting squashkit does not know: one problem, saying what is missing."""
    app = make_app(tmp_path, "shop")
    path = write_migration(app, "0001_initial", dependencies=["migrations.swappable_dependency(settings.OWNER_MODEL)"])
    line = line_of(path, "OWNER_MODEL")
    assert problems(tmp_path) == [
        (
            f"shop/migrations/0001_initial.py:{line}",
            "unknown-setting",
            "dependencies entry 'migrations.swappable_dependency(settings.OWNER_MODEL)': settings.OWNER_MODEL is"
            " not configured, so the edge is missing from the static graph; set OWNER_MODEL in [tool.squashkit]"
            " of pyproject.toml",
        ),
    ]
    assert load_static(tmp_path).migrations[MigrationKey("shop", "0001_initial")].unresolved


def test_unknown_setting_read_by_an_operation_only(tmp_path):
    """Read by an operation and not by a dependency: reported on the operation's line."""
    app = make_app(tmp_path, "shop")
    path = write_migration(
        app,
        "0001_initial",
        operations=[
            "migrations.AddField(model_name='order', name='owner',"
            " field=models.ForeignKey(on_delete=models.CASCADE, to=settings.OWNER_MODEL))"
        ],
    )
    line = line_of(path, "OWNER_MODEL")
    assert problems(tmp_path) == [
        (
            f"shop/migrations/0001_initial.py:{line}",
            "unknown-setting",
            "settings.OWNER_MODEL is not configured; set OWNER_MODEL in [tool.squashkit] of pyproject.toml",
        ),
    ]


def test_computed_dependency_beside_an_unknown_setting_is_still_computed(tmp_path):
    """Only ``swappable_dependency(settings.X)`` is explained by the setting; other entries stay computed."""
    app = make_app(tmp_path, "shop")
    path = write_migration(
        app,
        "0001_initial",
        dependencies=["migrations.swappable_dependency(settings.OWNER_MODEL)", "helpers.dep()"],
        prelude="import helpers",
    )
    found = problems(tmp_path)
    assert [(location, code) for location, code, _ in found] == [  # in list order
        (f"shop/migrations/0001_initial.py:{line_of(path, 'OWNER_MODEL')}", "unknown-setting"),
        (f"shop/migrations/0001_initial.py:{line_of(path, 'helpers.dep()')}", "computed-dependencies"),
    ]


def test_attributes_assigned_under_a_condition_are_computed(tmp_path):
    """wagtail's ``0056_page_locale_fields_populate`` sets ``operations`` in an ``if swapper.is_swapped(...)``:
    which list Django sees depends on running the code.  Operations become one opaque entry, dependencies are
    reported and the migration is unresolved (so its edges are never judged)."""
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    path = app / "migrations" / "0002_backfill.py"
    path.write_text(
        "import swapper\n"
        "from django.db import migrations\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        "    if swapper.is_swapped('shop', 'Order'):\n"
        "        operations = []\n"
        "        dependencies = []\n"
        "    else:\n"
        "        operations = [migrations.RunPython(migrations.RunPython.noop)]\n"
        "\n"
        "    def helper(self):\n"
        "        operations = 'a local name, not the attribute'\n"
        "        return operations\n"
    )
    project = load_static(tmp_path)
    info = project.migrations[K("shop", "0002_backfill")]
    assert info.unresolved
    assert info.dependencies == ()
    assert info.operations == (OperationSummary(kind="computed", category="unknown", opaque=True, line=7),)
    assert problems(tmp_path) == [
        (
            "shop/migrations/0002_backfill.py:7",
            "computed-dependencies",
            "dependencies is assigned inside an if/try/loop (or with +=) in the Migration class; squashkit does not"
            " guess which value Django sees (edges from it are missing from the static graph)",
        )
    ]


def test_a_method_assigning_a_local_named_operations_is_not_conditional(tmp_path):
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial", operations=["migrations.RunSQL('SELECT 1', reverse_sql='SELECT 1')"])
    path = app / "migrations" / "0001_initial.py"
    path.write_text(
        path.read_text() + "\n    def describe(self):\n        operations = []\n        return operations\n"
    )
    info = load_static(tmp_path).migrations[K("shop", "0001_initial")]
    assert not info.unresolved
    assert [op.kind for op in info.operations] == ["RunSQL"]
    assert problems(tmp_path) == []


def test_configured_swappable_setting_resolves(tmp_path):
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial", dependencies=["migrations.swappable_dependency(settings.OWNER_MODEL)"])
    (tmp_path / "pyproject.toml").write_text('[tool.squashkit.swappable]\nOWNER_MODEL = "crm.Owner"\n')
    path = tmp_path / "shop" / "migrations" / "0001_initial.py"
    project = load_static(tmp_path)
    assert project.problems == ()
    assert project.migrations[K("shop", "0001_initial")].dependencies == (
        Dependency(K("crm", "__first__"), DependencyForm.SWAPPABLE, "OWNER_MODEL", line_of(path, "OWNER_MODEL")),
    )


def test_auth_user_model_literal_is_read_from_settings_without_importing(tmp_path):
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial", dependencies=["migrations.swappable_dependency(settings.AUTH_USER_MODEL)"])
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "settings.py").write_text(
        'raise SystemExit("never imported")\nAUTH_USER_MODEL = "crm.Person"\n'
    )
    project = load_static(tmp_path)
    assert project.settings == {"AUTH_USER_MODEL": "crm.Person"}
    assert project.migrations[K("shop", "0001_initial")].dependency_keys == (K("crm", "__first__"),)


def test_any_swappable_model_literal_is_read_from_settings(tmp_path):
    """pretix: ``OAUTH2_PROVIDER_APPLICATION_MODEL = "pretixapi.OAuthApplication"`` in settings.py is what its
    ``swappable_dependency`` resolves to (a setting squashkit has no default for)."""
    app = make_app(tmp_path, "shop")
    make_app(tmp_path, "api")
    dependency = "migrations.swappable_dependency(settings.OAUTH2_PROVIDER_APPLICATION_MODEL)"
    write_migration(app, "0001_initial", dependencies=[dependency])
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "settings.py").write_text(
        'raise SystemExit("never imported")\nOAUTH2_PROVIDER_APPLICATION_MODEL = "api.OAuthApplication"\n'
    )
    project = load_static(tmp_path)
    assert project.settings == {
        "AUTH_USER_MODEL": "auth.User",
        "OAUTH2_PROVIDER_APPLICATION_MODEL": "api.OAuthApplication",
    }
    assert project.migrations[K("shop", "0001_initial")].dependency_keys == (K("api", "__first__"),)
    assert [p.kind for p in project.problems] == []


def test_expression_nested_beyond_the_recursion_limit_is_reported_not_raised(tmp_path):
    """``ast.parse`` raises RecursionError on a RunSQL built from 5,000 ``+`` terms; the other files load."""
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    concat = " + ".join(['"x"'] * 50000)  # beyond the parser's limits on Python 3.11 to 3.13
    write_migration(
        app, "0002_sql", dependencies=[("shop", "0001_initial")], operations=[f"migrations.RunSQL({concat})"]
    )
    assert problems(tmp_path) == [
        (
            "shop/migrations/0002_sql.py",
            "too-complex",
            "too deeply nested to read (beyond Python's recursion limit); the file was skipped",
        )
    ]
    assert sorted(load_static(tmp_path).migrations) == [K("shop", "0001_initial")]


def test_source_too_complex_for_the_parser_stack_is_reported_not_raised(tmp_path):
    """50,000 unary minus signs overflow the parser's stack: ``MemoryError`` ("source too complex")."""
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    path = app / "migrations" / "0002_neg.py"
    path.write_text("X = " + "-" * 50000 + "1\n")
    assert problems(tmp_path) == [
        (
            "shop/migrations/0002_neg.py",
            "too-complex",
            "too deeply nested to read (beyond Python's recursion limit); the file was skipped",
        )
    ]


def test_apps_py_and_settings_nested_beyond_the_recursion_limit_do_not_stop_the_load(tmp_path):
    concat = " + ".join(['"x"'] * 50000)  # beyond the parser's limits on Python 3.11 to 3.13
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    (app / "apps.py").write_text(f"class ShopConfig:\n    verbose_name = {concat}\n")
    (tmp_path / "settings.py").write_text(f"X = {concat}\nAUTH_USER_MODEL = 'crm.Person'\n")
    project = load_static(tmp_path)
    assert [(p.location(tmp_path), p.code, p.message) for p in project.problems] == [
        ("shop/apps.py", "bad-apps-py", "cannot parse apps.py: too deeply nested")
    ]
    assert list(project.migrations) == [K("shop", "0001_initial")]
    assert project.settings == {"AUTH_USER_MODEL": "auth.User"}  # the settings file could not be read


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("Migration = type('Migration', (migrations.Migration,), {})\n", 2),
        ("from shop.base import Migration\n", 2),
        ("if True:\n    class Migration(migrations.Migration):\n        pass\n", 3),
        ("try:\n    pass\nexcept ImportError:\n    Migration = None\n", 5),
    ],
)
def test_migration_bound_without_a_top_level_class_is_computed_not_missing(tmp_path, source, line):
    """Django imports ``module.Migration`` however it was bound; only a module with no such name at all
    raises BadMigrationError."""
    app = make_app(tmp_path, "shop")
    (app / "migrations" / "0001_initial.py").write_text("from django.db import migrations\n" + source)
    assert problems(tmp_path) == [
        (
            f"shop/migrations/0001_initial.py:{line}",
            "computed-migration",
            f"Migration is bound on line {line} other than by a top-level class statement (assigned, imported or "
            "defined conditionally): Django imports it, squashkit cannot read it without importing the file",
        )
    ]


def test_a_reader_bug_on_one_file_is_reported_and_the_rest_is_loaded(tmp_path, monkeypatch):
    """Never crash on one file: an exception squashkit's reader did not expect becomes an ``internal``
    problem of that file."""
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    write_migration(app, "0002_odd", dependencies=[("shop", "0001_initial")])
    from squashkit.graph import static

    real = static._parse_migration

    def flaky(path, key, settings):
        if key.name == "0002_odd":
            raise KeyError("surprise")
        return real(path, key, settings)

    monkeypatch.setattr(static, "_parse_migration", flaky)
    assert [p for p in problems(tmp_path) if p[1] == "internal"] == [
        (
            "shop/migrations/0002_odd.py",
            "internal",
            "squashkit could not read this file (KeyError: 'surprise'); the file was skipped",
        )
    ]


def test_invalid_encoding_declaration_is_reported_on_its_line(tmp_path):
    app = make_app(tmp_path, "shop")
    (app / "migrations" / "0001_initial.py").write_bytes(b"#!/usr/bin/env python\n# -*- coding: latin-99 -*-\n")
    assert problems(tmp_path) == [
        ("shop/migrations/0001_initial.py:2", "encoding", "invalid encoding declaration: unknown encoding: latin-99")
    ]


def test_declared_latin1_encoding_is_honoured(tmp_path):
    app = make_app(tmp_path, "shop")
    path = write_migration(app, "0001_initial", header="# -*- coding: latin-1 -*-\n# Gr\xfc\xdfe\n")
    path.write_bytes(path.read_text().encode("latin-1"))
    project = load_static(tmp_path)
    assert project.problems == ()
    assert K("shop", "0001_initial") in project.migrations


def test_null_byte_is_a_syntax_problem_with_its_line(tmp_path):
    app = make_app(tmp_path, "shop")
    (app / "migrations" / "0001_initial.py").write_bytes(b"from django.db import migrations\n\nx = 1\x00\n")
    assert problems(tmp_path) == [
        (
            "shop/migrations/0001_initial.py:3",
            "syntax",
            f"syntax error: source code string cannot contain null bytes (parsed with Python {PYTHON})",
        )
    ]


def test_unreadable_file(tmp_path):
    app = make_app(tmp_path, "shop")
    path = write_migration(app, "0001_initial")
    path.chmod(0)
    try:
        if _readable(path):
            pytest.skip("running as a user who can read any file (see the /proc/self/mem test)")
        assert problems(tmp_path) == [
            ("shop/migrations/0001_initial.py", "unreadable", "cannot read file: Permission denied")
        ]
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux /proc")
def test_unreadable_file_even_for_root(tmp_path):
    """Reading /proc/self/mem from offset 0 fails with EIO whoever you are: a file that exists but cannot be read."""
    app = make_app(tmp_path, "shop")
    (app / "migrations" / "0001_initial.py").symlink_to("/proc/self/mem")
    write_migration(app, "0002_second", dependencies=[("shop", "0001_initial")])
    assert problems(tmp_path) == [
        ("shop/migrations/0001_initial.py", "unreadable", "cannot read file: Input/output error")
    ]
    assert list(load_static(tmp_path).migrations) == [K("shop", "0002_second")]


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


def test_sourceless_pyc_is_reported_because_django_imports_it(tmp_path):
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    second = write_migration(app, "0002_second", dependencies=[("shop", "0001_initial")])
    py_compile.compile(str(second), cfile=str(second.with_suffix(".pyc")))
    second.unlink()
    # A .pyc next to its .py is what old Pythons left behind: Django imports the .py, nothing to report.
    py_compile.compile(str(app / "migrations" / "0001_initial.py"), cfile=str(app / "migrations" / "0001_initial.pyc"))
    assert problems(tmp_path) == [
        (
            "shop/migrations/0002_second.pyc",
            "sourceless",
            "compiled file without source: Django imports it as migration '0002_second', squashkit cannot read it",
        )
    ]
    assert sorted(load_static(tmp_path).migrations) == [K("shop", "0001_initial")]


def test_duplicate_label_keeps_the_shallowest_folder(tmp_path):
    make_app(tmp_path, "shop")
    make_app(tmp_path / "legacy", "shop_old", label="shop")
    apps, found = discover_apps(tmp_path)
    assert apps["shop"].path == tmp_path / "shop"
    assert found == [
        FileProblem(
            tmp_path / "legacy" / "shop_old" / "migrations" / "__init__.py",
            0,
            "duplicate-label",
            f"app label 'shop' is already used by {tmp_path / 'shop'}; this folder is skipped",
            app_label="shop",
        )
    ]


def test_bad_apps_py_falls_back_to_the_folder_name(tmp_path):
    app = make_app(tmp_path, "shop")
    (app / "apps.py").write_text("class ShopConfig(AppConfig):\n    label = 'store\n")
    apps, found = discover_apps(tmp_path)
    assert list(apps) == ["shop"]
    assert [(p.location(tmp_path), p.code, p.message) for p in found] == [
        ("shop/apps.py:2", "bad-apps-py", "cannot parse apps.py: unterminated string literal (detected at line 2)")
    ]


# -- discovery ----------------------------------------------------------------------------------------------


def test_label_from_name_when_no_label(tmp_path):
    make_app(tmp_path, "shop")
    (tmp_path / "shop" / "apps.py").write_text("class C:\n    name = 'project.apps.shop'\n")
    assert list(discover_apps(tmp_path)[0]) == ["shop"]


def test_default_app_config_wins_among_several(tmp_path):
    make_app(tmp_path, "shop")
    (tmp_path / "shop" / "apps.py").write_text(
        "class A:\n    name = 'shop'\n    label = 'first'\n\nclass B:\n    name = 'shop'\n    label = 'chosen'\n"
        "    default = True\n"
    )
    assert list(discover_apps(tmp_path)[0]) == ["chosen"]


def test_skipped_and_excluded_folders(tmp_path):
    for folder in (".git/hooks", "venv/lib", "node_modules/pkg", "build", "legacy", "pkg.egg-info"):
        make_app(tmp_path / folder, "app")
    make_app(tmp_path, "shop")
    apps, _ = discover_apps(tmp_path, Config(exclude=("legacy",)))
    assert list(apps) == ["shop"]
    # Without the exclude, legacy/app is found.
    assert sorted(discover_apps(tmp_path)[0]) == ["app", "shop"]


def test_data_folders_are_skipped_unless_they_are_packages(tmp_path):
    """mayan-edms ships 9,000 ``locale/*/LC_MESSAGES`` folders: data folders are not walked, unless a folder of
    that name is a Python package (then it may hold apps like any other)."""
    for folder in ("shop/locale/de", "shop/static/js", "shop/templates/shop", "site/jinja2"):
        make_app(tmp_path / folder, "app")
    make_app(tmp_path, "shop")
    make_app(tmp_path / "static", "assets")
    (tmp_path / "static" / "__init__.py").write_text("")
    assert sorted(discover_apps(tmp_path)[0]) == ["assets", "shop"]


def test_settings_outside_excluded_and_app_folders_are_read(tmp_path):
    make_app(tmp_path, "shop")
    write_migration(
        tmp_path / "shop", "0001_initial", dependencies=["migrations.swappable_dependency(settings.AUTH_USER_MODEL)"]
    )
    (tmp_path / "shop" / "settings.py").write_text('AUTH_USER_MODEL = "shop.Default"\n')  # the app's defaults
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "settings.py").write_text('AUTH_USER_MODEL = "old.User"\n')
    (tmp_path / "conf" / "settings").mkdir(parents=True)
    (tmp_path / "conf" / "settings" / "base.py").write_text('AUTH_USER_MODEL = "crm.Person"\n')
    project = load_static(tmp_path, config=Config(exclude=("legacy",)))
    assert project.settings == {"AUTH_USER_MODEL": "crm.Person"}
    # Without the exclude, two different literals: squashkit does not guess and keeps Django's default.
    assert load_static(tmp_path, config=Config()).settings == {"AUTH_USER_MODEL": "auth.User"}


def test_migrations_folder_without_init_is_not_an_app(tmp_path):
    (tmp_path / "shop" / "migrations").mkdir(parents=True)
    make_app(tmp_path, "crm")
    assert list(discover_apps(tmp_path)[0]) == ["crm"]


def test_helper_package_named_migrations_is_not_an_app(tmp_path):
    """``wagtail/blocks/migrations`` holds StreamField migration helpers, not migrations: no module defines
    ``class Migration`` and none is numbered, so it is not an app (Django never loads it either)."""
    helpers = tmp_path / "blocks" / "migrations"
    helpers.mkdir(parents=True)
    (tmp_path / "blocks" / "__init__.py").write_text("")
    (helpers / "__init__.py").write_text("")
    (helpers / "operations.py").write_text("class MigrateStreamData:\n    pass\n")
    (helpers / "utils.py").write_text("def walk():\n    return []\n")
    # A custom-named migration (no number) is still a migration; an app with no migration yet is an app.
    custom = make_app(tmp_path, "custom")
    write_migration(custom, "initial")
    make_app(tmp_path, "fresh")
    write_migration(make_app(tmp_path, "shop"), "0001_initial")
    apps, problems = discover_apps(tmp_path)
    assert sorted(apps) == ["custom", "fresh", "shop"]
    assert problems == []
    project = load_static(tmp_path)
    assert project.problems == ()
    assert sorted(map(str, project.migrations)) == ["custom.initial", "shop.0001_initial"]


def test_apps_argument_limits_parsing(tmp_path):
    """Apps left out are treated like apps outside the project: their nodes are roots, not dangling."""
    write_migration(make_app(tmp_path, "shop"), "0001_initial")
    write_migration(make_app(tmp_path, "crm"), "0001_initial", dependencies=[("shop", "0001_initial")])
    write_migration(
        make_app(tmp_path, "crm"), "0002_second", dependencies=[("crm", "0001_initial"), ("shop", "__latest__")]
    )
    project = load_static(tmp_path, apps=["crm"])
    assert list(project.apps) == ["crm"]
    assert sorted(project.migrations) == [K("crm", "0001_initial"), K("crm", "0002_second")]
    graph = project.graph()
    assert graph.dangling == ()
    assert graph.parents(K("crm", "0002_second")) == [K("crm", "0001_initial"), K("shop", "__latest__")]


def test_content_hash_is_sha256_of_the_bytes(tmp_path):
    import hashlib

    path = write_migration(make_app(tmp_path, "shop"), "0001_initial")
    info = load_static(tmp_path).migrations[K("shop", "0001_initial")]
    assert info.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.path == path.resolve()


def test_not_a_directory(tmp_path):
    with pytest.raises(ProjectNotFoundError) as caught:
        load_static(tmp_path / "nope")
    assert str(caught.value) == f"{tmp_path / 'nope'}: not a directory"


def test_no_migrations_package(tmp_path):
    (tmp_path / "shop").mkdir()
    with pytest.raises(ProjectNotFoundError) as caught:
        load_static(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no Django app with a migrations package found"
    assert caught.value.data == {"path": str(tmp_path), "reason": "no Django app with a migrations package found"}


def test_a_migrations_folder_given_as_the_project_says_what_to_pass(tmp_path):
    app = make_app(tmp_path, "shop")
    write_migration(app, "0001_initial")
    with pytest.raises(ProjectNotFoundError) as caught:
        load_static(app / "migrations")
    assert str(caught.value) == (
        f"{app / 'migrations'}: no Django app with a migrations package found; this is an app's migrations "
        f"package: pass the project folder (or the app, {app})"
    )
    assert list(load_static(app).migrations) == [K("shop", "0001_initial")]


def test_directory_named_like_a_migration_module_is_reported():
    """``shop/migrations/0033_x.py/`` is a folder: Django's loader fails on it (ModuleNotFoundError)."""
    root = FIXTURES / "directory_module"
    project = load_static(root, cache=False)
    assert problems(root) == [
        (
            "shop/migrations/0033_x.py",
            "not-a-file",
            "0033_x.py is a directory, not a migration module; Django fails on it",
        )
    ]
    assert len(project.app_migrations("shop")) == 2


def test_symlinked_app_folder_is_walked_once(tmp_path):
    """A linked app folder is loaded (as Python imports it); a link back to an ancestor is no loop."""
    project = load_static(FIXTURES / "symlinked_app", cache=False)
    assert sorted(project.project_apps) == ["orders", "shop"]
    root = tmp_path / "p"
    make_app(root, "shop")
    (root / "shop" / "loop").symlink_to(root)
    (root / "again").symlink_to(root / "shop")
    assert load_static(root, cache=False).project_apps == ["shop"]
