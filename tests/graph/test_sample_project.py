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

pytestmark = pytest.mark.skipif(
    not (SAMPLE_PROJECT / "manage.py").is_file(), reason="sample_project is not in the repository yet"
)


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
    assert [p for p in static.problems if p.code != "computed-dependencies"] == []
    assert compare_projects(static, django, theirs.applied) == []
    assert_same_graph(django.graph(theirs.applied), theirs)
    return static.graph(theirs.applied), theirs


def billing_squash(project):
    squashes = [m for m in project.app_migrations("billing") if len(m.replaces) >= 2]
    assert squashes, "sample_project's billing app has a squashed migration"
    return squashes[0]


def test_sample_project_without_database(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # never write into the repository's sample_project
    settings = settings_of(SAMPLE_PROJECT)
    static = load_static(SAMPLE_PROJECT)
    django = load_django(SAMPLE_PROJECT, settings, isolate=True)
    assert compare_projects(static, django) == []
    assert_same_graph(django.graph(), django_graph(SAMPLE_PROJECT, settings, isolate=True))


def test_sample_project_nothing_applied(sample_copy):
    settings = settings_of(sample_copy)
    fake_applied(sample_copy, settings, [])
    graph, theirs = check(sample_copy, settings)
    assert theirs.applied == set()
    squash = billing_squash(graph.project)
    assert squash.key in graph
    assert not any(k in graph for k in squash.replaces)


def test_sample_project_billing_squash_partially_applied(sample_copy):
    settings = settings_of(sample_copy)
    django = load_django(sample_copy, settings, isolate=True)
    squash = billing_squash(django)
    # The database was migrated to the first replaced migration before the squash existed.
    unsquashed = django.graph(replace_migrations=False)
    fake_applied(sample_copy, settings, unsquashed.forwards_plan(squash.replaces[0]))
    graph, theirs = check(sample_copy, settings)
    assert squash.replaces[0] in theirs.applied
    assert squash.replaces[-1] not in theirs.applied
    assert squash.key not in graph
    assert all(k in graph for k in squash.replaces)
    assert [o.used for o in graph.replacements if o.replacement == squash.key] == [False]


def test_sample_project_fully_migrated(sample_copy):
    settings = settings_of(sample_copy)
    manage(sample_copy, "migrate", settings=settings)
    graph, theirs = check(sample_copy, settings)
    squash = billing_squash(graph.project)
    assert squash.key in theirs.applied
    assert set(squash.replaces) <= theirs.applied
    assert squash.key in graph
