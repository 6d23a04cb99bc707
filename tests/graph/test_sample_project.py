"""static == Django on the repository's sample project, with nothing applied, billing's squash partially
applied, and everything migrated.  Databases are only ever written in ``sample_copy``.
"""

from __future__ import annotations

import pytest

from squashkit.config import discover_settings
from squashkit.graph.compare import compare_projects
from squashkit.graph.django_loader import django_graph, load_django
from squashkit.graph.static import load_static
from tests.conftest import SAMPLE_PROJECT
from tests.graph.helpers import assert_same_graph, fake_applied, manage

pytestmark = pytest.mark.django


def settings_of(root):
    settings = discover_settings(root)
    assert settings is not None
    return settings


def check(root, settings):
    """Both loaders agree with each other and squashkit's graph is Django's, for the database's applied rows."""
    theirs = django_graph(root, settings, "default", isolate=True)
    assert theirs.error is None
    static = load_static(root)
    django = load_django(root, settings, isolate=True)
    assert static.problems == ()
    assert compare_projects(static, django, theirs.applied) == []
    assert_same_graph(django.graph(theirs.applied), theirs)
    return static.graph(theirs.applied), theirs


def files(project):
    """Migration files of the project's own apps (the sample project grows: counts are derived, not fixed)."""
    return len(list(project.iter_project_migrations()))


def billing_squash(project):
    (squash,) = [m for m in project.app_migrations("billing") if m.replaces]
    assert squash.name == "0001_squashed_0004_alter_invoice_amount"
    assert [k.name for k in squash.replaces] == [
        "0001_initial",
        "0002_invoice_amount",
        "0003_invoice_customer",
        "0004_alter_invoice_amount",
    ]
    return squash


def test_sample_project_without_database(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # never write into the repository's sample_project
    settings = settings_of(SAMPLE_PROJECT)
    static = load_static(SAMPLE_PROJECT)
    django = load_django(SAMPLE_PROJECT, settings, isolate=True)
    assert static.project_apps == django.project_apps
    assert static.project_apps == ["accounts", "billing", "customers", "inventory", "purchase_orders", "sales_orders"]
    assert compare_projects(static, django) == []
    assert_same_graph(django.graph(), django_graph(SAMPLE_PROJECT, settings, isolate=True))


def test_sample_project_nothing_applied(sample_copy):
    settings = settings_of(sample_copy)
    fake_applied(sample_copy, settings, [])
    graph, theirs = check(sample_copy, settings)
    assert theirs.applied == set()
    squash = billing_squash(graph.project)
    assert len(graph.project_nodes()) == files(graph.project) - len(squash.replaces)
    assert squash.key in graph
    assert not any(k in graph for k in squash.replaces)


def test_sample_project_billing_squash_partially_applied(sample_copy):
    settings = settings_of(sample_copy)
    squash = billing_squash(load_static(sample_copy))
    # The database was migrated to billing.0002 before the squash was written.
    hidden = squash.path.rename(sample_copy / "squash.py.hidden")
    manage(sample_copy, "migrate", "billing", "0002_invoice_amount", "--fake", settings=settings)
    hidden.rename(squash.path)
    graph, theirs = check(sample_copy, settings)
    assert sorted(k.name for k in theirs.applied if k.app_label == "billing") == [
        "0001_initial",
        "0002_invoice_amount",
    ]
    assert len(graph.project_nodes()) == files(graph.project) - 1  # every file but the squash
    assert squash.key not in graph
    assert all(k in graph for k in squash.replaces)
    assert [o.used for o in graph.replacements if o.replacement == squash.key] == [False]


def test_sample_project_applied_rows_written_through_the_recorder(sample_copy):
    """The same partial state, written row by row as ``migrate --fake`` records them."""
    settings = settings_of(sample_copy)
    django = load_django(sample_copy, settings, isolate=True)
    squash = billing_squash(django)
    fake_applied(sample_copy, settings, django.graph(replace_migrations=False).forwards_plan(squash.replaces[1]))
    graph, theirs = check(sample_copy, settings)
    assert sorted(k.name for k in theirs.applied if k.app_label == "billing") == [
        "0001_initial",
        "0002_invoice_amount",
    ]
    assert squash.key not in graph


def test_sample_project_fully_migrated(sample_copy):
    settings = settings_of(sample_copy)
    manage(sample_copy, "migrate", settings=settings)
    graph, theirs = check(sample_copy, settings)
    squash = billing_squash(graph.project)
    assert squash.key in theirs.applied
    assert set(squash.replaces) <= theirs.applied
    assert squash.key in graph
    assert len(graph.project_nodes()) == files(graph.project) - len(squash.replaces)
    assert {k for k in graph.project_nodes() if k not in theirs.applied} == set()
