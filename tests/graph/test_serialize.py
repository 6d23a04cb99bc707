"""Projects survive the trip to JSON and back (how an isolated Django load hands its result back)."""

from __future__ import annotations

import json

from squashkit.graph.model import MigrationKey
from squashkit.graph.serialize import migration_from_dict, migration_to_dict, project_from_dict, project_to_dict
from squashkit.graph.static import load_static
from tests.graph.helpers import FIXTURES


def roundtrip(value):
    return json.loads(json.dumps(value))


def test_static_project_roundtrips_exactly():
    project = load_static(FIXTURES / "odd_files")
    again = project_from_dict(roundtrip(project_to_dict(project)))
    assert again == project
    # Records are equal field by field, including lines, swappable setting names and operation summaries.
    key = MigrationKey("shop", "0001_initial")
    assert again.migrations[key].dependencies == project.migrations[key].dependencies
    assert again.graph().edges() == project.graph().edges()


def test_problems_roundtrip():
    project = load_static(FIXTURES / "computed_deps")
    again = project_from_dict(roundtrip(project_to_dict(project)))
    assert again.problems == project.problems
    assert again.migrations[MigrationKey("reports", "0002_report_account")].unresolved is True


def test_complete_project_flags_roundtrip():
    from dataclasses import replace

    project = replace(load_static(FIXTURES / "conflicts"), complete=True, unmigrated_apps=frozenset({"sessions"}))
    again = project_from_dict(roundtrip(project_to_dict(project)))
    assert (again.complete, again.unmigrated_apps) == (True, frozenset({"sessions"}))


def test_migration_dict_is_plain_json():
    info = load_static(FIXTURES / "odd_files").migrations[MigrationKey("catalog", "0001_initial")]
    data = migration_to_dict(info)
    assert data["key"] == ["catalog", "0001_initial"]
    assert data["dependencies"] == [["shop", "__first__", "first", None, 9]]
    assert data["run_before"] == [["shop", "0004_order_reference", "explicit", None, 11]]
    assert migration_from_dict(roundtrip(data)) == info
